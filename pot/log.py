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
# set with shown: writes a shown record of a ``pot`` logger (name, level, message) the
# way its logging handler would, so that a command whose only record is its one
# ``===>`` line (pot signal) does not import logging for it
render: Callable[[str, int, str], None] | None = None


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
        if "logging" not in sys.modules and shown is not None:
            if not shown(self.name, level):
                return
            if render is not None and self._render(level, msg, args):
                return
        import logging

        logging.getLogger(self.name).log(level, msg, *args, stacklevel=3)

    def _render(self, level: int, msg: str, args: tuple[object, ...]) -> bool:
        """Write the record through ``render``; False: let logging have it (not one of
        ours, or writing failed: logging reports that its own way)."""
        assert render is not None
        if self.name != "pot" and not self.name.startswith("pot."):
            return False
        try:
            render(self.name, level, _message(msg, args))
        except Exception:
            return False
        return True

    def debug(self, msg: str, *args: object) -> None:
        self.log(DEBUG, msg, *args)

    def info(self, msg: str, *args: object) -> None:
        self.log(INFO, msg, *args)

    def warning(self, msg: str, *args: object) -> None:
        self.log(WARNING, msg, *args)

    def error(self, msg: str, *args: object) -> None:
        self.log(ERROR, msg, *args)


def _message(msg: str, args: tuple[object, ...]) -> str:
    """``LogRecord.getMessage``; a bad format string gives the bare message, as
    pot.cli.output's handler does."""
    # one non-empty mapping: logging formats with it (%(key)s)
    values = args[0] if len(args) == 1 and isinstance(args[0], dict) and args[0] else args
    try:
        return str(msg) % values if args else str(msg)
    except (TypeError, ValueError):
        return str(msg)


def getLogger(name: str) -> Logger:
    return Logger(name)
