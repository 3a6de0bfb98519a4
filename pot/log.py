"""Loggers for the modules every command loads, importing logging only when needed.

Importing logging (with threading, traceback, string ...) costs several milliseconds,
a large part of a ``pot get-rss`` that nomad-pot-driver runs every second per task,
and most calls log nothing that is shown. ``getLogger(name)`` returns a stand-in with
the methods those modules use; a record goes to ``logging.getLogger(name)`` unchanged
unless the CLI edge (pot.cli.output) has said which levels it shows and this one is
not among them. Once logging is imported, every record goes to logging.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

DEBUG = 10
INFO = 20
WARNING = 30
ERROR = 40

# set by pot.cli.output while it renders records: whether a record of logger name at
# level would be shown; None: no such edge, every record goes to logging
shown: Callable[[str, int], bool] | None = None


class Logger:
    """The part of logging.Logger this package uses."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def isEnabledFor(self, level: int) -> bool:
        if "logging" not in sys.modules and shown is not None:
            return shown(self.name, level)
        import logging

        return logging.getLogger(self.name).isEnabledFor(level)

    def log(self, level: int, msg: str, *args: object) -> None:
        if "logging" not in sys.modules and shown is not None and not shown(self.name, level):
            return
        import logging

        logging.getLogger(self.name).log(level, msg, *args, stacklevel=3)

    def debug(self, msg: str, *args: object) -> None:
        self.log(DEBUG, msg, *args)

    def info(self, msg: str, *args: object) -> None:
        self.log(INFO, msg, *args)

    def warning(self, msg: str, *args: object) -> None:
        self.log(WARNING, msg, *args)

    def error(self, msg: str, *args: object) -> None:
        self.log(ERROR, msg, *args)


def getLogger(name: str) -> Logger:
    return Logger(name)
