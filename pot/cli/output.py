"""The only writer of upstream's ``###>``, ``===>`` and ``=====>`` lines.

Upstream runs ``echo "###> " "$@"``: the prefix ends in a space and echo adds one
more, so there are two spaces between marker and message. Everything goes to stdout
except where upstream redirects to stderr explicitly.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import click

ERROR = "###> "
INFO = "===> "
DEBUG = "=====> "

_LEVELS = {0: logging.ERROR, 1: logging.INFO}


def line(prefix: str, message: str) -> str:
    return f"{prefix} {message}"


def error(message: str, *, err: bool = False) -> None:
    click.echo(line(ERROR, message), err=err)


def info(message: str) -> None:
    logging.getLogger("pot").info(message)


def debug(message: str) -> None:
    logging.getLogger("pot").debug(message)


class _Handler(logging.Handler):
    """Render log records of the ``pot`` logger with upstream's prefixes on stdout."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            prefix = ERROR
        elif record.levelno >= logging.INFO:
            prefix = INFO
        else:
            prefix = DEBUG
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not hide the message
            message = str(record.msg)
        click.echo(line(prefix, message))


def install() -> logging.Handler:
    """Attach the handler to the ``pot`` logger at upstream's default verbosity (1)."""
    logger = logging.getLogger("pot")
    handler = _Handler()
    logger.addHandler(handler)
    logger.propagate = False
    set_verbosity(1)
    return handler


def uninstall(handler: logging.Handler) -> None:
    logger = logging.getLogger("pot")
    logger.removeHandler(handler)
    # hand records back to the root logger (library use, pytest's caplog)
    logger.propagate = True


def set_verbosity(level: int) -> None:
    """0: errors only; 1: and info; 2 or more: and debug (upstream's _POT_VERBOSITY)."""
    logging.getLogger("pot").setLevel(_LEVELS.get(level, logging.DEBUG))


@contextlib.contextmanager
def command_trace(*, visible: bool) -> Iterator[None]:
    """Show or hide pot.proc's ``CMD >`` trace while the block runs.

    Data commands (info, show ...) take ``-v`` to choose a longer format; upstream
    prints nothing else there, so the trace is kept for ``-vv`` and beyond.
    """
    logger = logging.getLogger("pot.proc")
    previous = logger.level
    if not visible:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(previous)
