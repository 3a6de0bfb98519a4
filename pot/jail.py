"""The only user of jail(8), jls and jexec."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pot import proc


def is_running(name: str) -> bool:
    """Whether a jail of that name exists (upstream's ``jls -j <pot>`` test)."""
    if not name:
        return False
    return proc.run(["jls", "-j", name], check=False).ok


def jid(name: str) -> int | None:
    """The jail id of a running jail (``jls -j <name> jid``); None when it does not run."""
    if not name:
        return None
    result = proc.run(["jls", "-j", name, "jid"], check=False)
    text = result.stdout.strip()
    return int(text) if result.ok and text.isdigit() else None


def run_in_root(root: Path, command: Sequence[str]) -> int:
    """Run a command in a throw-away jail on root (``jail -c path=<root> command=...``).

    Output passes through; returns the exit status.
    """
    return proc.call(["jail", "-c", f"path={root}", f"command={command[0]}", *command[1:]])


def jexec(name: str, command: Sequence[str]) -> int:
    """Run a command inside the running jail (``jexec <name> ...``); returns the exit status."""
    return proc.call(["jexec", name, *command])
