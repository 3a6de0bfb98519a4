"""The .xz container, written and read block by block so that every core can work on it.

Writing: the input is cut into blocks of three times the LZMA2 dictionary (what
``xz -T0`` does), each block is compressed on its own in a worker thread (liblzma
releases the GIL) and written in order as one xz stream. Each block header carries
the compressed and uncompressed sizes, which ``xz -d -T0`` needs to decode in parallel
(Python's own ``.xz`` writer leaves them out), and each block is checked with CRC32.

Reading: the stream footers and indexes at the end of the file locate every block of
every concatenated stream; each block is wrapped into a one-block stream of its own
and decoded by liblzma, which verifies the header CRCs, the sizes, the block check and
the index record. Blocks decode in parallel, in a bounded window, and come out in order.

Memory stays bounded by ``workers + 1`` blocks in flight, whatever the image size.
"""

from __future__ import annotations

import contextlib
import lzma
import os
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from pot.errors import ImageError
from pot.record import record

# typing is imported for type checking only: at run time it costs more than it gives
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, TypeVar

    T = TypeVar("T")
    R = TypeVar("R")

MAGIC = b"\xfd7zXZ\x00"
FOOTER_MAGIC = b"YZ"
# stream flags: no flags in the first byte, check type 1 (CRC32) in the second
CRC32_FLAGS = b"\x00\x01"
LZMA2_ID = 0x21
HEADER_SIZE = 12
FOOTER_SIZE = 12

# liblzma's dictionary size for each preset (xz(1), "Presets"); written into the
# block headers, so it must be the one the encoder really uses: we pass it explicitly
PRESET_DICT = (
    256 << 10,
    1 << 20,
    2 << 20,
    4 << 20,
    4 << 20,
    8 << 20,
    8 << 20,
    16 << 20,
    32 << 20,
    64 << 20,
)
# a block larger than this is decoded as a stream on the caller's thread instead of
# whole in a worker (xz -9 -T0 writes 192 MiB blocks; single-threaded xz one huge block)
PARALLEL_BLOCK_LIMIT = 256 << 20
READ_PIECE = 1 << 20
# below this, cutting the last block for the other workers is not worth a block header
MIN_TAIL_PART = 1 << 20


def cpu_workers() -> int:
    """The cores this process may run on (what ``xz -T0`` uses)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def block_size(level: int) -> int:
    """xz's default block size in threaded mode: three dictionaries, at least 1 MiB."""
    return max(3 * PRESET_DICT[level], 1 << 20)


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], *, workers: int, window: int, wait: bool = False
) -> Generator[R, None, None]:
    """fn over items in a thread pool, results in input order, at most window pending.

    Items are pulled from the iterable only when a slot is free, so a reader behind
    it never runs more than window items ahead of the consumer. When the consumer
    stops early, queued items are cancelled; running ones finish in the background
    unless wait is set (for work that uses a resource the caller is about to close).
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pot-xz")
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=wait, cancel_futures=True)


# ---------------------------------------------------------------- encoding helpers


def varint(n: int) -> bytes:
    """xz's multibyte integer: 7 bits a byte, least significant first."""
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _crc(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "little")


def _pad4(n: int) -> bytes:
    return b"\x00" * (-n % 4)


