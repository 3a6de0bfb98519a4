"""etc/launcher/pot, installed by etc/install.sh, in front of a fake Python program.

For ``pot start`` the launcher must stay the parent of the program (nomad-pot-driver's
alive check looks for ``/bin/sh /usr/local/bin/pot start <name>``), pass INT/TERM/HUP
on, keep stdin and exit with the program's status. Every other command execs the
program: same process, its stdin, its status.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from installed import SYSTEM_PATH, install

# FAKE_MODE says what the fake program does:
#   exit N     exit with N
#   die N      kill itself with signal N
#   stdin      copy stdin to stdout
#   tty        print whether stdin is a terminal
#   signals    print "ready", wait for INT/TERM/HUP, print "got N", exit 40+N
#   pid        print its pid and its parent's
FAKE = f"""#!{sys.executable}
import os, signal, sys
mode, _, arg = os.environ["FAKE_MODE"].partition(" ")
print("argv", sys.argv[1:], "POT_ETC", os.environ.get("POT_ETC"), flush=True)
if mode == "exit":
    sys.exit(int(arg))
if mode == "die":
    if int(arg) != signal.SIGKILL:
        signal.signal(int(arg), signal.SIG_DFL)
    os.kill(os.getpid(), int(arg))
if mode == "stdin":
    sys.stdout.write(sys.stdin.read())
if mode == "tty":
    print("tty", os.isatty(0))
if mode == "pid":
    print("pid", os.getpid(), os.getppid())
if mode == "signals":
    caught = {{signal.SIGINT, signal.SIGTERM, signal.SIGHUP}}
    for number in caught:
        # a handler, not SIG_IGN: a background job of sh starts with SIGINT ignored,
        # and an ignored signal is discarded, not held
        signal.signal(number, lambda *_: None)
    signal.pthread_sigmask(signal.SIG_BLOCK, caught)
    print("ready", flush=True)
    number = signal.sigwait(caught)
    print("got", number, flush=True)
    sys.exit(40 + number)
