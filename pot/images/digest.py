"""Skein-1024-1024, printed as FreeBSD's ``skein1024 -q`` prints it.

pyskein wraps C code derived from the Skein reference implementation and releases the
GIL while hashing, so hashing the compressed output on the writer thread overlaps with
the compression threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import skein  # type: ignore[import-untyped]  # pyskein ships no type information

DIGEST_BITS = 1024
READ_SIZE = 1 << 20


class Hasher(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...

    def hexdigest(self) -> str: ...


def new() -> Hasher:
    """A fresh Skein-1024 hasher with a 1024-bit output."""
    hasher: Hasher = skein.skein1024(digest_bits=DIGEST_BITS)
    return hasher


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
