"""Commands whose arguments upstream also logs to syslog at local0.debug (mount-in, mount-out)."""

from __future__ import annotations

import syslog
from collections.abc import Callable
from typing import Any

import click

from pot.cli.params import F, PotCommand


def local0_debug(message: str) -> None:
    """One ``logger -t pot -p local0.debug -- <message>`` line."""
    syslog.openlog("pot", 0, syslog.LOG_LOCAL0)
    syslog.syslog(syslog.LOG_DEBUG, message)
    syslog.closelog()


class ArgvLoggingCommand(PotCommand):
    """Logs ``<name>: <arguments>`` before parsing them, as upstream does first thing."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        local0_debug(f"{self.name}: {' '.join(args)}")
        return super().parse_args(ctx, args)


def argv_logging_command(name: str) -> Callable[[F], PotCommand]:
    """Like ``pot_command``, for the commands that log their arguments."""

    def decorate(f: F) -> PotCommand:
        cmd: Any = click.command(name, cls=ArgvLoggingCommand)(f)
        assert isinstance(cmd, ArgvLoggingCommand)
        return cmd

    return decorate
