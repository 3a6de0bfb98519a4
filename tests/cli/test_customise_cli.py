"""Option parsing of the customising commands (no ZFS reached): getopts-time checks come
before the pot checks, option letters, help texts and exit codes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.helptext import help_text
from pot.cli.main import cli

COMMANDS = (
    "set-cmd",
    "set-attribute",
    "get-attribute",
    "set-rss",
    "get-rss",
    "set-env",
    "set-hosts",
    "set-hook",
    "add-dep",
    "copy-in",
    "copy-out",
    "mount-in",
    "mount-out",
    "export-ports",
)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", COMMANDS)
def test_help_and_bad_options(cli_etc: CliEtc, name: str) -> None:
    assert _run(name, "-h") == (0, help_text(name), "")
    assert _run(name, "-Z") == (1, help_text(name), "Illegal option -Z\n")
    assert _run(name, "-p") == (1, help_text(name), "No arg for -p option\n")


@pytest.mark.parametrize(
    ("alias", "name"), [("set-attr", "set-attribute"), ("get-attr", "get-attribute")]
)
def test_aliases(cli_etc: CliEtc, alias: str, name: str) -> None:
    assert _run(alias, "-h") == (0, help_text(name), "")
    assert _run(alias, "-A", "x") == (1, "###>  A pot name is mandatory\n" + help_text(name), "")


def test_values_checked_while_parsing_come_first(cli_etc: CliEtc) -> None:
    assert _run("set-rss", "-M", "12X") == (
        1,
        "###>  12X is not a valid memory constraint\n" + help_text("set-rss"),
        "",
    )
    # every -M is checked, the last one wins
    assert _run("set-rss", "-M", "0", "-M", "1G", "-p", "x")[1].startswith(
        "###>  Memory constraint has to be greater than zero\n"
    )
    assert _run("export-ports", "-e", "80", "-e", "http") == (
        1,
        "###>  http is not a valid port number\n" + help_text("export-ports"),
        "",
    )
    assert _run("set-env", "-E", "oops") == (
        1,
        "###>  oops not in a valid form\n###>  VARIABLE=value is accetped\n" + help_text("set-env"),
        "",
    )
    assert _run("set-hosts", "-H", "oops") == (
        1,
        "###>  oops not in a valid form\n###>  hostname:IP is accepted\n" + help_text("set-hosts"),
        "",
    )


def test_set_hook_reports_bad_hooks_and_goes_on(cli_etc: CliEtc, tmp_path: Path) -> None:
    bad = tmp_path / "hook"
    bad.write_text("")
    assert _run("set-hook", "-s", str(bad), "-T", "/no/file") == (
        1,
        f"###>  {bad} not a valid hook\n###>  /no/file not a valid hook\n"
        "###>  A pot name is mandatory\n" + help_text("set-hook"),
        "",
    )


def test_mount_in_checks_before_the_pot(cli_etc: CliEtc) -> None:
    assert _run("mount-in", "-p", "x", "-d", "/", "-m", "/mnt") == (
        1,
        # -d / loses its only slash, as upstream's ${OPTARG%/}
        "###>  One of -f|-d|-z option has to be used\n" + help_text("mount-in"),
        "",
    )
    assert _run("mount-in", "-p", "x", "-d", "/tmp", "-m", "/a\tb") == (
        1,
        "###>  The mountpoint cannot contain spaces\n",
        "",
    )
