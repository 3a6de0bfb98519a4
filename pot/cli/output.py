"""The only writer of upstream's ``###>``, ``===>`` and ``=====>`` lines.

Upstream runs ``echo "###> " "$@"``: the prefix ends in a space and echo adds one
more, so there are two spaces between marker and message. Everything goes to stdout
except where upstream redirects to stderr explicitly, and our trace of the commands run.
"""

from __future__ import annotations

import logging
import sys

ERROR = "###> "
INFO = "===> "
DEBUG = "=====> "

_LEVELS = {0: logging.ERROR, 1: logging.INFO}


def line(prefix: str, message: str) -> str:
    return f"{prefix} {message}"


def echo(text: str = "", *, nl: bool = True, err: bool = False) -> None:
    """Write text (and a newline) to stdout or stderr and flush it, as click.echo does."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


def error(message: str, *, err: bool = False) -> None:
    echo(line(ERROR, message), err=err)


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
        echo(line(prefix, message), err=_is_trace(record))


# the debug records that are ours, not upstream's: pot.proc's argv of every command run
# and a failure's status, and pot.trace's notes (a file that could not be read ...)
_TRACES = ("pot.proc", "pot.trace")


def _is_trace(record: logging.LogRecord) -> bool:
    return record.levelno < logging.INFO and record.name in _TRACES


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
    for name in _TRACES:
        logging.getLogger(name).setLevel(logging.NOTSET)


def set_verbosity(level: int) -> None:
    """0: errors only; 1: and info; 2 or more: and debug (upstream's _POT_VERBOSITY).

    Our trace of the commands run (``=====>  CMD > ...``) is not upstream's: it goes to
    stderr, and only from 3 (-vv), a level upstream prints nothing more at, so that
    every -v prints exactly what upstream prints.
    """
    logging.getLogger("pot").setLevel(_LEVELS.get(level, logging.DEBUG))
    for name in _TRACES:
        logging.getLogger(name).setLevel(logging.DEBUG if level > 2 else logging.INFO)
