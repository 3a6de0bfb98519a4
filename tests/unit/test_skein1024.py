"""pot.images._skein1024: our Skein-1024-1024 C extension.

Judges: the known answers of the Skein 1.3 paper (skein_golden_kat.txt), pyskein (an
independent implementation, installed with the dev extra only), and the skein1024
command bench/images.py builds from our C source, run over a real image.
"""

from __future__ import annotations

import io
import itertools
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import skein  # type: ignore[import-untyped]  # pyskein: the cross-check, dev extra only

from pot import images
from pot.images._skein1024 import skein1024

ROOT = Path(__file__).resolve().parents[2]

# Skein 1.3, Appendix C / skein_golden_kat.txt, Skein-1024-1024, "incrementing" data:
# 0xFF; 0xFF, 0xFE, ..., 0x80; 0xFF, 0xFE, ..., 0x00
PAPER_KAT = {
    1: "e62c05802ea0152407cdd8787fda9e35703de862a4fbc119cff8590afe79250b"
    "ccc8b3faf1bd2422ab5c0d263fb2f8afb3f796f048000381531b6f00d85161bc"
    "0fff4bef2486b1ebcd3773fabf50ad4ad5639af9040e3f29c6c931301bf79832"
    "e9da09857e831e82ef8b4691c235656515d437d2bda33bcec001c67ffde15ba8",
    128: "1f3e02c46fb80a3fcd2dfbbc7c173800b40c60c2354af551189ebf433c3d85f9"
    "ff1803e6d920493179ed7ae7fce69c3581a5a2f82d3e0c7a295574d0cd7d217c"
    "484d2f6313d59a7718ead07d0729c24851d7e7d2491b902d489194e6b7d369db"
    "0ab7aa106f0ee0a39a42efc54f18d93776080985f907574f995ec6a37153a578",
    256: "842a53c99c12b0cf80cf69491be5e2f7515de8733b6ea9422dfd676665b5fa42"
    "ffb3a9c48c217777950848cecdb48f640f81fb92bef6f88f7a85c1f7cd1446c9"
    "161c0afe8f25ae444f40d3680081c35aa43f640fd5fa3c3c030bcc06abac01d0"
    "98bcc984ebd8322712921e00b1ba07d6d01f26907050255ef2c8e24f716c52a5",
}

# around the block size (128), the GIL threshold (4096) and a large buffer
LENGTHS = [0, 1, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 1 << 20]


def pyskein_hex(data: bytes) -> str:
    hexdigest: str = skein.skein1024(data, digest_bits=1024).hexdigest()
    return hexdigest


