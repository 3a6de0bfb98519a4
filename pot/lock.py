"""Locks shared with upstream pot: ``flock`` on the same files, so both can run side by side.

Upstream re-executes itself under ``lockf -k /tmp/pot-lock-file`` for create, import,
clone, create-private-bridge, prepare and copy-in, and exports ``_POT_RECURSIVE=1`` so
that nested pot processes skip the lock. FreeBSD's lockf(1) takes an flock(2) lock,
which is what we take too.

Per-pot locks are transient files: upstream's set-status runs under ``lockf
POT_TMP/pot-lock-<pot>`` (without ``-k``: the file is removed afterwards), and our own
command lock of a pot lives in ``POT_TMP/pot-locks/<pot>``. Both are unlinked while still
held, so they do not pile up; a waiter that wakes up holding the lock of an unlinked file
notices (the path no longer names its inode) and starts again, as FreeBSD's lockf does.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from pot.errors import LockTimeout, PotError

# set while the global lock is held; inherited by every process we start
RECURSIVE_ENV = "_POT_RECURSIVE"
# the per-pot lock files held by this process or a pot process above it (newline separated),
# so that a nested pot command (a flavour's, start's clean-up stop) does not wait for itself
HELD_ENV = "_POT_HELD_LOCKS"
# the pots this process or a pot process above it is making (newline separated datasets)
MAKING_ENV = "_POT_MAKING"


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


@contextlib.contextmanager
def transient(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive flock on ``path``, a file that exists only while it is held."""
    fd = _open_current(path, timeout)
    try:
        yield
    finally:
        # unlinked before it is released: whoever waits on this inode retries
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _open_current(path: Path, timeout: float | None) -> int:
    """A locked descriptor of the file ``path`` names now (not of an unlinked one)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            _acquire(fd, path, left)
            if _same_file(fd, path):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    held = os.fstat(fd)
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


@contextlib.contextmanager
def pot_lock(folder: Path, pot: str, *, timeout: float | None = None) -> Iterator[None]:
    """The command lock of one pot: ``folder/<pot>``; re-entrant for nested pot commands."""
    if not _file_name(pot):
        # no pot can have such a name: the command's own check refuses it
        yield
        return
    path = folder / pot
    held = os.environ.get(HELD_ENV, "")
    if str(path) in held.split("\n"):
        yield
        return
    if not _lock_folder(folder):
        # only root can change pots: the command's own root check refuses this user
        yield
        return
    with transient(path, timeout=timeout):
        os.environ[HELD_ENV] = f"{held}\n{path}" if held else str(path)
        try:
            yield
        finally:
            if held:
                os.environ[HELD_ENV] = held
            else:
                os.environ.pop(HELD_ENV, None)


@contextlib.contextmanager
def making(key: str) -> Iterator[None]:
    """Mark ``key`` (a pot's dataset) as being made by this process and the pot processes
    it starts (a flavour's commands), which may use it before it is complete."""
    before = os.environ.get(MAKING_ENV, "")
    os.environ[MAKING_ENV] = f"{before}\n{key}" if before else key
    try:
        yield
    finally:
        if before:
            os.environ[MAKING_ENV] = before
        else:
            os.environ.pop(MAKING_ENV, None)


def is_making(key: str) -> bool:
    """Whether this process or a pot process above it is making ``key``."""
    return key in os.environ.get(MAKING_ENV, "").split("\n")


def _file_name(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and len(os.fsencode(name)) <= 255


def _lock_folder(folder: Path) -> bool:
    """Make the lock folder; False when this user may not; refuse a link or a folder of
    another user than root or this one (POT_TMP may be a world-writable /tmp)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except PermissionError:
        return False
    except OSError as exc:
        raise PotError(f"cannot make the lock folder {folder}: {exc.strerror}") from exc
    if not stat.S_ISDIR(st.st_mode) or st.st_uid not in (0, os.geteuid()):
        raise PotError(f"{folder} is not a folder of this user: refusing to lock there")
    return os.access(folder, os.W_OK | os.X_OK)
