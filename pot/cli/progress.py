"""Download/stream progress on stderr: only on a terminal, at most a few updates a second."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator

import click

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
        click.echo("\r" + text.ljust(self.width), nl=False, err=True)
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            click.echo("\r" + " " * self.width + "\r", nl=False, err=True)
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