def random_chunks(rnd: random.Random, data: bytes) -> list[bytes]:
    """data cut at random points: empty pieces, single bytes and long runs alike."""
    cuts = sorted(rnd.randrange(len(data) + 1) for _ in range(rnd.randrange(12)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


# ---------------------------------------------------------------- known answers


@pytest.mark.parametrize("length", list(PAPER_KAT))
def test_paper_known_answers(length: int) -> None:
    message = bytes(range(255, 255 - length, -1))
    assert skein1024(message).hexdigest() == PAPER_KAT[length]
    hasher = skein1024()
    for byte in message:  # one byte at a time: every block boundary is crossed by update
        hasher.update(bytes([byte]))
    assert hasher.hexdigest() == PAPER_KAT[length]


def test_paper_known_answer_matches_pyskein() -> None:
    message = bytes(range(255, -1, -1))
    assert pyskein_hex(message) == PAPER_KAT[256]


# ---------------------------------------------------------------- against pyskein


@pytest.mark.parametrize("length", LENGTHS)
def test_random_message_equals_pyskein_whatever_the_chunks(length: int) -> None:
    rnd = random.Random(length)
    data = rnd.randbytes(length)
    expected = pyskein_hex(data)
    assert skein1024(data).hexdigest() == expected
    for _ in range(5):
        hasher = skein1024()
        for chunk in random_chunks(rnd, data):
            hasher.update(chunk)
        assert hasher.hexdigest() == expected


def test_every_length_up_to_three_blocks_equals_pyskein() -> None:
    data = random.Random(7).randbytes(3 * 128 + 1)
    for length in range(len(data) + 1):
        assert skein1024(data[:length]).hexdigest() == pyskein_hex(data[:length]), length


# ---------------------------------------------------------------- the object


def test_digest_is_the_hexdigest_in_bytes_and_leaves_the_state_alone() -> None:
    hasher = skein1024(b"abc")
    first = hasher.digest()
    assert len(first) == 128 == hasher.digest_size
    assert first.hex() == hasher.hexdigest() == pyskein_hex(b"abc")
    hasher.update(b"def")  # a digest does not end the hash
    assert hasher.hexdigest() == pyskein_hex(b"abcdef")
    assert (hasher.name, hasher.block_size) == ("skein1024", 128)


def test_copy_is_independent() -> None:
    hasher = skein1024(b"x" * 200)
    twin = hasher.copy()
    twin.update(b"y")
    assert hasher.hexdigest() == pyskein_hex(b"x" * 200)
    assert twin.hexdigest() == pyskein_hex(b"x" * 200 + b"y")
    assert type(twin) is skein1024


def test_takes_any_contiguous_bytes_like_object() -> None:
    data = bytes(range(256)) * 40
    hasher = skein1024()
    hasher.update(bytearray(data[:100]))
    hasher.update(memoryview(data)[100:5000])
    hasher.update(memoryview(data)[5000:].cast("B"))
    assert hasher.hexdigest() == pyskein_hex(data)


def test_refuses_text_and_non_contiguous_buffers() -> None:
    hasher = skein1024()
    with pytest.raises(TypeError, match="Strings must be encoded before hashing"):
        hasher.update("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hasher.update(12)  # type: ignore[arg-type]
    with pytest.raises(BufferError):
        hasher.update(memoryview(b"abcdef")[::2])
    with pytest.raises(TypeError):
        skein1024(b"a", b"b")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes no keyword arguments"):
        skein1024(data=b"a")  # type: ignore[call-arg]
    assert hasher.hexdigest() == pyskein_hex(b"")


def _other_thread_ran_during_update(size: int) -> bool:
    """Whether this thread got the GIL while another one was inside update(size bytes).

    With a switch interval far beyond the test's length the interpreter never takes the
    GIL away by itself: this thread can only run while the other one is in update if
    update let go of the GIL.
    """
    data = bytes(size)
    started, done = threading.Event(), threading.Event()
    hasher = skein1024()

    def work() -> None:
        started.set()
        hasher.update(data)
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        started.wait()
        ran_during = not done.is_set()
        thread.join()
    finally:
        sys.setswitchinterval(old)
    return ran_during


def test_update_releases_the_gil_for_large_buffers_only() -> None:
    assert _other_thread_ran_during_update(8 << 20) is True
    assert _other_thread_ran_during_update(100) is False


# ---------------------------------------------------------------- the bench's command


@pytest.fixture(scope="module")
def skein1024_command(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/skein1024_main.c built as bench/images.py builds it."""
    cc = shutil.which("cc")
    if cc is None:
        pytest.fail("cc not installed: needed to install the package at all")
    binary = tmp_path_factory.mktemp("skein") / "skein1024"
    subprocess.run(
        [cc, "-O2", "-I", str(ROOT / "pot" / "images"), "-o", str(binary),
         str(ROOT / "bench" / "skein1024_main.c")],
        check=True,
    )  # fmt: skip
    return binary


@pytest.mark.parametrize("length", [0, *PAPER_KAT])
def test_command_prints_the_known_answers(skein1024_command: Path, length: int) -> None:
    message = bytes(range(255, 255 - length, -1))
    expected = PAPER_KAT[length] if length else pyskein_hex(b"")
    out = subprocess.run([skein1024_command, "-q"], input=message, capture_output=True, check=False)
    assert (out.returncode, out.stdout, out.stderr) == (0, expected.encode() + b"\n", b"")


def test_image_skein_equals_the_commands_output(skein1024_command: Path, tmp_path: Path) -> None:
    data = random.Random(3).randbytes(3 << 20) + b"config line\n" * 50000
    paths = images.write_image(io.BytesIO(data), tmp_path, "web", "1.0", "-", level=1)
    both = paths.xz.read_bytes() + paths.meta.read_bytes()
    out = subprocess.run([skein1024_command, "-q"], input=both, capture_output=True, check=True)
    assert out.stdout == paths.skein.read_bytes()
    assert out.stdout == (pyskein_hex(both) + "\n").encode()
    by_file = subprocess.run(
        [skein1024_command, "-q", paths.xz], capture_output=True, check=True
    ).stdout
    assert by_file == (skein1024(paths.xz.read_bytes()).hexdigest() + "\n").encode()
