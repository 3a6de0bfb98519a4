"""FreeBSD's rc.conf variables, read and written through sysrc(8)."""

from __future__ import annotations

from pot import proc
from pot.errors import CommandFailed


def get(name: str) -> str:
    """``sysrc -n name``; "" when the variable is unset or sysrc is missing (as ``$(...)``)."""
    try:
        result = proc.run(["sysrc", "-n", name], check=False)
    except CommandFailed:  # not installed
        return ""
    return result.stdout.strip() if result.ok else ""


def set_value(name: str, value: str) -> None:
    """``sysrc -q name=value``."""
    proc.run(["sysrc", "-q", f"{name}={value}"])


def service(name: str, verb: str) -> None:
    """``service name verb``, output passed through; its status is ignored (as upstream's
    rename ignores syslogd's reload)."""
    proc.call(["service", name, verb])
