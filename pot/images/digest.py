"""Skein-1024-1024, printed as FreeBSD's ``skein1024 -q`` prints it.

The hashing is our own C extension (_skein1024.c, written from the Skein 1.3
specification). It releases the GIL while it hashes a large buffer, so hashing the
compressed output on the writer thread overlaps with the compression threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from pot.images._skein1024 import skein1024

READ_SIZE = 1 << 20


class Hasher(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...

    def hexdigest(self) -> str: ...


def new() -> Hasher:
    """A fresh Skein-1024 hasher with a 1024-bit output."""
    return skein1024()


def line(hasher: Hasher) -> bytes:
    """The digest as ``skein1024 -q`` prints it: 256 lowercase hex digits and a newline."""
    return hasher.hexdigest().encode("ascii") + b"\n"


def update_from_file(hasher: Hasher, path: Path) -> int:
    """Feed the whole file to hasher; return its size."""
    buf = bytearray(READ_SIZE)
    view = memoryview(buf)
    total = 0
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buf):
            hasher.update(view[:n])
            total += n
    return total


def of_files(paths: Iterable[Path]) -> bytes:
    """The digest line of the files' contents, one after the other."""
    hasher = new()
    for path in paths:
        update_from_file(hasher, path)
    return line(hasher)
