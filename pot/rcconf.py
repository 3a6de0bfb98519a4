"""FreeBSD's rc.conf variables, read and written through sysrc(8)."""

from __future__ import annotations

from pot import proc


def get(name: str) -> str:
    """``sysrc -n name``; "" when the variable is unset or sysrc is missing (as ``$(...)``)."""
    result = proc.run_if_installed(["sysrc", "-n", name])
    return result.stdout.strip() if result is not None and result.ok else ""


def set_value(name: str, value: str) -> None:
    """``sysrc -q name=value``."""
    proc.run(["sysrc", "-q", f"{name}={value}"])
