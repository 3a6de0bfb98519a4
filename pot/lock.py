"""Locks shared with upstream pot: ``flock`` on the same files, so both can run side by side.

Upstream re-executes itself under ``lockf -k /tmp/pot-lock-file`` for create, import,
clone, create-private-bridge, prepare and copy-in, and exports ``_POT_RECURSIVE=1`` so
that nested pot processes skip the lock. FreeBSD's lockf(1) takes an flock(2) lock,
which is what we take too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from pot.errors import LockTimeout

# set while the global lock is held; inherited by every process we start
RECURSIVE_ENV = "_POT_RECURSIVE"


@contextlib.contextmanager
def flocked(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive flock on path; wait forever unless a timeout is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, path: Path, timeout: float | None) -> None:
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(f"cannot lock {path}: held by another pot process") from None
            time.sleep(0.05)


@contextlib.contextmanager
def global_lock(path: Path) -> Iterator[None]:
    """Upstream's global lock, skipped when an outer pot process holds it already."""
    if os.environ.get(RECURSIVE_ENV) == "1":
        yield
        return
    with flocked(path):
        os.environ[RECURSIVE_ENV] = "1"
        try:
            yield
        finally:
            os.environ.pop(RECURSIVE_ENV, None)
