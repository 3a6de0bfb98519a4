"""Paths inside a pot, resolved on the host the way the jail would see them.

A pot's tree may hold symlinks that mean something else on the host (``etc -> /etc``
is the pot's own ``/etc`` inside the jail, the host's outside). Everything the host
side of pot does in a pot's tree goes through :func:`resolve`: absolute link targets
start again at the pot's root, and a ``..`` that would climb above the root is refused
(a jail would clamp it at its root; a host path must never get there).
"""

from __future__ import annotations

import errno
import os
import stat
from collections import deque
from pathlib import Path

# symlinks followed in one resolution before it counts as a loop (FreeBSD's MAXSYMLINKS)
MAX_LINKS = 32


class OutsideRoot(Exception):
    """A ``..`` (in the path or in a link target) climbs above the pot's root."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Missing(FileNotFoundError):
    """A component does not exist; ``host_path`` is where it would be (parent resolved)."""

    def __init__(self, path: str, host_path: Path) -> None:
        super().__init__(errno.ENOENT, os.strerror(errno.ENOENT), path)
        self.host_path = host_path


def resolve(root: Path, path: str, *, strict: bool = True) -> Path:
    """The host path of ``path`` as seen inside a jail rooted at ``root``, links resolved.

    With ``strict`` every component must exist (``realpath``); raises :class:`Missing`
    otherwise. Without it, a missing component and whatever follows it are taken as
    written (a file about to be created). Raises :class:`OutsideRoot`, and OSError
    (ELOOP, ENOTDIR) where the kernel would.
    """
    return root.joinpath(*_Walk(root, path, strict=strict).run())


def inside(root: Path, host_path: Path) -> str:
    """The in-pot spelling (``/a/b``) of a host path below root."""
    rel = host_path.relative_to(root).as_posix()
    return "/" if rel == "." else "/" + rel


def make_dirs(root: Path, path: str, mode: int = 0o755) -> Path:
    """``mkdir -p`` inside the pot: create the missing directories, never through a link
    that leads out of it; returns the resolved host path.
    """
    while True:
        try:
            return resolve(root, path)
        except Missing as exc:
            os.mkdir(exc.host_path, mode)


def _components(path: str) -> list[str]:
    return [c for c in path.split("/") if c not in ("", ".")]


class _Walk:
    """One resolution: components still to do, components done (relative to root)."""

    def __init__(self, root: Path, path: str, *, strict: bool) -> None:
        self.root = root
        self.path = path
        self.strict = strict
        self.todo = deque(_components(path))
        self.done: list[str] = []
        # index in done from which the components do not exist (None: all exist so far)
        self.missing_from: int | None = None
        self.links = 0

    def run(self) -> list[str]:
        while self.todo:
            name = self.todo.popleft()
            if name == "..":
                self._up()
            elif self.missing_from is not None:
                self.done.append(name)
            else:
                self._step(name)
        return self.done

    def _up(self) -> None:
        if not self.done:
            raise OutsideRoot(self.path)
        self.done.pop()
        if self.missing_from is not None and len(self.done) <= self.missing_from:
            self.missing_from = None

    def _step(self, name: str) -> None:
        host = self.root.joinpath(*self.done, name)
        try:
            mode = os.lstat(host).st_mode
        except FileNotFoundError:
            if self.strict:
                raise Missing(self.path, host) from None
            self.missing_from = len(self.done)
            self.done.append(name)
            return
        if stat.S_ISLNK(mode):
            self._follow(host)
        elif self.todo and not stat.S_ISDIR(mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), self.path)
        else:
            self.done.append(name)

    def _follow(self, link: Path) -> None:
        self.links += 1
        if self.links > MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), self.path)
        target = os.readlink(link)
        if target.startswith("/"):
            self.done.clear()  # absolute targets start again at the pot's root
        self.todo.extendleft(reversed(_components(target)))
