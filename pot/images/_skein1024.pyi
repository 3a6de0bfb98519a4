"""Skein-1024-1024, as FreeBSD's skein1024 computes it (C extension, _skein1024.c)."""

from typing import final

# a stub is never imported at run time: Buffer (PEP 688) from typing_extensions costs nothing
from typing_extensions import Buffer

@final
class skein1024:  # lowercase like hashlib's constructors
    """A Skein-1024 hasher with a 1024-bit output; update releases the GIL for large data."""

    digest_size: int
    block_size: int
    name: str

    def __init__(self, data: Buffer = ..., /) -> None: ...
    def update(self, data: Buffer, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...
    def copy(self) -> skein1024: ...
