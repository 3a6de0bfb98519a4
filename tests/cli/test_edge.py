"""The edge: POT_FS_ROOT check, root check, option errors, verbosity and exit codes."""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot import UPSTREAM_VERSION, __version__, proc
from pot.cli.helptext import HELP
from pot.cli.main import cli
from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option

FakeCommand = Callable[[str, click.Command], None]


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _chatty() -> click.Command:
    """A stand-in command that logs one line at each level through the core's logger."""

    @pot_command("promote")
    @verbose_option
    @pass_app
    def command(app: App) -> None:
        log = logging.getLogger("pot.ops.chatty")
        log.debug("a debug line")
        log.info("an info line")
        click.echo(f"verbosity {app.verbosity}")

    return command


def _rooted() -> click.Command:
    """A stand-in command that needs root."""

    @pot_command("promote")
    @click.option("-p", "pot", default="")
    def command(pot: str) -> None:
        require_root()
        click.echo(f"promoted {pot}")

    return command


# -- POT_FS_ROOT


def test_missing_fs_root(cli_etc: CliEtc) -> None:
    missing = cli_etc.fs_root / "nothere"
    cli_etc.write_conf(POT_FS_ROOT=str(missing))
    expected = (1, "", f"###>  {missing} does not exist, please run 'pot init'\n")
    assert _invoke("config", "-g", "fs_root") == expected
    assert _invoke("ls", "-h") == expected
    assert _invoke("help", "ls") == expected
    assert _invoke("promote") == expected


def test_commands_that_run_without_fs_root(cli_etc: CliEtc) -> None:
    cli_etc.write_conf(POT_FS_ROOT=str(cli_etc.fs_root / "nothere"))
    assert _invoke("version") == (0, f"pot version: {UPSTREAM_VERSION}\n", "")
    assert _invoke("init", "-h") == (0, HELP["init"], "")
    assert _invoke("de-init", "-h") == (0, HELP["de-init"], "")
    assert _invoke("help")[0] == 0


def test_unreadable_fs_root(cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch) -> None:
    # root reads everything, so the permission is faked for that one directory
    real_access = os.access
    fs_root = str(cli_etc.fs_root)

    def access(path: object, mode: int) -> bool:
        return False if str(path) == fs_root else real_access(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    assert _invoke("config", "-g", "fs_root") == (
        1,
        "",
        f"###>  Current user has no read access to {fs_root}\n",
    )


def test_fs_root_that_is_a_file(cli_etc: CliEtc, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("")
    cli_etc.write_conf(POT_FS_ROOT=str(a_file))
    assert _invoke("config", "-g", "fs_root") == (
        1,
        "",
        f"###>  {a_file} does not exist, please run 'pot init'\n",
    )


# -- root


def test_root_check(
    cli_etc: CliEtc, fake_command: FakeCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_command("promote", _rooted())
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert _invoke("promote", "-p", "p1") == (
        1,
        "###>   This operation needs 'root' privilegies\n",
        "",
    )


def test_root_passes(
    cli_etc: CliEtc, fake_command: FakeCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_command("promote", _rooted())
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert _invoke("promote", "-p", "p1") == (0, "promoted p1\n", "")


@pytest.mark.skipif(
    importlib.util.find_spec("pot.cli.commands.init") is None, reason="init not written yet"
)
def test_init_needs_root(cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code, out, _ = _invoke("init")
    assert (code, out.splitlines()[-1]) == (1, "###>   This operation needs 'root' privilegies")


# -- option errors


@pytest.mark.skipif(
    importlib.util.find_spec("pot.cli.commands.list") is None, reason="list not written yet"
)
def test_ls_with_an_illegal_option(cli_etc: CliEtc) -> None:
    result = CliRunner().invoke(cli, ["ls", "-Z"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        HELP["list"],
        "Illegal option -Z\n",
    )
    assert "Traceback" not in result.output


def test_illegal_option_of_a_command(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    fake_command("promote", _chatty())
    assert _invoke("promote", "-Z") == (1, HELP["promote"], "Illegal option -Z\n")
    assert _invoke("promote", "-vZ") == (1, HELP["promote"], "Illegal option -Z\n")


def test_missing_option_argument(cli_etc: CliEtc) -> None:
    assert _invoke("config", "-g") == (1, HELP["config"], "No arg for -g option\n")


def test_internal_error_is_one_line(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    @pot_command("promote")
    def command() -> None:
        raise ValueError("boom")

    fake_command("promote", command)
    result = CliRunner().invoke(cli, ["promote"])
    assert (result.exit_code, result.stdout) == (1, "###>  internal error: ValueError: boom\n")
    assert "Traceback" not in result.output


def test_keyboard_interrupt_exits_130(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    @pot_command("promote")
    def command() -> None:
        raise KeyboardInterrupt

    fake_command("promote", command)
    # click ends the ^C line with a newline on stderr, as a shell does
    assert _invoke("promote") == (130, "", "\n")


# -- verbosity


def test_version_verbose(cli_etc: CliEtc) -> None:
    # upstream prints its one line at every verbosity
    assert _invoke("version") == (0, f"pot version: {UPSTREAM_VERSION}\n", "")
    assert _invoke("version", "-v") == (0, f"pot version: {UPSTREAM_VERSION}\n", "")
    assert _invoke("version", "-vv") == (0, f"pot version: {UPSTREAM_VERSION}\n", "")
    assert _invoke("version", "-q") == (0, f"{UPSTREAM_VERSION}\n", "")


def test_the_package_version_is_python_m_pot_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pot", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"bsdpot-py version: {__version__}\n",
        "",
    )


def test_debug_lines_only_when_verbose(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    fake_command("promote", _chatty())
    assert _invoke("promote") == (0, "===>  an info line\nverbosity 1\n", "")
    assert _invoke("promote", "-v") == (
        0,
        "=====>  a debug line\n===>  an info line\nverbosity 2\n",
        "",
    )


def test_the_trace_of_commands_run_is_on_stderr_from_vv(
    cli_etc: CliEtc, fake_command: FakeCommand
) -> None:
    # -v prints what upstream prints (its debug lines) and nothing else
    @pot_command("promote")
    @verbose_option
    def command() -> None:
        logging.getLogger("pot.ops.chatty").debug("a debug line")
        proc.run(["sh", "-c", "exit 3"], check=False)
        click.echo("done")

    fake_command("promote", command)
    assert _invoke("promote") == (0, "done\n", "")
    assert _invoke("promote", "-v") == (0, "=====>  a debug line\ndone\n", "")
    assert _invoke("promote", "-vv") == (
        0,
        "=====>  a debug line\ndone\n",
        "=====>  CMD > sh -c 'exit 3'\n=====>  exit status 3: \n",
    )


def test_each_v_counts(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    fake_command("promote", _chatty())
    assert _invoke("promote", "-vv", "-v")[1].endswith("verbosity 4\n")
    # and a new invocation starts again from 1
    assert _invoke("promote")[1] == "===>  an info line\nverbosity 1\n"


def test_logging_is_handed_back_after_a_run(cli_etc: CliEtc) -> None:
    # no handler piles up across runs, and library users (caplog) get the records again
    _invoke("version")
    logger = logging.getLogger("pot")
    assert (logger.handlers, logger.propagate) == ([], True)
