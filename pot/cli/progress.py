"""Download/stream progress on stderr: only on a terminal, at most a few updates a second."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pot.cli.output import echo

# progress(bytes done, total bytes or None when unknown), as the core reports it
Progress = Callable[[int, int | None], None]

_INTERVAL = 0.2  # seconds between two redraws
_MIB = 1024 * 1024


def render(label: str, done: int, total: int | None) -> str:
    """One progress line: ``label  42% of 180.3 MiB`` or ``label  12.0 MiB``."""
    if total:
        percent = min(100, done * 100 // total)
        return f"{label}  {percent:3d}% of {total / _MIB:.1f} MiB"
    return f"{label}  {done / _MIB:.1f} MiB"


class _Line:
    """Redraws one stderr line in place, rate-limited, and wipes it when the total is reached."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.last = 0.0
        self.width = 0

    def __call__(self, done: int, total: int | None) -> None:
        if done == total:
            # complete: wipe the line now, the next messages are not ours
            self.clear()
            return
        now = time.monotonic()
        if now - self.last < _INTERVAL:
            return
        self.last = now
        text = render(self.label, done, total)
        echo("\r" + text.ljust(self.width), nl=False, err=True)
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            echo("\r" + " " * self.width + "\r", nl=False, err=True)
            self.width = 0


@contextlib.contextmanager
def bar(label: str) -> Iterator[Progress | None]:
    """A progress callback for the core, or None when stderr is not a terminal.

    The line is wiped at the end, so the messages that follow start on a clean line.
    """
    if not sys.stderr.isatty():
        yield None
        return
    line = _Line(label)
    try:
        yield line
    finally:
        line.clear()


# ------------------------------------------------------------------ fetch(1)'s line

_PREFIXES = " kMGTP"
_NAME_WIDTH = 46


def fetch_bytes(count: int) -> str:
    """A size as fetch(1) writes it: ``xxxx YB`` (``257  B``, `` 174 MB``)."""
    prefix = 0
    while count > 9999 and prefix < len(_PREFIXES) - 1:
        count //= 1024
        prefix += 1
    return f"{count:4d} {_PREFIXES[prefix]}B"


def fetch_seconds(seconds: int) -> str:
    """A duration as fetch(1) writes it: ``   07s``, ``02m05s``, ``01h02m``, ``01d02h``."""
    if seconds > 86400:
        return f"{seconds // 86400:02d}d{seconds % 86400 // 3600:02d}h"
    if seconds > 3600:
        return f"{seconds // 3600:02d}h{seconds % 3600 // 60:02d}m"
    if seconds > 60:
        return f"{seconds // 60:02d}m{seconds % 60:02d}s"
    return f"   {seconds:02d}s"


def fetch_line(
    path: str,
    received: int,
    total: int | None,
    start: float,
    end: float,
    *,
    terminal: bool = False,
) -> str:
    """The line fetch(1) ends a download with: path, size, mean rate, time (or time left).

    ``start`` and ``end`` are wall-clock seconds; like fetch, the time is counted in
    whole seconds of the clock and the rate over the exact interval. On a terminal
    fetch cuts the path at 46 characters.
    """
    delta = end - start
    rate = "?? Bps" if delta == 0 else f"{fetch_bytes(int(received / delta))}ps"
    elapsed = int(end) - int(start)
    left = (total - received) if total is not None else -1
    eta = int(elapsed * left / received) if received else 0
    name = f"{path:<{_NAME_WIDTH}.{_NAME_WIDTH}}" if terminal else f"{path:<{_NAME_WIDTH}}"
    return f"{name}        {fetch_bytes(received)} {rate} {fetch_seconds(max(eta, 0) or elapsed)}"


class _Fetch:
    """Follows one download; on a terminal it also draws the progress line."""

    def __init__(self, path: str, line: _Line | None) -> None:
        self.path = path
        self.line = line
        self.start: float | None = None
        self.received = 0
        self.total: int | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if done == 0:
            # a transfer opens (again, on a retry: fetch(1) showed a line per run)
            self.end()
            self.start = time.time()
        self.received, self.total = done, total
        if self.line is not None:
            self.line(done, total)

    def end(self) -> None:
        if self.start is None:
            return  # nothing was opened: fetch(1) prints only its error then
        start, self.start = self.start, None
        if self.line is not None:
            self.line.clear()
        end = time.time()
        terminal = self.line is not None
        text = fetch_line(self.path, self.received, self.total, start, end, terminal=terminal)
        echo(text, err=True)


@contextlib.contextmanager
def fetching(path: str) -> Iterator[Progress | None]:
    """A download into ``path`` as upstream's fetch(1) shows it, on a terminal or not.

    A progress line on a terminal, and at the end, in every case, fetch's summary on
    stderr: ``<path>  <size> <rate> <seconds>``.
    """
    follow = _Fetch(path, _Line(Path(path).name) if sys.stderr.isatty() else None)
    try:
        yield follow
    finally:
        follow.end()
