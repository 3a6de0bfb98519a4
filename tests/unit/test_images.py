"""pot.images: xz container, Skein hash, signify signatures, atomic image files.

The "send stream" is made of random and compressible bytes; xz, xzcat and
signify-openbsd are the independent judges of what we write and read.
"""

from __future__ import annotations

import io
import os
import pty
import random
import re
import select
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import skein  # type: ignore[import-untyped]

from pot import images
from pot.errors import ImageError
from pot.images import digest, signify, xz

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# ---------------------------------------------------------------- helpers


def need(tool: str) -> str:
    """The tool's path; a missing tool fails in CI and skips elsewhere."""
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} not installed (apt-get install xz-utils signify-openbsd)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def stream_bytes(size: int, seed: int = 1) -> bytes:
    """Half random, half repetitive text: like a send stream of binaries and configs."""
    rnd = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += rnd.randbytes(4096)
        out += b"".join(b"line %d of some config file\n" % rnd.randrange(50) for _ in range(200))
    return bytes(out[:size])


def reference_skein(*parts: bytes) -> bytes:
    """skein1024 -q, computed straight with pyskein over the concatenated bytes."""
    hexdigest: str = skein.skein1024(b"".join(parts), digest_bits=1024).hexdigest()
    return hexdigest.encode() + b"\n"


def run(*argv: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(a) for a in argv], input=stdin, capture_output=True, check=False)


def make_image(
    tmp_path: Path, data: bytes, *, meta: str = "-", level: int = 1
) -> images.ImagePaths:
    return images.write_image(io.BytesIO(data), tmp_path, "web", "1.0", meta, level=level)


def upstream_image(folder: Path, data: bytes, meta: bytes | None, *xz_args: str) -> Path:
    """An image made upstream's way: the xz binary, echo > .meta, skein over both."""
    folder.mkdir(exist_ok=True)
    target = folder / "up_2.0.xz"
    r = run(need("xz"), *xz_args, "-c", stdin=data)
    assert r.returncode == 0, r.stderr
    target.write_bytes(r.stdout)
    if meta is None:
        (folder / "up_2.0.xz.skein").write_bytes(reference_skein(r.stdout))
    else:
        (folder / "up_2.0.xz.meta").write_bytes(meta)
        (folder / "up_2.0.xz.skein").write_bytes(reference_skein(r.stdout, meta))
    return target


def decompressed(path: Path, workers: int | None = None) -> bytes:
    sink = io.BytesIO()
    images.decompress_into(path, sink, workers=workers)
    return sink.getvalue()


def signify_keys(folder: Path, name: str = "key") -> tuple[Path, Path]:
    pub, sec = folder / f"{name}.pub", folder / f"{name}.sec"
    r = run(need("signify-openbsd"), "-G", "-n", "-p", pub, "-s", sec)
    assert r.returncode == 0, r.stderr
    return pub, sec


# ---------------------------------------------------------------- Skein

# FreeBSD's own expectations for skein1024 (sbin/md5/tests/md5_test.sh): what
# `skein1024 -q` prints for these inputs, without the newline
FREEBSD_SKEIN1024 = {
    b"": "0fff9563bb3279289227ac77d319b6fff8d7e9f09da1247b72a0a265cd6d2a62"
    "645ad547ed8193db48cff847c06494a03f55666d3b47eb4c20456c9373c86297"
    "d630d5578ebd34cb40991578f9f52b18003efa35d3da6553ff35db91b81ab890"
    "bec1b189b7f52cb2a783ebb7d823d725b0b4a71f6824e88f68f982eefc6d19c6",
    b"a": "6ab4c4ba9814a3d976ec8bffa7fcc638ceba0544a97b3c98411323ffd2dc9363"
    "15d13dc93c13c4e88cda6f5bac6f2558b2d8694d3b6143e40d644ae43ca94068"
    "5cb37f809d3d0550c56cba8036dee729a4f8fb960732e59e64d57f7f7710f867"
    "0963cdcdc95b41daab4855fcf8b6762a64b173ee61343a2c7689af1d293eba97",
    b"abc": "35a599a0f91abcdb4cb73c19b8cb8d947742d82c309137a7caed29e8e0a2ca7a"
    "9ff9a90c34c1908cc7e7fd99bb15032fb86e76df21b72628399b5f7c3cc209d7"
    "bb31c99cd4e19465622a049afbb87c03b5ce3888d17e6e667279ec0aa9b3e271"
    "2624c01b5f5bbe1a564220bdcf6990af0c2539019f313fdd7406cca3892a1f1f",
    b"1234567890" * 8: "cf21a613620e6c119eca31fdfaad449a8e02f95ca256c21d2a105f8e4157048f"
    "9fe1e897893ea18b64e0e37cb07d5ac947f27ba544caf7cbc1ad094e675aed77"
    "a366270f7eb7f46543bccfa61c526fd628408058ed00ed566ac35a9761d002e6"
    "29c4fb0d430b2f4ad016fcc49c44d2981c4002da0eecc42144160e2eaea4855a",
}


