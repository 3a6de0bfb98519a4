"""Commands whose arguments upstream also logs to syslog at local0.debug (mount-in, mount-out)."""

from __future__ import annotations


def local0_debug(message: str) -> None:
    """One ``logger -t pot -p local0.debug -- <message>`` line."""
    import syslog

    syslog.openlog("pot", 0, syslog.LOG_LOCAL0)
    syslog.syslog(syslog.LOG_DEBUG, message)
    syslog.closelog()


def log_arguments(name: str, args: list[str]) -> None:
    """``<name>: <arguments>``, as upstream logs them before it parses them."""
    local0_debug(f"{name}: {' '.join(args)}")
