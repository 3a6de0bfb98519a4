"""Skein-1024-1024, printed as FreeBSD's ``skein1024 -q`` prints it.

The hashing is our own C extension (_skein1024.c, written from the Skein 1.3
specification). It releases the GIL while it hashes a large buffer, so hashing the
compressed output on the writer thread overlaps with the compression threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pot.images._skein1024 import skein1024

# typing is imported for type checking only: at run time it costs more than it gives
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Hasher(Protocol):
        def update(self, data: bytes | bytearray | memoryview, /) -> None: ...

        def hexdigest(self) -> str: ...


READ_SIZE = 1 << 20


def new() -> Hasher:
    """A fresh Skein-1024 hasher with a 1024-bit output."""
    return skein1024()


@contextlib.contextmanager
def fed_behind(hasher: Hasher) -> Iterator[Callable[[bytes], None]]:
    """A feeder that hashes each chunk on a helper thread while the caller goes on.

    One chunk is in flight at a time, in order: the caller's next read or write (a copy
    into the cache) overlaps with the hashing of the chunk before it. On leaving, the
    last chunk is hashed (or its failure raised).
    """
    pending: list[Future[None]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pot-hash") as pool:

        def feed(chunk: bytes) -> None:
            if pending:
                pending.pop().result()
            pending.append(pool.submit(hasher.update, chunk))

        yield feed
        if pending:
            pending.pop().result()


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
