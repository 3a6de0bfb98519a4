"""SIGKILL a pot command at a known step, deterministically.

:func:`blocking` puts a wrapper of one tool (``zfs``, ``tar`` ...) first on PATH: a call
whose argv matches a shell pattern touches a flag file and sleeps instead of running
the tool; every other call runs the real tool. :func:`kill_at` runs ``pot`` in a
process of its own, waits for the flag, and kills the whole process group with
SIGKILL, so the command dies exactly before that step (no tool half way through it).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Block:
    """A wrapper folder for PATH and the flag its blocked call touches."""

    folder: Path
    flag: Path


def blocking(folder: Path, tool: str, pattern: str, *, hold: bool = False) -> Block:
    """A ``tool`` wrapper in ``folder`` that blocks when ``"$*"`` matches ``pattern``:
    for ever, or with ``hold`` until :func:`release` (then the real tool runs)."""
    real = shutil.which(tool)
    assert real is not None, f"{tool} not on PATH"
    folder.mkdir(parents=True, exist_ok=True)
    flag = folder / f"{tool}.blocked"
    go = folder / f"{tool}.release"
    wait = (
        f"while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.1; done" if hold else "exec sleep 3600"
    )
    # blanks are part of the pattern, not separators of case's words
    glob = pattern.replace(" ", "\\ ")
    script = folder / tool
    script.write_text(
        "#!/bin/sh\n"
        f'case "$*" in\n'
        f"  {glob}) : > {shlex.quote(str(flag))}; {wait};;\n"
        "esac\n"
        f'exec {shlex.quote(real)} "$@"\n'
    )
    script.chmod(0o755)
    return Block(folder, flag)


def release(block: Block) -> None:
    """Let a held call (``blocking(..., hold=True)``) go on."""
    block.flag.with_suffix(".release").touch()


def start(block: Block, *args: str) -> subprocess.Popen[bytes]:
    """``pot args`` in a process of its own, with the wrapper first on PATH."""
    env = dict(os.environ, PATH=f"{block.folder}{os.pathsep}{os.environ['PATH']}")
    return subprocess.Popen(
        [sys.executable, "-m", "pot", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(block: Block, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Until the blocked call is reached (AssertionError if the command ends first)."""
    deadline = time.monotonic() + timeout
    while not block.flag.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            out = process.communicate()[0].decode(errors="replace")
            raise AssertionError(f"the command never reached the step: {out}")
        time.sleep(0.05)


def kill_at(block: Block, *args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``pot args`` until the blocked call, then SIGKILL it; (status, its output)."""
    process = start(block, *args)
    wait_for(block, process, timeout)
    os.killpg(process.pid, signal.SIGKILL)
    out = process.communicate()[0].decode(errors="replace")
    block.flag.unlink()
    return process.returncode, out
