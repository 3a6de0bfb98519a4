"""Help texts and the dispatcher: every command answers -h with upstream's text."""

from __future__ import annotations

import importlib.util

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.helptext import HELP, USAGE, command_help, create_base_help
from pot.cli.main import ALIASES, COMMANDS, cli, module_name

# upstream's aliases, `run` included (it is `term -f`)
ALIAS_TARGETS = {**ALIASES, "run": "term"}
NOT_IMPLEMENTED = sorted(
    name for name in COMMANDS if importlib.util.find_spec(module_name(name)) is None
)


def test_every_command_has_a_help_text() -> None:
    # every command has upstream's own text (set-/get-attribute's are made on demand)
    assert sorted([*HELP, "set-attribute", "get-attribute"]) == sorted(COMMANDS)
    texts = [command_help(name) for name in COMMANDS]
    assert all(text.endswith("\n") and not text.endswith("\n\n") for text in texts)


def test_alias_table_matches_upstream() -> None:
    assert ALIAS_TARGETS == {
        "ls": "list",
        "snap": "snapshot",
        "rollback": "revert",
        "set-attr": "set-attribute",
        "get-attr": "get-attribute",
        "run": "term",
    }


@pytest.mark.parametrize(
    "name", [name for name in (*COMMANDS, *ALIAS_TARGETS) if name not in NOT_IMPLEMENTED]
)
def test_dash_h_prints_the_help(cli_etc: CliEtc, name: str) -> None:
    result = CliRunner().invoke(cli, [name, "-h"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        command_help(ALIAS_TARGETS.get(name, name)),
        "",
    )


@pytest.mark.parametrize("name", [*COMMANDS, *ALIAS_TARGETS])
def test_help_command_prints_the_help(cli_etc: CliEtc, name: str) -> None:
    result = CliRunner().invoke(cli, ["help", name])
    assert (result.exit_code, result.stdout) == (0, command_help(ALIAS_TARGETS.get(name, name)))


def test_help_of_an_unknown_command(cli_etc: CliEtc) -> None:
    result = CliRunner().invoke(cli, ["help", "nosuchcmd"])
    assert (result.exit_code, result.stdout) == (1, "###>  Command nosuchcmd unkown\n")


def test_help_alone_prints_the_usage(cli_etc: CliEtc) -> None:
    result = CliRunner().invoke(cli, ["help"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, USAGE, "")


def test_no_command_prints_the_usage(cli_etc: CliEtc) -> None:
    result = CliRunner().invoke(cli, [])
    assert (result.exit_code, result.stdout, result.stderr) == (1, USAGE, "")


def test_unknown_command_prints_the_usage(cli_etc: CliEtc) -> None:
    result = CliRunner().invoke(cli, ["nosuchcmd", "-h"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, USAGE, "")


def test_usage_lists_the_commands() -> None:
    assert USAGE.startswith("Usage: pot command [options]\n\nCommands:\n    help    -- Show help\n")
    assert USAGE.endswith("    exec -- Execute a progam inside of a pot\n")
    assert len(USAGE.splitlines()) == 51


@pytest.mark.parametrize("name", sorted({*NOT_IMPLEMENTED, "promote"}))
@pytest.mark.parametrize("args", [["-x", "some", "args"], ["-h"], ["-p", "web", "-h"]])
def test_missing_module_is_not_implemented(cli_etc: CliEtc, name: str, args: list[str]) -> None:
    # -h too: upstream's dispatcher fails on promote, which it has no script for, -h or not
    result = CliRunner().invoke(cli, [name, *args])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        f"###>  pot {name}: not implemented yet in this version\n",
        "",
    )


def test_a_module_that_cannot_be_found_is_not_implemented(
    cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a None entry makes the import fail as for a missing file
    monkeypatch.setitem(__import__("sys").modules, module_name("version"), None)
    result = CliRunner().invoke(cli, ["version"])
    assert (result.exit_code, result.stdout) == (
        1,
        "###>  pot version: not implemented yet in this version\n",
    )


def test_create_base_help_lists_releases() -> None:
    assert create_base_help(["9.3", "13.2", "14.1"]) == (
        "pot create-base [-h] [-r RELEASE] [-b basename]\n"
        "  -h print this help\n"
        "  -v verbose\n"
        "  -r RELEASE : supported release are: 9.3 13.2 14.1 \n"
        "     + 13.2\n"
        "     + 14.1\n"
        "     + 9.3\n"
        "  -b basename : optional, (default: the release)\n"
    )


def test_create_base_help_without_releases() -> None:
    assert HELP["create-base"] == (
        "pot create-base [-h] [-r RELEASE] [-b basename]\n"
        "  -h print this help\n"
        "  -v verbose\n"
        "  -r RELEASE : supported release are: \n"
        "\n"
        "  -b basename : optional, (default: the release)\n"
    )


# upstream's set-attribute.sh/get-attribute.sh help: "     + NAME" per attribute, sorted
UPSTREAM_WRITABLE = [
    "children",
    "devfs_ruleset",
    "early-start-at-boot",
    "enforce_statfs",
    "exec_stop",
    "fdescfs",
    "linprocfs",
    "localhost-tunnel",
    "mlock",
    "mount",
    "no-etc-hosts",
    "no-rc-script",
    "no-tmpfs",
    "nullfs",
    "persistent",
    "procfs",
    "prunable",
    "raw_sockets",
    "start-at-boot",
    "stop_timeout",
    "sysvmsg",
    "sysvsem",
    "sysvshm",
    "tmpfs",
    "zfs",
]


def test_attribute_lists_of_the_help_are_upstreams() -> None:
    def listed(name: str) -> list[str]:
        return [line[7:] for line in command_help(name).splitlines() if line.startswith("     + ")]

    assert listed("set-attribute") == UPSTREAM_WRITABLE
    assert listed("get-attribute") == sorted([*UPSTREAM_WRITABLE, "to-be-pruned"])
