"""pot config: every item, quiet mode and upstream's order-dependent quirks."""

from __future__ import annotations

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.helptext import HELP
from pot.cli.main import cli

HELP_CONFIG = HELP["config"]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["config", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("fs_root", "fs_root = {fs}"),
        ("zfs_root", "zfs_root = nopool/pot"),
        ("gateway", "gateway = 10.192.0.1"),
        ("syslogd", "syslogd flags = -b 127.0.0.1 -b 10.192.0.1 -a 10.192.0.0/10"),
        ("pot_prefix", "pot prefix = {fs}/jails"),
        ("fscomp_prefix", "fscomp prefix = {fs}/fscomp"),
        ("network_stack", "network stack = ipv4"),
    ],
)
def test_items(cli_etc: CliEtc, name: str, line: str) -> None:
    expected = line.format(fs=cli_etc.fs_root)
    assert _run("-g", name) == (0, expected + "\n", "")
    assert _run("-q", "-g", name) == (0, expected.split(" = ", 1)[1] + "\n", "")
    assert _run("-g", name, "-q") == (0, expected.split(" = ", 1)[1] + "\n", "")


def test_values_come_from_pot_conf(cli_etc: CliEtc) -> None:
    cli_etc.write_conf(POT_GATEWAY="10.1.2.3", POT_NETWORK="10.1.0.0/16")
    assert _run("-g", "gateway") == (0, "gateway = 10.1.2.3\n", "")
    assert _run("-g", "syslogd") == (
        0,
        "syslogd flags = -b 127.0.0.1 -b 10.1.2.3 -a 10.1.0.0/16\n",
        "",
    )


def test_fs_root_is_printed_as_configured(cli_etc: CliEtc) -> None:
    # upstream joins strings: a trailing slash stays, and doubles before "jails"
    cli_etc.write_conf(POT_FS_ROOT=f"{cli_etc.fs_root}/")
    assert _run("-g", "fs_root") == (0, f"fs_root = {cli_etc.fs_root}/\n", "")
    assert _run("-g", "pot_prefix") == (0, f"pot prefix = {cli_etc.fs_root}//jails\n", "")


@pytest.mark.parametrize(
    ("stack", "shown"),
    [("ipv6", "ipv6"), ("dual", "dual"), ("IPv6", "ipv4"), ("", "ipv4"), ("bogus", "ipv4")],
)
def test_network_stack_is_normalised(cli_etc: CliEtc, stack: str, shown: str) -> None:
    cli_etc.write_conf(POT_NETWORK_STACK=stack)
    assert _run("-g", "network_stack") == (0, f"network stack = {shown}\n", "")


def test_last_g_wins(cli_etc: CliEtc) -> None:
    assert _run("-g", "zfs_root", "-g", "gateway") == (0, "gateway = 10.192.0.1\n", "")


def test_unknown_name(cli_etc: CliEtc) -> None:
    assert _run("-g", "nosuch") == (1, "###>  NO nosuch is not a valid name\n" + HELP_CONFIG, "")
    # getopts takes the next word as the argument, even when it looks like an option
    assert _run("-g", "-h") == (1, "###>  NO -h is not a valid name\n" + HELP_CONFIG, "")


def test_unknown_name_is_checked_before_later_options(cli_etc: CliEtc) -> None:
    assert _run("-g", "nosuch", "-g", "gateway") == (
        1,
        "###>  NO nosuch is not a valid name\n" + HELP_CONFIG,
        "",
    )


def test_quiet_before_g_silences_the_error(cli_etc: CliEtc) -> None:
    assert _run("-q", "-g", "nosuch") == (1, "", "")


def test_quiet_after_g_is_too_late(cli_etc: CliEtc) -> None:
    assert _run("-g", "nosuch", "-q") == (
        1,
        "###>  NO nosuch is not a valid name\n" + HELP_CONFIG,
        "",
    )


def test_g_is_mandatory(cli_etc: CliEtc) -> None:
    assert _run() == (1, "###>  NO option -g is mandatory\n" + HELP_CONFIG, "")
    assert _run("-v") == (1, "###>  NO option -g is mandatory\n" + HELP_CONFIG, "")
    assert _run("-q") == (1, "", "")


def test_missing_option_argument(cli_etc: CliEtc) -> None:
    assert _run("-g") == (1, HELP_CONFIG, "No arg for -g option\n")


def test_illegal_option(cli_etc: CliEtc) -> None:
    assert _run("-Z") == (1, HELP_CONFIG, "Illegal option -Z\n")
    assert _run("-qZ", "-g", "fs_root") == (1, HELP_CONFIG, "Illegal option -Z\n")


def test_help(cli_etc: CliEtc) -> None:
    assert _run("-h") == (0, HELP_CONFIG, "")
    assert _run("-q", "-h") == (0, HELP_CONFIG, "")


def test_no_root_needed(cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert _run("-g", "zfs_root") == (0, "zfs_root = nopool/pot\n", "")