def dict_property(size: int) -> int:
    """The LZMA2 property byte: the smallest encodable dictionary >= size."""
    for prop in range(40):
        if (2 | (prop & 1)) << (prop // 2 + 11) >= size:
            return prop
    return 40


def stream_header(flags: bytes = CRC32_FLAGS) -> bytes:
    return MAGIC + flags + _crc(flags)


def stream_footer(index_size: int, flags: bytes = CRC32_FLAGS) -> bytes:
    body = (index_size // 4 - 1).to_bytes(4, "little") + flags
    return _crc(body) + body + FOOTER_MAGIC


def index(records: Iterable[tuple[int, int]]) -> bytes:
    """The index of (unpadded size, uncompressed size) records, padded and CRC'd."""
    recs = list(records)
    body = b"\x00" + varint(len(recs)) + b"".join(varint(u) + varint(n) for u, n in recs)
    body += _pad4(len(body))
    return body + _crc(body)


def block_header(compressed: int, uncompressed: int, dict_size: int) -> bytes:
    # flags: one filter (bits 0-1 = 0), compressed (0x40) and uncompressed (0x80) sizes present
    fields = varint(compressed) + varint(uncompressed)
    filters = varint(LZMA2_ID) + varint(1) + bytes([dict_property(dict_size)])
    body_len = 2 + len(fields) + len(filters)
    size = body_len + (-body_len % 4) + 4
    body = bytes([size // 4 - 1, 0xC0]) + fields + filters + _pad4(body_len)
    return body + _crc(body)


@record
class EncodedBlock:
    """One compressed block: its parts are written one after the other."""

    parts: tuple[bytes, ...]
    unpadded: int
    uncompressed: int


def encode_block(chunk: bytes, level: int) -> EncodedBlock:
    """Compress one block as raw LZMA2 and frame it with header, padding and CRC32."""
    dict_size = PRESET_DICT[level]
    data = lzma.compress(
        chunk,
        format=lzma.FORMAT_RAW,
        filters=[{"id": lzma.FILTER_LZMA2, "preset": level, "dict_size": dict_size}],
    )
    header = block_header(len(data), len(chunk), dict_size)
    tail = _pad4(len(data)) + _crc(chunk)
    return EncodedBlock((header, data, tail), len(header) + len(data) + 4, len(chunk))


def read_chunks(source: IO[bytes], size: int, *, tail_parts: int = 1) -> Iterator[bytes]:
    """Fixed-size chunks of source; a short last chunk comes cut into tail_parts pieces.

    Cutting the tail lets every worker take a share of the last block instead of one
    worker compressing it alone while the others idle (a block at -6 takes seconds).
    """
    while True:
        chunk = _read_full(source, size)
        if len(chunk) == size:
            yield chunk
            continue
        if not chunk:
            return
        parts = max(1, min(tail_parts, len(chunk) // MIN_TAIL_PART))
        step = -(-len(chunk) // parts)
        for pos in range(0, len(chunk), step):
            yield chunk[pos : pos + step]
        return


def _read_full(source: IO[bytes], size: int) -> bytes:
    """Up to size bytes, fewer only at end of input (a pipe may return less per read)."""
    chunk = source.read(size)
    while chunk and len(chunk) < size:
        more = source.read(size - len(chunk))
        if not more:
            break
        chunk += more
    return chunk


def compress(
    source: IO[bytes],
    write: Callable[[bytes], object],
    *,
    level: int = 6,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Compress source into one xz stream passed piece by piece to write; return its size.

    write sees every byte of the .xz exactly once and in order (the hash rides on it);
    progress, if given, gets the input bytes done so far after each block.
    """
    if not 0 <= level <= 9:
        raise ValueError(f"xz level must be 0-9, not {level}")
    n = workers or cpu_workers()
    written = 0

    def emit(data: bytes) -> None:
        nonlocal written
        write(data)
        written += len(data)

    emit(stream_header())
    records: list[tuple[int, int]] = []
    consumed = 0
    blocks = ordered_map(
        lambda chunk: encode_block(chunk, level),
        read_chunks(source, block_size(level), tail_parts=n),
        workers=n,
        window=n + 1,
    )
    # closing: a failing write must cancel the queued blocks now, not when collected
    with contextlib.closing(blocks):
        for block in blocks:
            for part in block.parts:
                emit(part)
            records.append((block.unpadded, block.uncompressed))
            consumed += block.uncompressed
            if progress is not None:
                progress(consumed)
    idx = index(records)
    emit(idx)
    emit(stream_footer(len(idx)))
    return written


# ---------------------------------------------------------------- decoding


@record
class BlockRef:
    """Where one block lies in the file and what its stream's index says about it."""

    offset: int
    unpadded: int
    uncompressed: int
    flags: bytes  # of the stream it belongs to (the check type)

    @property
    def length(self) -> int:
        return self.unpadded + (-self.unpadded % 4)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        if pos + i >= len(buf):
            break
        byte = buf[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, pos + i + 1
    raise ImageError("corrupt xz index")


def _pread(fd: int, offset: int, size: int) -> bytes:
    if offset < 0:
        raise ImageError("truncated or not an xz file")
    data = os.pread(fd, size, offset)
    if len(data) != size:
        raise ImageError("truncated or not an xz file")
    return data


def _parse_index(raw: bytes) -> list[tuple[int, int]]:
    if raw[0] != 0 or _crc(raw[:-4]) != raw[-4:]:
        raise ImageError("corrupt xz index")
    count, pos = _read_varint(raw, 1)
    records = []
    for _ in range(count):
        unpadded, pos = _read_varint(raw, pos)
        uncompressed, pos = _read_varint(raw, pos)
        records.append((unpadded, uncompressed))
    if pos + (-pos % 4) != len(raw) - 4 or any(raw[pos:-4]):
        raise ImageError("corrupt xz index")
    return records


def _stream_blocks(fd: int, end: int) -> tuple[int, list[BlockRef]]:
    """Parse the stream that ends at end; return its start and its blocks."""
    footer = _pread(fd, end - FOOTER_SIZE, FOOTER_SIZE)
    if footer[10:] != FOOTER_MAGIC or _crc(footer[4:10]) != footer[:4]:
        raise ImageError("truncated or not an xz file")
    flags = footer[8:10]
    index_size = (int.from_bytes(footer[4:8], "little") + 1) * 4
    index_start = end - FOOTER_SIZE - index_size
    records = _parse_index(_pread(fd, index_start, index_size))
    blocks_size = sum(u + (-u % 4) for u, _ in records)
    start = index_start - blocks_size - HEADER_SIZE
    header = _pread(fd, start, HEADER_SIZE)
    if header != stream_header(flags):
        raise ImageError("corrupt xz stream header")
    refs, offset = [], start + HEADER_SIZE
    for unpadded, uncompressed in records:
        refs.append(BlockRef(offset, unpadded, uncompressed, flags))
        offset += unpadded + (-unpadded % 4)
    return start, refs


def layout(fd: int) -> list[BlockRef]:
    """Every block of every stream of an .xz file, in file order."""
    end = os.fstat(fd).st_size
    if end < HEADER_SIZE + FOOTER_SIZE:
        raise ImageError("truncated or not an xz file")
    streams: list[list[BlockRef]] = []
    while end > 0:
        # stream padding after a stream: zero bytes in groups of four
        while end >= 4 and _pread(fd, end - 4, 4) == b"\x00\x00\x00\x00":
            end -= 4
        if end == 0:  # padding with no stream before it
            raise ImageError("truncated or not an xz file")
        end, refs = _stream_blocks(fd, end)
        streams.append(refs)
    return [ref for refs in reversed(streams) for ref in refs]


def _frames(fd: int, ref: BlockRef) -> Iterator[bytes]:
    """The block as a one-block xz stream of its own, in pieces."""
    yield stream_header(ref.flags)
    for pos in range(ref.offset, ref.offset + ref.length, READ_PIECE):
        yield _pread(fd, pos, min(READ_PIECE, ref.offset + ref.length - pos))
    idx = index([(ref.unpadded, ref.uncompressed)])
    yield idx + stream_footer(len(idx), ref.flags)


def decode_block(fd: int, ref: BlockRef, emit: Callable[[bytes], object]) -> None:
    """Decode one block, passing output pieces of at most READ_PIECE bytes to emit."""
    dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    try:
        for frame in _frames(fd, ref):
            out = dec.decompress(frame, max_length=READ_PIECE)
            while out:
                emit(out)
                out = b"" if dec.needs_input else dec.decompress(b"", max_length=READ_PIECE)
    except lzma.LZMAError as exc:
        raise ImageError(f"corrupt xz data: {exc}") from exc
    if not dec.eof or dec.unused_data:
        raise ImageError("corrupt xz data: block does not end where its index says")


def _decode_whole(fd: int, ref: BlockRef) -> list[bytes]:
    pieces: list[bytes] = []
    decode_block(fd, ref, pieces.append)
    return pieces


def _runs(refs: list[BlockRef]) -> Iterator[tuple[list[BlockRef], BlockRef | None]]:
    """Split refs into runs of pool-sized blocks, each followed by one large block or None."""
    run: list[BlockRef] = []
    for ref in refs:
        if ref.uncompressed <= PARALLEL_BLOCK_LIMIT:
            run.append(ref)
        else:
            yield run, ref
            run = []
    yield run, None


def decompress(fd: int, write: Callable[[bytes], object], *, workers: int | None = None) -> None:
    """Decode the .xz open at fd into write, in order.

    Blocks up to PARALLEL_BLOCK_LIMIT are decoded in a pool; a larger block is
    streamed on this thread once the blocks before it are out.
    """
    n = workers or cpu_workers()
    for run, large in _runs(layout(fd)):
        # wait: the workers read fd, which the caller closes when this returns or raises
        decoded = ordered_map(
            lambda ref: _decode_whole(fd, ref), run, workers=n, window=n + 1, wait=True
        )
        # closing: a failing sink must stop the workers before the caller closes fd
        with contextlib.closing(decoded):
            for pieces in decoded:
                for piece in pieces:
                    write(piece)
        if large is not None:
            decode_block(fd, large, write)