@pytest.mark.parametrize("message", list(FREEBSD_SKEIN1024))
def test_skein_line_is_freebsd_skein1024_q(message: bytes) -> None:
    hasher = digest.new()
    hasher.update(message)
    assert digest.line(hasher) == FREEBSD_SKEIN1024[message].encode() + b"\n"


def test_skein_of_files_hashes_them_one_after_the_other(tmp_path: Path) -> None:
    data = stream_bytes(3 * digest.READ_SIZE + 17)
    (tmp_path / "a").write_bytes(data)
    (tmp_path / "b").write_bytes(b"-\n")
    assert digest.of_files([tmp_path / "a", tmp_path / "b"]) == reference_skein(data, b"-\n")


# ---------------------------------------------------------------- xz container


def test_varint_and_dict_property_match_the_xz_format() -> None:
    assert xz.varint(0) == b"\x00"
    assert xz.varint(127) == b"\x7f"
    assert xz.varint(128) == b"\x80\x01"
    assert xz.varint(300) == b"\xac\x02"
    assert [xz.dict_property(xz.PRESET_DICT[level]) for level in (0, 1, 6, 9)] == [12, 16, 22, 28]
    assert xz.dict_property(3 << 20) == 19  # 3 MiB is encodable: 3 << (9 + 11)


def test_block_size_is_three_dictionaries_like_xz_threads() -> None:
    assert xz.block_size(6) == 24 << 20
    assert xz.block_size(1) == 3 << 20
    assert xz.block_size(0) == 1 << 20


def test_read_chunks_cuts_only_the_short_tail_for_the_workers() -> None:
    src = io.BytesIO(b"x" * (10 << 20))
    sizes = [len(c) for c in xz.read_chunks(src, 4 << 20, tail_parts=2)]
    assert sizes == [4 << 20, 4 << 20, 1 << 20, 1 << 20]
    assert [len(c) for c in xz.read_chunks(io.BytesIO(b"x" * 100), 64, tail_parts=2)] == [64, 36]
    assert list(xz.read_chunks(io.BytesIO(b""), 64, tail_parts=2)) == []


