"""Our .xz images read by an independent implementation (python-xz), and the other way.

python-xz parses the stream footer, index and block headers itself and offers random
access by block: it checks the block boundaries our writer records in the index and
our reader's layout against a second reading of the format, as pyskein does for Skein.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest

from pot.images import xz as ours

pyxz = pytest.importorskip("xz", reason="python-xz (the dev extra) is not installed")

MIB = 1 << 20


def _payload(size: int) -> bytes:
    """Half noise, half text: blocks that compress differently."""
    rng = random.Random(20260601)
    noise = rng.randbytes(size // 2)
    text = b"".join(b"line %08d of a pot image\n" % i for i in range(size // 2 // 26 + 1))
    return (noise + text)[:size]


def _our_image(tmp_path: Path, data: bytes) -> Path:
    out = io.BytesIO()
    ours.compress(io.BytesIO(data), out.write, level=0, workers=2)
    path = tmp_path / "image.xz"
    path.write_bytes(out.getvalue())
    return path


def _our_layout(path: Path) -> list[ours.BlockRef]:
    fd = os.open(path, os.O_RDONLY)
    try:
        return ours.layout(fd)
    finally:
        os.close(fd)


def _our_decode(path: Path) -> bytes:
    out = bytearray()
    fd = os.open(path, os.O_RDONLY)
    try:
        ours.decompress(fd, out.extend, workers=2)
    finally:
        os.close(fd)
    return bytes(out)


def test_python_xz_reads_our_image_block_by_block(tmp_path: Path) -> None:
    data = _payload(3 * ours.block_size(0) + 12345)
    path = _our_image(tmp_path, data)
    refs = _our_layout(path)
    assert len(refs) == 4
    starts = [sum(r.uncompressed for r in refs[:i]) for i in range(len(refs))]
    with pyxz.open(path) as f:
        # the block boundaries of our index, as python-xz finds them
        assert list(f.block_boundaries) == starts
        assert list(f.stream_boundaries) == [0]
        assert f.read() == data
        # random access across block boundaries
        for offset in (0, starts[1] - 7, starts[2], starts[3] + 1, len(data) - 3):
            f.seek(offset)
            assert f.read(100) == data[offset : offset + 100]


def test_we_read_python_xz_images_with_several_blocks_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "theirs.xz"
    parts = [_payload(300_000), b"second block", _payload(70_000)[::-1], b"new stream"]
    with pyxz.open(path, "w", preset=0) as f:
        f.write(parts[0])
        f.change_block()
        f.write(parts[1])
        f.change_block()
        f.write(parts[2])
        f.change_stream()
        f.write(parts[3])
    refs = _our_layout(path)
    assert [r.uncompressed for r in refs] == [len(p) for p in parts]
    with pyxz.open(path) as f:
        theirs = list(f.block_boundaries)
    assert theirs == [sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    assert _our_decode(path) == b"".join(parts)
