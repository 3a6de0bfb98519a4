"""The only writer of upstream's ``###>``, ``===>`` and ``=====>`` lines.

Upstream runs ``echo "###> " "$@"``: the prefix ends in a space and echo adds one
more, so there are two spaces between marker and message. Everything goes to stdout
except where upstream redirects to stderr explicitly, and our trace of the commands run.
"""

from __future__ import annotations

import sys

from pot import log

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

ERROR = "###> "
INFO = "===> "
DEBUG = "=====> "

# upstream's _POT_VERBOSITY -> the lowest level shown (2 and more: debug)
_LEVELS = {0: log.ERROR, 1: log.INFO}
# the debug records that are ours, not upstream's: pot.proc's argv of every command run
# and a failure's status, and pot.trace's notes (a file that could not be read ...)
_TRACES = ("pot.proc", "pot.trace")


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
    log.getLogger("pot").info("%s", message)


def debug(message: str) -> None:
    log.getLogger("pot").debug("%s", message)


def _render(record: logging.LogRecord) -> None:
    """A record of the ``pot`` loggers with upstream's prefix (our traces on stderr)."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a bad format string must not hide the message
        message = str(record.msg)
    _write(record.name, record.levelno, message)


def _write(name: str, level: int, message: str) -> None:
    """One record's line; pot.log calls it directly while logging is not imported."""
    if level >= log.ERROR:
        prefix = ERROR
    elif level >= log.INFO:
        prefix = INFO
    else:
        prefix = DEBUG
    trace = level < log.INFO and name in _TRACES
    echo(line(prefix, message), err=trace)


# The rendering state of the running invocation. logging itself is imported only when
# some module needs it (pot.log's loggers import it only for a record that is shown):
# until then the handler waits, and it is attached as soon as logging is imported.
class _State:
    __slots__ = ("handler", "hook", "verbosity")

    def __init__(self) -> None:
        self.verbosity = 1
        self.handler: logging.Handler | None = None
        self.hook: _AttachOnImport | None = None


_state = _State()


class _AttachOnImport:
    """A meta-path finder that attaches our handler right after logging is imported."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if name != "logging":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _AttachingLoader(spec.loader)  # type: ignore[assignment]
        return spec


class _AttachingLoader:
    """logging's own loader, then :func:`_attach`."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _attach()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def _shown(name: str, level: int) -> bool:
    """Whether a record would be rendered now (pot.log asks, before importing logging)."""
    if name in _TRACES:
        return level >= (log.DEBUG if _state.verbosity > 2 else log.INFO)
    return level >= _LEVELS.get(_state.verbosity, log.DEBUG)


def install() -> None:
    """Render the ``pot`` loggers' records at upstream's default verbosity (1)."""
    _state.verbosity = 1
    if "logging" in sys.modules:
        _attach()
        return
    log.shown = _shown
    log.render = _write
    _state.hook = _AttachOnImport()
    sys.meta_path.insert(0, _state.hook)


def _attach() -> None:
    import logging

    _unhook()

    class _Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            _render(record)

    logger = logging.getLogger("pot")
    _state.handler = _Handler()
    logger.addHandler(_state.handler)
    logger.propagate = False
    _apply_levels()


def _unhook() -> None:
    if _state.hook is not None and _state.hook in sys.meta_path:
        sys.meta_path.remove(_state.hook)
    _state.hook = None
    log.shown = None
    log.render = None


def uninstall() -> None:
    """Hand the records back to the root logger (library use, pytest's caplog)."""
    _unhook()
    if _state.handler is None:
        return
    import logging

    logger = logging.getLogger("pot")
    logger.removeHandler(_state.handler)
    _state.handler = None
    logger.propagate = True
    # the levels too: a library caller after a CLI run must not inherit its -v
    logger.setLevel(logging.NOTSET)
    for name in _TRACES:
        logging.getLogger(name).setLevel(logging.NOTSET)


def set_verbosity(level: int) -> None:
    """0: errors only; 1: and info; 2 or more: and debug (upstream's _POT_VERBOSITY).

    Our trace of the commands run (``=====>  CMD > ...``) is not upstream's: it goes to
    stderr, and only from 3 (-vv), a level upstream prints nothing more at, so that
    every -v prints exactly what upstream prints.
    """
    _state.verbosity = level
    if "logging" in sys.modules:
        _apply_levels()


def _apply_levels() -> None:
    import logging

    logging.getLogger("pot").setLevel(_LEVELS.get(_state.verbosity, log.DEBUG))
    for name in _TRACES:
        logging.getLogger(name).setLevel(log.DEBUG if _state.verbosity > 2 else log.INFO)