class TrickleReader(io.RawIOBase):
    """A pipe-like source that returns at most 1000 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b)
        chunk = self._data.read(min(len(view), 1000))
        view[: len(chunk)] = chunk
        return len(chunk)


def test_read_chunks_fills_blocks_from_short_reads() -> None:
    data = bytes(range(256)) * 40
    chunks = list(xz.read_chunks(TrickleReader(data), 4096))  # type: ignore[arg-type]
    assert [len(c) for c in chunks] == [4096, 4096, 2048]
    assert b"".join(chunks) == data


def test_ordered_map_keeps_order_and_reads_at_most_a_window_ahead() -> None:
    pulled: list[int] = []
    consumed: list[int] = []

    def items() -> Iterator[int]:
        for i in range(20):
            pulled.append(i)
            # the consumer has taken all but the window before the next item is read
            assert len(pulled) - len(consumed) <= 3
            yield i

    for result in xz.ordered_map(lambda i: i * i, items(), workers=2, window=3):
        consumed.append(result)
    assert consumed == [i * i for i in range(20)]


def test_ordered_map_passes_worker_errors_on() -> None:
    def boom(i: int) -> int:
        if i == 3:
            raise ValueError("block 3")
        return i

    with pytest.raises(ValueError, match="block 3"):
        list(xz.ordered_map(boom, range(10), workers=2, window=3))


@pytest.mark.parametrize("level", [0, 1, 6])
def test_our_xz_passes_xz_t_and_xzcat_gives_the_input(tmp_path: Path, level: int) -> None:
    data = stream_bytes(5 << 20)
    paths = make_image(tmp_path, data, level=level)
    assert run(need("xz"), "-t", paths.xz).returncode == 0
    assert run(need("xzcat"), paths.xz).stdout == data


def test_our_blocks_carry_sizes_for_parallel_xz_decoding(tmp_path: Path) -> None:
    paths = make_image(tmp_path, stream_bytes(7 << 20), level=1)
    listing = run(need("xz"), "--robot", "--list", "-vv", paths.xz).stdout.decode()
    blocks = [line.split("\t") for line in listing.splitlines() if line.startswith("block")]
    assert len(blocks) == 3
    # the last columns: header size, size flags ("cu": both present), size, memory, filters
    assert {b[-4] for b in blocks} == {"cu"}
    assert {b[-1] for b in blocks} == {"--lzma2=dict=1MiB"}
    assert "summary\t" in listing
    assert (
        next(line for line in listing.splitlines() if line.startswith("summary")).split("\t")[2]
        == "yes"
    )


def test_empty_stream_makes_a_valid_empty_image(tmp_path: Path) -> None:
    paths = make_image(tmp_path, b"")
    assert run(need("xz"), "-t", paths.xz).returncode == 0
    assert images.verify(paths.xz) == images.Meta("-\n", present=True)
    assert decompressed(paths.xz) == b""


def test_round_trip_multi_block(tmp_path: Path) -> None:
    data = stream_bytes((10 << 20) + (1 << 19), seed=7)
    paths = make_image(tmp_path, data, level=0)
    fd = os.open(paths.xz, os.O_RDONLY)
    try:
        assert len(xz.layout(fd)) == 11  # 10 blocks of 1 MiB and a tail too small to cut
    finally:
        os.close(fd)
    assert decompressed(paths.xz, workers=2) == data
    assert decompressed(paths.xz, workers=1) == data


def test_large_blocks_stream_on_the_callers_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = stream_bytes(7 << 20)
    paths = make_image(tmp_path, data, level=1)
    monkeypatch.setattr(xz, "PARALLEL_BLOCK_LIMIT", 2 << 20)  # only the cut tail is "small"
    assert decompressed(paths.xz) == data


# ---------------------------------------------------------------- image files


def test_progress_counts_stream_bytes_both_ways(tmp_path: Path) -> None:
    data = stream_bytes((3 << 20) + 5)
    seen_write: list[int] = []
    with images.create_image(tmp_path, "web", "1.0", "-", level=0) as image:
        image.write(io.BytesIO(data), progress=seen_write.append)
    assert seen_write == [1 << 20, 2 << 20, 3 << 20, (3 << 20) + 5]
    assert images.uncompressed_size(image.paths.xz) == len(data)
    seen_read: list[int] = []
    images.decompress_into(image.paths.xz, io.BytesIO(), progress=seen_read.append)
    assert seen_read[-1] == len(data)
    assert seen_read == sorted(seen_read)


def test_write_image_makes_upstreams_three_files(tmp_path: Path) -> None:
    data = stream_bytes(2 << 20)
    paths = images.write_image(io.BytesIO(data), tmp_path, "web", "1.0", "base:1.2@1700000000")
    assert paths == images.image_paths(tmp_path, "web", "1.0")
    assert paths.xz == tmp_path / "web_1.0.xz"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "web_1.0.xz",
        "web_1.0.xz.meta",
        "web_1.0.xz.skein",
    ]
    assert paths.meta.read_bytes() == b"base:1.2@1700000000\n"
    skein_line = paths.skein.read_bytes()
    assert len(skein_line) == 257
    assert skein_line == reference_skein(paths.xz.read_bytes(), paths.meta.read_bytes())


def test_files_get_the_mode_a_shell_redirect_gives(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        paths = make_image(tmp_path, b"data")
    finally:
        os.umask(old)
    assert {p.stat().st_mode & 0o777 for p in paths.all()[:3]} == {0o644}


def test_verify_returns_the_meta(tmp_path: Path) -> None:
    paths = make_image(tmp_path, b"some stream", meta="base:1.2@1700000000")
    meta = images.verify(paths.xz)
    assert meta == images.Meta("base:1.2@1700000000\n", present=True)
    assert meta.line == "base:1.2@1700000000"


def test_meta_line_must_be_one_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="single line"):
        make_image(tmp_path, b"x", meta="a\nb")
    assert list(tmp_path.iterdir()) == []


def test_upstream_made_multi_block_image_verifies_and_decompresses(tmp_path: Path) -> None:
    data = stream_bytes(8 << 20, seed=3)
    # -T2 forces xz's threaded mode (several blocks, sizes in headers) on any host
    image = upstream_image(tmp_path, data, b"-\n", "-1", "-T2")
    fd = os.open(image, os.O_RDONLY)
    try:
        assert len(xz.layout(fd)) == 3
    finally:
        os.close(fd)
    assert images.verify(image) == images.Meta("-\n", present=True)
    assert decompressed(image) == data


def test_upstream_level_6_image_verifies_and_decompresses(tmp_path: Path) -> None:
    data = stream_bytes(1 << 20)
    image = upstream_image(tmp_path, data, b"-\n", "-6", "-T0")
    assert images.verify(image).line == "-"
    assert decompressed(image) == data


def test_single_threaded_xz_image_without_sizes_decompresses(tmp_path: Path) -> None:
    data = stream_bytes(2 << 20)
    image = upstream_image(tmp_path, data, b"-\n", "-6", "-T1")
    assert decompressed(image) == data


def test_concatenated_streams_with_padding_decompress(tmp_path: Path) -> None:
    one, two = stream_bytes(1 << 20, seed=1), stream_bytes(1 << 20, seed=2)
    a = run(need("xz"), "-1", "-c", stdin=one).stdout
    b = run(need("xz"), "-1", "--check=sha256", "-c", stdin=two).stdout
    (tmp_path / "cat.xz").write_bytes(a + b"\x00" * 8 + b)
    assert decompressed(tmp_path / "cat.xz") == one + two


def test_image_from_before_meta_verifies_over_the_xz_alone(tmp_path: Path) -> None:
    data = stream_bytes(1 << 20)
    image = upstream_image(tmp_path, data, None, "-1")
    assert images.verify(image) == images.Meta("", present=False)
    assert decompressed(image) == data


def test_missing_meta_of_a_meta_image_is_refused(tmp_path: Path) -> None:
    paths = make_image(tmp_path, b"stream")
    paths.meta.unlink()
    with pytest.raises(ImageError, match=r"^The image and its hash do not overlap$"):
        images.verify(paths.xz)


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: _flip(p.xz, p.xz.stat().st_size // 2), id="xz-flipped"),
        pytest.param(lambda p: _flip(p.xz, p.xz.stat().st_size - 1), id="xz-footer"),
        pytest.param(lambda p: os.truncate(p.xz, p.xz.stat().st_size - 100), id="xz-truncated"),
        pytest.param(lambda p: p.meta.write_bytes(b"evil:1.0@1\n"), id="meta-changed"),
        pytest.param(lambda p: p.meta.write_bytes(b"-"), id="meta-newline-dropped"),
        pytest.param(lambda p: _flip(p.skein, 10), id="skein-changed"),
        pytest.param(
            lambda p: p.skein.write_bytes(p.skein.read_bytes().upper()), id="skein-uppercase"
        ),
        pytest.param(lambda p: p.skein.write_bytes(p.skein.read_bytes()[:-1]), id="skein-no-nl"),
        pytest.param(
            lambda p: p.skein.write_bytes(p.skein.read_bytes()[:-1] + b"  web_1.0.xz\n"),
            id="skein-with-name",
        ),
    ],
)
def test_tampered_images_are_refused(tmp_path: Path, tamper: object) -> None:
    paths = make_image(tmp_path, stream_bytes(2 << 20))
    tamper(paths)  # type: ignore[operator]
    with pytest.raises(ImageError) as info:
        images.verify(paths.xz)
    assert info.value.lines == ("The image and its hash do not overlap",)


def test_missing_files_are_refused_by_name(tmp_path: Path) -> None:
    paths = make_image(tmp_path, b"stream")
    paths.skein.unlink()
    with pytest.raises(ImageError, match=f"^Hash file {re.escape(str(paths.skein))} not found$"):
        images.verify(paths.xz)
    paths = make_image(tmp_path, b"stream")
    paths.xz.unlink()
    with pytest.raises(ImageError, match=f"^Image {re.escape(str(paths.xz))} not found$"):
        images.verify(paths.xz)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="truncated"),
        pytest.param(lambda d: d[:40] + bytes([d[40] ^ 0xFF]) + d[41:], id="data-flipped"),
        pytest.param(lambda d: d[:-40] + bytes([d[-40] ^ 0xFF]) + d[-39:], id="index-flipped"),
        pytest.param(lambda d: d + b"junk", id="trailing-junk"),
        pytest.param(lambda d: b"not an xz file at all, really", id="not-xz"),
        pytest.param(lambda d: b"", id="empty"),
        pytest.param(lambda d: bytes(64), id="only-padding"),
        pytest.param(lambda d: bytes(8) + d, id="padding-before-the-stream"),
    ],
)
def test_corrupt_xz_is_refused_by_decompress(tmp_path: Path, damage: object) -> None:
    paths = make_image(tmp_path, stream_bytes(3 << 20))
    paths.xz.write_bytes(damage(paths.xz.read_bytes()))  # type: ignore[operator]
    with pytest.raises(ImageError, match=r"^Image web_1\.0\.xz is corrupt: "):
        decompressed(paths.xz)


def test_block_check_mismatch_is_refused(tmp_path: Path) -> None:
    data = stream_bytes(1 << 20)
    paths = make_image(tmp_path, data)
    fd = os.open(paths.xz, os.O_RDONLY)
    ref = xz.layout(fd)[0]
    os.close(fd)
    _flip(paths.xz, ref.offset + ref.unpadded - 1)  # last byte of the block's CRC32
    with pytest.raises(ImageError, match="corrupt xz data"):
        decompressed(paths.xz)


# ---------------------------------------------------------------- atomicity


class FailingSource(io.RawIOBase):
    """A send stream that delivers some data and then raises."""

    def __init__(self, exc: BaseException, after: int) -> None:
        self._exc = exc
        self._left = after
        self._rnd = random.Random(5)

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        if self._left <= 0:
            raise self._exc
        view = memoryview(b)
        n = min(len(view), self._left, 65536)
        view[:n] = self._rnd.randbytes(n)
        self._left -= n
        return n


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), OSError(5, "Input/output error")])
def test_failing_source_leaves_no_files(tmp_path: Path, exc: BaseException) -> None:
    source = io.BufferedReader(FailingSource(exc, after=5 << 20))
    with pytest.raises(type(exc)):
        images.write_image(source, tmp_path, "web", "1.0", "-", level=0)
    assert list(tmp_path.iterdir()) == []


def test_failure_after_the_stream_leaves_no_files_and_keeps_the_old_image(
    tmp_path: Path,
) -> None:
    old = make_image(tmp_path, b"old image")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with (
        pytest.raises(RuntimeError, match="zfs send failed"),
        images.create_image(tmp_path, "web", "1.0", "-") as image,
    ):
        image.write(io.BytesIO(b"new image"))
        raise RuntimeError("zfs send failed")  # as the send context does on exit
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert images.verify(old.xz).present


def test_reexport_drops_a_stale_signature(tmp_path: Path) -> None:
    _, sec = signify_keys(tmp_path)
    images.write_image(io.BytesIO(b"v1"), tmp_path, "web", "1.0", "-", seckey=sec)
    paths = images.write_image(io.BytesIO(b"v2"), tmp_path, "web", "1.0", "-")
    assert not paths.sig.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "key.pub",
        "key.sec",
        "web_1.0.xz",
        "web_1.0.xz.meta",
        "web_1.0.xz.skein",
    ]


def test_failed_signing_leaves_no_files(tmp_path: Path) -> None:
    (tmp_path / "bad.sec").write_text("untrusted comment: x\nnot base64!\n")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ImageError, match="invalid secret key"):
        images.write_image(io.BytesIO(b"v1"), out, "web", "1.0", "-", seckey=tmp_path / "bad.sec")
    assert list(out.iterdir()) == []


def test_disk_full_is_an_image_error_and_leaves_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fdopen = os.fdopen

    def full_disk(fd: int, mode: str) -> object:
        os.close(fd)  # the temporary file exists; every write fails as on a full disk
        return real_fdopen(os.open("/dev/full", os.O_WRONLY), mode)

    monkeypatch.setattr(os, "fdopen", full_disk)
    with pytest.raises(ImageError, match=r"^cannot write .*web_1\.0\.xz: No space left on device$"):
        images.write_image(io.BytesIO(stream_bytes(3 << 20)), tmp_path, "web", "1.0", "-")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_dying_sink_stops_decompression_with_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_image(tmp_path, stream_bytes(8 << 20), level=0)
    gate = threading.Event()
    started, finished = [], []

    def decode(fd: int, ref: xz.BlockRef) -> list[bytes]:
        started.append(ref)
        if len(started) > 1:
            gate.wait(30)  # held until the sink has failed
            os.pread(fd, 1, ref.offset)  # the image is still open: raises EBADF if not
        finished.append(ref)
        return [b"x"]

    class DyingSink(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            gate.set()
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(xz, "_decode_whole", decode)
    with pytest.raises(BrokenPipeError):
        images.decompress_into(paths.xz, DyingSink(), workers=2)  # type: ignore[arg-type]
    # every decoder that started has finished: none reads the image descriptor once closed
    assert len(started) > 1
    assert sorted(r.offset for r in finished) == sorted(r.offset for r in started)


class PatternSource(io.RawIOBase):
    """size bytes of compressible data made on the fly (never all in memory)."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._rnd = random.Random(9)

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b)
        n = min(len(view), self._left, 1 << 16)
        piece = (self._rnd.randbytes(64) + b"\x00" * 192) * (n // 256 + 1)
        view[:n] = piece[:n]
        self._left -= n
        return n


def test_memory_stays_bounded_by_blocks_not_image_size(tmp_path: Path) -> None:
    size = 48 << 20  # 48 blocks at level 0
    tracemalloc.start()
    try:
        paths = images.write_image(
            io.BufferedReader(PatternSource(size)), tmp_path, "big", "1", "-", level=0
        )
        _, peak_write = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink_size = 0

        class CountingSink(io.RawIOBase):
            def writable(self) -> bool:
                return True

            def write(self, b: bytes) -> int:  # type: ignore[override]
                nonlocal sink_size
                sink_size += len(b)
                return len(b)

        images.decompress_into(paths.xz, CountingSink(), workers=2)  # type: ignore[arg-type]
        _, peak_read = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink_size == size
    # in flight: window (workers + 1 = 3) blocks of 1 MiB in and out, plus slack
    assert peak_write < 12 << 20
    assert peak_read < 12 << 20


# ---------------------------------------------------------------- signify


def test_we_verify_signatures_made_by_signify(tmp_path: Path) -> None:
    pub, sec = signify_keys(tmp_path)
    paths = make_image(tmp_path, b"stream")
    r = run(need("signify-openbsd"), "-S", "-s", sec, "-m", paths.skein)
    assert r.returncode == 0, r.stderr
    assert images.verify(paths.xz, pubkey=pub).present


def test_signify_verifies_our_signatures_and_they_are_byte_identical(tmp_path: Path) -> None:
    pub, sec = signify_keys(tmp_path)
    paths = make_image(tmp_path, b"stream")
    assert images.sign(paths.skein, sec) == paths.sig
    r = run(need("signify-openbsd"), "-V", "-p", pub, "-m", paths.skein)
    assert (r.returncode, r.stdout) == (0, b"Signature Verified\n")
    ours = paths.sig.read_bytes()
    assert ours.startswith(b"untrusted comment: verify with key.pub\n")
    # Ed25519 is deterministic: signify's own signature must be the same file
    theirs = tmp_path / "theirs.sig"
    run(need("signify-openbsd"), "-S", "-s", sec, "-m", paths.skein, "-x", theirs)
    assert ours == theirs.read_bytes()


def test_export_with_seckey_writes_a_signature(tmp_path: Path) -> None:
    pub, sec = signify_keys(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    paths = images.write_image(io.BytesIO(b"stream"), out, "web", "1.0", "-", seckey=sec)
    assert run(need("signify-openbsd"), "-V", "-p", pub, "-m", paths.skein).returncode == 0
    assert images.verify(paths.xz, pubkey=pub).line == "-"


def test_wrong_key_is_refused(tmp_path: Path) -> None:
    _, sec = signify_keys(tmp_path, "good")
    other_pub, _ = signify_keys(tmp_path, "other")
    paths = make_image(tmp_path, b"stream")
    images.sign(paths.skein, sec)
    with pytest.raises(ImageError) as info:
        images.verify(paths.xz, pubkey=other_pub)
    assert info.value.lines == ("Signature verification failed",)
    assert str(info.value.__cause__) == "verification failed: checked against wrong key"


def test_missing_signature_is_refused_when_a_key_is_given(tmp_path: Path) -> None:
    pub, _ = signify_keys(tmp_path)
    paths = make_image(tmp_path, b"stream")
    with pytest.raises(ImageError, match=f"^Signature {re.escape(str(paths.sig))} not found$"):
        images.verify(paths.xz, pubkey=pub)


def test_signature_of_another_hash_is_refused(tmp_path: Path) -> None:
    pub, sec = signify_keys(tmp_path)
    paths = make_image(tmp_path, b"stream")
    images.sign(paths.skein, sec)
    # a consistent image (hash matches) but not the one that was signed
    other = tmp_path / "other"
    other.mkdir()
    forged = make_image(other, b"forged stream")
    shutil.copy(paths.sig, forged.sig)
    with pytest.raises(ImageError, match=r"^Signature verification failed$") as info:
        images.verify(forged.xz, pubkey=pub)
    assert str(info.value.__cause__) == "signature verification failed"


@pytest.mark.parametrize(
    "sig_text",
    [
        b"",
        b"RWQ...\n",
        b"untrusted comment: \nRWQ=\n",
        b"untrusted comment: x\n!!!!\n",
        b"untrusted comment: x\nRWSmHh1ZzNvnrR/P\n",
    ],
)
def test_malformed_signature_files_are_refused(tmp_path: Path, sig_text: bytes) -> None:
    pub, _ = signify_keys(tmp_path)
    paths = make_image(tmp_path, b"stream")
    paths.sig.write_bytes(sig_text)
    with pytest.raises(ImageError, match=r"^Signature verification failed$"):
        images.verify(paths.xz, pubkey=pub)


def test_signature_is_checked_before_the_hash(tmp_path: Path) -> None:
    pub, sec = signify_keys(tmp_path)
    paths = make_image(tmp_path, b"stream")
    images.sign(paths.skein, sec)
    # a forger replaces the image and recomputes a matching hash: only the key can tell
    paths.xz.write_bytes(b"tampered")
    paths.skein.write_bytes(reference_skein(b"tampered", paths.meta.read_bytes()))
    assert images.verify(paths.xz).present  # consistent without a key
    with pytest.raises(ImageError, match=r"^Signature verification failed$"):
        images.verify(paths.xz, pubkey=pub)


def test_secret_key_must_be_named_like_signify_wants(tmp_path: Path) -> None:
    _, sec = signify_keys(tmp_path)
    renamed = tmp_path / "key.secret"
    sec.rename(renamed)
    paths = make_image(tmp_path, b"stream")
    with pytest.raises(ImageError, match=r"naming scheme of keyname\.pub and keyname\.sec"):
        images.sign(paths.skein, renamed)
    assert not paths.sig.exists()


def test_signify_public_key_parses_as_signify_wrote_it() -> None:
    text = (
        b"untrusted comment: signify public key\n"
        b"RWSmHh1ZzNvnrfybWuO4WGqs8WQfWePxRomekFKglXcvfH37wgiRZQP/\n"
    )
    pub = signify.parse_public_key(text)
    assert pub.keynum.hex() == "a61e1d59ccdbe7ad"
    assert len(pub.key) == 32


# ---------------------------------------------------------------- passphrase keys


def _under_tty(argv: list[str], passphrase: str, *, timeout: float = 60) -> tuple[int, str]:
    """Run argv with a pseudo terminal as its controlling tty, answering every prompt."""
    pid, master = pty.fork()
    if pid == 0:  # child
        os.execvp(argv[0], argv)
    output = b""
    deadline = time.monotonic() + timeout
    answered = 0
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                data = os.read(master, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
            if output.count(b"passphrase:") > answered:
                answered += 1
                os.write(master, passphrase.encode() + b"\n")
    finally:
        os.close(master)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_passphrase_key_signs_through_signify(tmp_path: Path) -> None:
    tool = need("signify-openbsd")
    pub, sec = tmp_path / "pp.pub", tmp_path / "pp.sec"
    rc, out = _under_tty([tool, "-G", "-p", str(pub), "-s", str(sec)], "sesame")
    assert rc == 0, out
    assert signify.parse_secret_key(sec.read_bytes()).kdfrounds > 0
    paths = make_image(tmp_path, b"stream")
    code = (
        "import sys; from pathlib import Path; from pot import images; "
        "images.sign(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    rc, out = _under_tty([sys.executable, "-c", code, str(paths.skein), str(sec)], "sesame")
    assert rc == 0, out
    assert run(tool, "-V", "-p", pub, "-m", paths.skein).returncode == 0
    assert images.verify(paths.xz, pubkey=pub).present
    # a wrong passphrase fails and leaves no signature behind
    paths.sig.unlink()
    rc, out = _under_tty([sys.executable, "-c", code, str(paths.skein), str(sec)], "wrong")
    assert rc == 1
    assert "incorrect passphrase" in out
    assert "ImageError: Signing with signify-openbsd failed (exit status 1)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "pp.pub",
        "pp.sec",
        "web_1.0.xz",
        "web_1.0.xz.meta",
        "web_1.0.xz.skein",
    ]


def test_verify_uses_the_hash_of_the_copy_instead_of_reading_the_file(tmp_path: Path) -> None:
    from pot.images import digest

    paths = make_image(tmp_path, b"payload " * 1000)
    copied = digest.new()
    with digest.fed_behind(copied) as feed:
        data = paths.xz.read_bytes()
        for pos in range(0, len(data), 100):
            feed(data[pos : pos + 100])
    # the bytes the copy saw decide, not the file (which is not read again)
    paths.xz.write_bytes(b"changed after the copy")
    assert images.verify(paths.xz, xz_hashed=copied) == images.Meta("-\n", present=True)
    other = digest.new()
    other.update(b"something else")
    with pytest.raises(ImageError, match="The image and its hash do not overlap"):
        images.verify(paths.xz, xz_hashed=other)


def test_fed_behind_hashes_in_order_and_raises_a_failure() -> None:
    from pot.images import digest

    seen: list[bytes] = []

    class Recorder:
        def update(self, data: bytes | bytearray | memoryview, /) -> None:
            if bytes(data) == b"bad":
                raise ValueError("refused")
            seen.append(bytes(data))

        def hexdigest(self) -> str:
            return ""

    with digest.fed_behind(Recorder()) as feed:
        for chunk in (b"a", b"b", b"c"):
            feed(chunk)
    assert seen == [b"a", b"b", b"c"]
    with pytest.raises(ValueError, match="refused"), digest.fed_behind(Recorder()) as feed:
        feed(b"bad")
