"""SIGKILL a pot command at a known step, deterministically.

:func:`blocking` puts a wrapper of one tool (``zfs``, ``tar`` ...) first on PATH: a call
whose argv matches a shell pattern touches a flag file and sleeps instead of running
the tool; every other call runs the real tool. :func:`kill_at` runs ``pot`` in a
process of its own, waits for the flag, and kills the whole process group with
SIGKILL, so the command dies exactly before that step (no tool half way through it).
"""

from __future__ import annotations

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


def blocking(folder: Path, tool: str, pattern: str) -> Block:
    """A ``tool`` wrapper in ``folder`` that blocks when ``"$*"`` matches ``pattern``."""
    real = shutil.which(tool)
    assert real is not None, f"{tool} not on PATH"
    folder.mkdir(parents=True, exist_ok=True)
    flag = folder / f"{tool}.blocked"
    script = folder / tool
    script.write_text(
        "#!/bin/sh\n"
        f'case "$*" in\n'
        f"  {pattern}) : > {shlex.quote(str(flag))}; exec sleep 3600;;\n"
        "esac\n"
        f'exec {shlex.quote(real)} "$@"\n'
    )
    script.chmod(0o755)
    return Block(folder, flag)


def kill_at(block: Block, *args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``pot args`` until the blocked call, then SIGKILL it; (status, its output)."""
    env = dict(os.environ, PATH=f"{block.folder}{os.pathsep}{os.environ['PATH']}")
    process = subprocess.Popen(
        [sys.executable, "-m", "pot", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while not block.flag.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            out = process.communicate()[0].decode(errors="replace")
            raise AssertionError(f"pot {' '.join(args)} never reached the step: {out}")
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    out = process.communicate()[0].decode(errors="replace")
    block.flag.unlink()
    return process.returncode, out
