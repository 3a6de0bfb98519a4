"""pot export / pot import: option handling, messages and exit codes (no ZFS reached)."""

from __future__ import annotations

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.helptext import HELP
from pot.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["export", "import"])
def test_help(cli_etc: CliEtc, command: str) -> None:
    assert run(command, "-h") == (0, HELP[command], "")


@pytest.mark.parametrize("command", ["export", "import"])
def test_illegal_option(cli_etc: CliEtc, command: str) -> None:
    assert run(command, "-x") == (1, HELP[command], "Illegal option -x\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "A remote pot name is mandatory"),
        (("-t", "1.0"), "A remote pot name is mandatory"),
        (("-p", "nginx"), "A tag name is mandatory"),
        (("-p", "nginx", "-t", "1.0", "-U", ""), "Argument of -U cannot be empty"),
        (("-U", "", "-p", "nginx", "-t", "1.0"), "Argument of -U cannot be empty"),
    ],
)
def test_import_usage_errors(cli_etc: CliEtc, args: tuple[str, ...], message: str) -> None:
    assert run("import", *args) == (1, f"###>  {message}\n" + HELP["import"], "")


def test_import_refuses_names_that_would_escape(cli_etc: CliEtc) -> None:
    code, out, _ = run("import", "-p", "../x", "-t", "1")
    assert (code, out) == (1, "###>  __/x_1 is not a valid name for a pot\n")
    code, out, _ = run("import", "-p", "a b", "-t", "1")
    assert (code, out) == (1, "###>  a b_1 is not a valid name for a pot\n")


@pytest.mark.parametrize(
    ("args", "out"),
    [
        ((), "###>  A pot name is mandatory\n" + HELP["export"]),
        (("-p", "web", "-l", "x"), "###>  x is an invalid compression level\n" + HELP["export"]),
        (("-p", "web", "-l", "12"), "###>  12 is an invalid compression level\n" + HELP["export"]),
        (
            ("-l", "x", "-l", "5", "-p", "web"),
            "###>  x is an invalid compression level\n" + HELP["export"],
        ),
        (("-p", "web", "-D", "/nonexistent"), "###>  /nonexistent is not a directory\n"),
    ],
)
def test_export_usage_errors(cli_etc: CliEtc, args: tuple[str, ...], out: str) -> None:
    assert run("export", *args) == (1, out, "")


def test_export_of_a_missing_pot(cli_etc: CliEtc) -> None:
    assert run("export", "-p", "web") == (
        1,
        "###>   Pot web not found\n###>  pot web is not valid\n" + HELP["export"],
        "",
    )