"""


@pytest.fixture
def pot(tmp_path: Path) -> Path:
    """``<prefix>/bin/pot`` running the fake program."""
    fake = tmp_path / "fake-pot"
    fake.write_text(FAKE)
    fake.chmod(0o755)
    install(tmp_path / "prefix", fake)
    return tmp_path / "prefix" / "bin" / "pot"


def _env(mode: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "POT_ETC"}
    return {**env, "PATH": SYSTEM_PATH, "FAKE_MODE": mode}


def _default_signals() -> None:
    """In the child: the dispositions of a login shell's command, whatever the suite inherited.

    Under nohup (or a CI runner that ignores SIGINT) the launcher would start with the
    signal ignored, and a shell cannot trap a signal that was ignored on entry.
    """
    for number in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)


def _start(pot: Path, mode: str, *args: str) -> subprocess.Popen[str]:
    launched = subprocess.Popen(
        [str(pot), *args],
        env=_env(mode),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_signals,  # noqa: PLW1509  (only signal() before exec)
    )
    assert launched.stdout is not None
    assert launched.stdout.readline().startswith("argv")
    return launched


def _ready(launched: subprocess.Popen[str]) -> None:
    assert launched.stdout is not None
    assert launched.stdout.readline() == "ready\n"


def _finish(launched: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = launched.communicate(timeout=10)
    return launched.returncode, out


def test_installed_launcher_names_the_program_and_the_configuration(pot: Path) -> None:
    text = pot.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert f"POT_PY='{pot.parents[2] / 'fake-pot'}'\n" in text
    assert f"POT_ETC=${{POT_ETC:-{pot.parents[1] / 'etc' / 'pot'}}}\n" in text
    assert "@POT" not in text
    assert pot.stat().st_mode & 0o777 == 0o755


def test_arguments_and_pot_etc_reach_the_program(pot: Path) -> None:
    done = subprocess.run(
        [str(pot), "start", "a b", "-p", ""],
        env=_env("exit 0"),
        capture_output=True,
        text=True,
        check=False,
    )
    etc = pot.parents[1] / "etc" / "pot"
    assert (done.returncode, done.stdout) == (0, f"argv ['start', 'a b', '-p', ''] POT_ETC {etc}\n")
    done = subprocess.run(
        [str(pot)],
        env={**_env("exit 0"), "POT_ETC": "/x"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout == "argv [] POT_ETC /x\n"


# `pot start` runs as the launcher's child; any other first word (or none) is exec'd
START = ("start", "web")
OTHERS = [(), ("get-rss", "-p", "web", "-J"), ("ls", "-q"), ("starts",)]


@pytest.mark.parametrize("args", [START, *OTHERS])
@pytest.mark.parametrize("code", [0, 1, 125, 255])
def test_exit_status_is_passed_through(pot: Path, code: int, args: tuple[str, ...]) -> None:
    assert _finish(_start(pot, f"exit {code}", *args))[0] == code


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGKILL, signal.SIGSEGV])
def test_a_started_program_killed_by_a_signal_gives_128_plus_n(pot: Path, number: int) -> None:
    assert _finish(_start(pot, f"die {number}", *START))[0] == 128 + number


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGKILL])
def test_another_command_killed_by_a_signal_is_seen_so(pot: Path, number: int) -> None:
    # exec'd: the caller sees the death itself, as it saw upstream's sh script die
    assert _finish(_start(pot, f"die {number}", "ls"))[0] == -number


def _pids(pot: Path, *args: str) -> tuple[int, list[int]]:
    launched = _start(pot, "pid", *args)
    assert launched.stdout is not None
    # read(), not communicate(timeout=...): the line may be in the buffer readline filled
    out = launched.stdout.read()
    assert launched.wait(timeout=10) == 0
    return launched.pid, [int(n) for n in out.split()[1:]]


def test_start_runs_as_the_launchers_child(pot: Path) -> None:
    launcher, (pid, parent) = _pids(pot, *START)
    assert pid != launcher
    assert parent == launcher


@pytest.mark.parametrize("args", OTHERS)
def test_other_commands_replace_the_launcher(pot: Path, args: tuple[str, ...]) -> None:
    launcher, (pid, _) = _pids(pot, *args)
    assert pid == launcher


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_are_forwarded_to_the_program(pot: Path, number: int) -> None:
    launched = _start(pot, "signals", "start", "web")
    _ready(launched)
    os.kill(launched.pid, number)
    assert _finish(launched) == (40 + number, f"got {number}\n")


def test_ctrl_c_on_the_group_leaves_the_launcher_waiting_for_the_program(pot: Path) -> None:
    # a terminal's Ctrl-C: launcher and program both get SIGINT (the program twice)
    launched = _start(pot, "signals", *START)
    _ready(launched)
    os.killpg(launched.pid, signal.SIGINT)
    assert _finish(launched) == (40 + signal.SIGINT, f"got {signal.SIGINT}\n")


@pytest.mark.parametrize("args", [START, ()])
def test_stdin_reaches_the_program(pot: Path, args: tuple[str, ...]) -> None:
    done = subprocess.run(
        [str(pot), *args],
        env=_env("stdin"),
        input="line 1\nline 2\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.splitlines()[1:] == ["line 1", "line 2"]


@pytest.mark.parametrize("args", [START, ("run", "web")])
def test_a_terminal_stays_the_programs_stdin(pot: Path, args: tuple[str, ...]) -> None:
    # pot run / pot exec -t: without care, sh gives a background job /dev/null
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [str(pot), *args],
            env=_env("tty"),
            stdin=terminal,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.close(controller)
        os.close(terminal)
    assert done.stdout.splitlines()[1:] == ["tty True"]


@pytest.mark.parametrize("args", ["start web", ""])
def test_a_closed_stdin_is_no_error(pot: Path, args: str) -> None:
    done = subprocess.run(
        ["/bin/sh", "-c", f"exec 0<&- '{pot}' {args}"],
        env=_env("exit 3"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (3, "")


def test_while_running_the_launcher_is_the_process_pgrep_finds(pot: Path) -> None:
    launched = _start(pot, "signals", "start", "web")
    _ready(launched)
    pattern = f"/bin/sh {pot} start web"
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    assert found.stdout == f"{launched.pid}\n"
    os.kill(launched.pid, signal.SIGTERM)
    _finish(launched)
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    assert (found.returncode, found.stdout) == (1, "")
