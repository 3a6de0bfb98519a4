"""pot prepare: option checks, messages and exit codes before any ZFS is reached."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.helptext import HELP
from pot.cli.main import cli
from pot.errors import InvalidName, UsageError
from pot.ops import prepare

HELP_TEXT = HELP["prepare"]
# what the driver always passes, so that only the option under test is wrong
GOOD = ("-p", "nginx", "-t", "1.0", "-a", "0a1b2c3d_alloc")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help(cli_etc: CliEtc) -> None:
    assert run("prepare", "-h") == (0, HELP_TEXT, "")
    assert run("help", "prepare") == (0, HELP_TEXT, "")


def test_help_text_is_upstreams() -> None:
    # upstream's own typo ("-h verbose") is interface
    assert HELP_TEXT.splitlines()[:5] == [
        "pot prepare [-hvS] -p pot -U URL -t tag -a aID -n potname -c cmd",
        "            [-e [proto:]port[:pot_port]] [-N network-type]",
        "            [-i ipaddr] [-B bridge-name] [-C pubkey]",
        "  -h print this help",
        "  -h verbose",
    ]
    assert HELP_TEXT.endswith(
        "  -C pubkey : verify with public key 'pubkey' using signify(1)\n"
        "              on pot import\n"
    )


def test_illegal_option_and_missing_argument(cli_etc: CliEtc) -> None:
    assert run("prepare", *GOOD, "-x") == (1, HELP_TEXT, "Illegal option -x\n")
    assert run("prepare", *GOOD, "-p") == (1, HELP_TEXT, "No arg for -p option\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-t", "1.0", "-a", "x"), "A pot name is mandatory"),
        (("-p", "nginx", "-a", "x"), "A tag is mandatory"),
        (("-p", "nginx", "-t", "1.0"), "An allocation id is mandatory"),
        (("-p", "", "-t", "1.0", "-a", "x"), "A pot name is mandatory"),
        (
            (*GOOD, "-N", "private-bridge"),
            "A bridge name has to be provided if private-bridge is selected as network-type",
        ),
        ((*GOOD, "-e", "80x"), "80x is not a valid port number"),
        ((*GOOD, "-e", "tcp:80:0"), "tcp:80:0 is not a valid port number"),
        ((*GOOD, "-e", "80", "-e", "65536"), "65536 is not a valid port number"),
        ((*GOOD, "-N", "bridge"), "Network type bridge not recognized"),
        ((*GOOD, "-N", "Host"), "Network type Host not recognized"),
        # upstream calls create's help here, which it has not loaded (shell error)
        ((*GOOD, "-S", "ipv5"), "Network stack ipv5 not valid"),
        # upstream loses the value in this message (a typo: '')
        ((*GOOD, "-d", "google"), "'google' is not a valid dns option"),
        # option errors come first, in command-line order, as upstream's getopts loop
        (("-e", "0", "-N", "x"), "0 is not a valid port number"),
        (("-N", "x", "-e", "0"), "Network type x not recognized"),
    ],
)
def test_usage_errors(cli_etc: CliEtc, args: tuple[str, ...], message: str) -> None:
    assert run("prepare", *args) == (1, f"###>  {message}\n" + HELP_TEXT, "")


def test_unreadable_custom_dns_file_has_no_help(cli_etc: CliEtc) -> None:
    assert run("prepare", *GOOD, "-d", "custom:/nonexistent/resolv.conf") == (
        1,
        "###>  The file /nonexistent/resolv.conf is not valid or readable\n",
        "",
    )


def test_names_that_would_break_datasets_are_refused(cli_etc: CliEtc) -> None:
    code, out, _ = run("prepare", "-p", "nginx", "-t", "1", "-a", "x/y")
    assert code == 1
    assert out.startswith("###>  'nginx_1_x/y' is not a valid name for a pot (")
    assert run("prepare", "-p", "a/b", "-t", "1", "-a", "x") == (
        1,
        "###>  a/b_1 is not a valid name for a pot\n",
        "",
    )


def test_missing_url_fails_in_the_nested_import(cli_etc: CliEtc) -> None:
    # upstream hands an empty -U to import, which prints its own help; prepare then
    # reports the failed import
    assert run("prepare", *GOOD, "-v") == (
        1,
        "###>  Argument of -U cannot be empty\n" + HELP["import"] + "###>  pot import failed\n",
        "",
    )


def test_failed_import_is_reported_by_prepare(cli_etc: CliEtc, tmp_path: Path) -> None:
    url = (tmp_path / "nothing").as_uri()
    missing = f"###>  {url}/nginx_1.0.xz.skein: No such file or directory\n"
    # import's two attempts (as upstream's), then prepare's own line
    assert run("prepare", *GOOD, "-U", url) == (
        1,
        "===>  importing nginx @ 1.0 as nginx_1_0\n"
        + missing
        + missing
        + "###>  pot import failed\n",
        "",
    )


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            prepare.PrepareOptions(pot="nginx", tag="1.0", allocation="a"),
            ("nginx_1_0", "nginx_1_0_a"),
        ),
        (
            prepare.PrepareOptions(pot="nginx", tag="1.0", allocation="0a1b.c", name="web.task"),
            ("nginx_1_0", "web_task_0a1b_c"),
        ),
        (
            prepare.PrepareOptions(pot="nginx", tag="1", allocation="5f3c_11-22", name="www"),
            ("nginx_1", "www_5f3c_11-22"),
        ),
    ],
)
def test_names(options: prepare.PrepareOptions, expected: tuple[str, str]) -> None:
    assert prepare.names(options) == expected
    assert prepare.check(options) == expected


def test_network_type_host_is_inherit() -> None:
    assert prepare.network_type("host") == "inherit"
    for kind in ("inherit", "alias", "public-bridge", "private-bridge"):
        assert prepare.network_type(kind) == kind
    with pytest.raises(UsageError) as exc:
        prepare.network_type("vnet")
    assert exc.value.lines == ("Network type vnet not recognized",)


def test_check_refuses_a_bad_new_name() -> None:
    with pytest.raises(InvalidName):
        prepare.check(prepare.PrepareOptions(pot="nginx", tag="1", allocation="a b"))
