"""The only user of jail(8), jls and jexec."""

from __future__ import annotations

from pot import proc


def is_running(name: str) -> bool:
    """Whether a jail of that name exists (upstream's ``jls -j <pot>`` test)."""
    if not name:
        return False
    return proc.run(["jls", "-j", name], check=False).ok
