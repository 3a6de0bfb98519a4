"""The edge: POT_FS_ROOT check, root check, option errors, verbosity and exit codes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_env import CliEtc, FakeCommand
from click.testing import CliRunner

from pot import UPSTREAM_VERSION, __version__, proc
from pot.cli import optspec
from pot.cli.app import App
from pot.cli.helptext import HELP
from pot.cli.main import cli
from pot.cli.output import echo
from pot.cli.root import require_root

_V = optspec.Opt("v", "verbose", optspec.VERBOSE)


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _chatty(app: App) -> None:
    """A stand-in command that logs one line at each level through the core's logger."""
    log = logging.getLogger("pot.ops.chatty")
    log.debug("a debug line")
    log.info("an info line")
    echo(f"verbosity {app.verbosity}")


def _rooted(_app: App, pot: str) -> None:
    """A stand-in command that needs root."""
    require_root()
    echo(f"promoted {pot}")


_ROOTED_TABLE = (optspec.Opt("p", "pot", optspec.VALUE),)


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

    def access(path: str | os.PathLike[str], mode: int) -> bool:
        return False if str(path) == fs_root else real_access(path, mode)

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
    fake_command("promote", _ROOTED_TABLE, _rooted)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert _invoke("promote", "-p", "p1") == (
        1,
        "###>   This operation needs 'root' privilegies\n",
        "",
    )


def test_root_passes(
    cli_etc: CliEtc, fake_command: FakeCommand, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_command("promote", _ROOTED_TABLE, _rooted)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert _invoke("promote", "-p", "p1") == (0, "promoted p1\n", "")


def test_init_needs_root(cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code, out, _ = _invoke("init")
    assert (code, out.splitlines()[-1]) == (1, "###>   This operation needs 'root' privilegies")


# -- option errors


def test_ls_with_an_illegal_option(cli_etc: CliEtc) -> None:
    result = CliRunner().invoke(cli, ["ls", "-Z"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        HELP["list"],
        "Illegal option -Z\n",
    )
    assert "Traceback" not in result.output


def test_illegal_option_of_a_command(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    fake_command("promote", (_V,), _chatty)
    assert _invoke("promote", "-Z") == (1, HELP["promote"], "Illegal option -Z\n")
    assert _invoke("promote", "-vZ") == (1, HELP["promote"], "Illegal option -Z\n")


def test_missing_option_argument(cli_etc: CliEtc) -> None:
    assert _invoke("config", "-g") == (1, HELP["config"], "No arg for -g option\n")


def test_internal_error_is_one_line(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    def run(_app: App) -> None:
        raise ValueError("boom")

    fake_command("promote", (), run)
    result = CliRunner().invoke(cli, ["promote"])
    assert (result.exit_code, result.stdout) == (1, "###>  internal error: ValueError: boom\n")
    assert "Traceback" not in result.output


def test_keyboard_interrupt_exits_130(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    def run(_app: App) -> None:
        raise KeyboardInterrupt

    fake_command("promote", (), run)
    # the ^C line ends with a newline on stderr, as a shell ends it
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
    fake_command("promote", (_V,), _chatty)
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
    def run(_app: App) -> None:
        logging.getLogger("pot.ops.chatty").debug("a debug line")
        proc.run(["sh", "-c", "exit 3"], check=False)
        echo("done")

    fake_command("promote", (_V,), run)
    assert _invoke("promote") == (0, "done\n", "")
    assert _invoke("promote", "-v") == (0, "=====>  a debug line\ndone\n", "")
    assert _invoke("promote", "-vv") == (
        0,
        "=====>  a debug line\ndone\n",
        "=====>  CMD > sh -c 'exit 3'\n=====>  exit status 3: \n",
    )


def test_each_v_counts(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    fake_command("promote", (_V,), _chatty)
    assert _invoke("promote", "-vv", "-v")[1].endswith("verbosity 4\n")
    # and a new invocation starts again from 1
    assert _invoke("promote")[1] == "===>  an info line\nverbosity 1\n"


def test_logging_is_handed_back_after_a_run(cli_etc: CliEtc) -> None:
    # no handler piles up across runs, and library users (caplog) get the records again
    _invoke("version")
    logger = logging.getLogger("pot")
    assert (logger.handlers, logger.propagate) == ([], True)


def test_an_os_error_names_what_failed(cli_etc: CliEtc, fake_command: FakeCommand) -> None:
    def run(_app: App) -> None:
        raise OSError(28, "No space left on device", "/var/cache/pot/web_1.0.xz")

    fake_command("promote", (), run)
    result = CliRunner().invoke(cli, ["promote"])
    assert (result.exit_code, result.stdout) == (
        1,
        "###>  No space left on device while running pot promote /var/cache/pot/web_1.0.xz\n",
    )


def test_os_error_lines_say_what_the_command_was_doing() -> None:
    from pot.cli.edge import os_error_line

    full = OSError(28, "No space left on device")
    assert os_error_line(full, "import") == "No space left on device while importing"
    long = OSError(36, "File name too long", "/x")
    assert os_error_line(long, "copy-in") == "File name too long while copying into the pot /x"
