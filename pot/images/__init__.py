"""Image files of upstream's format: streaming xz, Skein-1024 hash, signify signatures.

For pot ``P`` and tag ``T`` an image is ``P_T.xz`` (the ``zfs send -R`` stream as xz),
``P_T.xz.meta`` (one line: ``-`` or ``ORIGINPOT:ORIGINTAG@ORIGINSNAP``),
``P_T.xz.skein`` (``skein1024 -q`` of the .xz bytes followed by the .meta bytes) and
optionally ``P_T.xz.skein.sig`` (a signify signature of the .skein file).

Writing streams: one pass compresses the send stream on every core, writes the .xz and
hashes it; everything goes to temporary names in the target folder and is renamed only
once complete, and any failure (Ctrl-C included) removes the partial files.

Reading verifies before anything is decompressed: signature of the .skein first when a
public key is given, then the hash of .xz + .meta; decompression is a second pass that
decodes the blocks of the .xz in parallel.

This module works on byte streams and paths only: zfs send/receive, downloads and the
meta line's meaning belong to the callers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from pot import log as logging
from pot.errors import ImageError
from pot.images import digest, signify, xz
from pot.record import record

# typing is imported for type checking only: at run time it costs more than it gives
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

log = logging.getLogger(__name__)

__all__ = [
    "ImagePaths",
    "ImageWriter",
    "Meta",
    "create_image",
    "decompress_into",
    "image_paths",
    "sign",
    "uncompressed_size",
    "verify",
    "write_image",
]

DEFAULT_LEVEL = 6
# a .meta is one short line; anything this large is not an image's
MAX_META = 64 << 10
# images, .meta, .skein and .sig as upstream's FreeBSD writes them (umask 022)
IMAGE_MODE = 0o644

Progress = Callable[[int], None]


@record
class ImagePaths:
    """The files of one image, all named after the .xz."""

    xz: Path

    @property
    def meta(self) -> Path:
        return self.xz.with_name(self.xz.name + ".meta")

    @property
    def skein(self) -> Path:
        return self.xz.with_name(self.xz.name + ".skein")

    @property
    def sig(self) -> Path:
        return self.xz.with_name(self.xz.name + ".skein.sig")

    def all(self) -> tuple[Path, Path, Path, Path]:
        return (self.xz, self.meta, self.skein, self.sig)


def image_paths(directory: Path, pot: str, tag: str) -> ImagePaths:
    """``DIR/POT_TAG.xz`` and its side files (the tag keeps its dots)."""
    return ImagePaths(directory / f"{pot}_{tag}.xz")


@record
class Meta:
    """The verified .meta file: its text ("" when the image has none)."""

    text: str
    present: bool

    @property
    def line(self) -> str:
        """The first line, as upstream's ``head -n1`` reads it."""
        return self.text.split("\n", 1)[0]


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Report a failing write of one of our files (disk full...) as an ImageError."""
    try:
        yield
    except OSError as exc:
        raise ImageError(f"cannot write {path}: {exc.strerror}") from exc


class _Partial:
    """A file under a temporary name next to its final name, renamed on commit."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.temp = final.with_name(f".{final.name}.{os.urandom(4).hex()}.part")
        # O_EXCL: never follow or clobber anything; 0644 whatever the umask (upstream's
        # shell redirect under FreeBSD's usual umask 022)
        with _writing(self.temp):
            fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            os.fchmod(fd, IMAGE_MODE)
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def commit(self) -> None:
        with _writing(self.final):
            os.replace(self.temp, self.final)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # a failed flush changes nothing: the file goes
            self.file.close()
        self.temp.unlink(missing_ok=True)


class ImageWriter:
    """Writes one image under temporary names; see :func:`create_image`."""

    def __init__(self, paths: ImagePaths, meta_line: str, *, level: int) -> None:
        if "\n" in meta_line:
            raise ValueError("the meta line must be a single line")
        if not 0 <= level <= 9:
            raise ValueError(f"xz level must be 0-9, not {level}")
        self.paths = paths
        self._meta = (meta_line + "\n").encode()
        self._level = level
        self._hasher = digest.new()
        self._parts: list[_Partial] = []
        self._xz = self._partial(paths.xz)
        self._written = False

    def _partial(self, final: Path) -> _Partial:
        part = _Partial(final)
        self._parts.append(part)
        return part

    def write(
        self, source: IO[bytes], *, workers: int | None = None, progress: Progress | None = None
    ) -> None:
        """Compress the whole source stream into the .xz, hashing it on the way.

        progress, if given, gets the stream bytes read and compressed so far after
        each block (comparable with the size ``zfs send -nP`` estimates).
        """
        if self._written:
            raise RuntimeError("an image is written from one stream")
        self._written = True
        out = self._xz.file
        hasher = self._hasher

        def emit(data: bytes) -> None:
            with _writing(self.paths.xz):
                out.write(data)
            hasher.update(data)

        xz.compress(source, emit, level=self._level, workers=workers, progress=progress)

    def _finish(self, seckey: Path | None) -> None:
        """Write .meta, .skein (and .skein.sig) to temporary names."""
        if not self._written:
            raise RuntimeError("no stream was written to the image")
        with _writing(self.paths.xz):
            self._xz.file.close()
        meta = self._partial(self.paths.meta)
        with _writing(self.paths.meta):
            meta.file.write(self._meta)
            meta.file.close()
        self._hasher.update(self._meta)
        skein = self._partial(self.paths.skein)
        with _writing(self.paths.skein):
            skein.file.write(digest.line(self._hasher))
            skein.file.close()
        if seckey is not None:
            sig = self._partial(self.paths.sig)
            sig.file.close()
            signify.sign_file(skein.temp, seckey, sig.temp)

    def _commit(self) -> None:
        if self._parts[-1].final != self.paths.sig:
            # a signature left from an earlier export can never match the new hash
            self.paths.sig.unlink(missing_ok=True)
        # .skein last: until it is in place the image cannot verify, let alone import
        for part in sorted(self._parts, key=lambda p: p.final == self.paths.skein):
            part.commit()

    def _discard(self) -> None:
        for part in self._parts:
            part.discard()


@contextlib.contextmanager
def create_image(
    dest_dir: Path,
    pot: str,
    tag: str,
    meta_line: str,
    *,
    level: int = DEFAULT_LEVEL,
    seckey: Path | None = None,
) -> Iterator[ImageWriter]:
    """Yield a writer for ``dest_dir/POT_TAG.xz``; commit the files when the block ends.

    Call ``writer.write(stream)`` once inside the block. Nest the ``zfs send`` context
    inside this one, so that a failing send (checked when its context exits) aborts the
    image before anything is renamed. On any exception, KeyboardInterrupt included,
    the temporary files are removed and nothing under a final name is touched.
    Raises ImageError when signing fails.
    """
    writer = ImageWriter(image_paths(dest_dir, pot, tag), meta_line, level=level)
    try:
        yield writer
        writer._finish(seckey)
        writer._commit()
    except BaseException:
        writer._discard()
        raise


def write_image(
    source: IO[bytes],
    dest_dir: Path,
    pot: str,
    tag: str,
    meta_line: str,
    *,
    level: int = DEFAULT_LEVEL,
    seckey: Path | None = None,
) -> ImagePaths:
    """Write a complete image from a stream whose success needs no later check."""
    with create_image(dest_dir, pot, tag, meta_line, level=level, seckey=seckey) as image:
        image.write(source)
    return image.paths


def sign(skein_path: Path, seckey_path: Path) -> Path:
    """Sign a .skein file as ``signify -S -s SECKEY -m FILE`` does; return the .sig path.

    Keys without passphrase sign natively; others through the signify command, which
    asks for the passphrase. Raises ImageError.
    """
    part = _Partial(skein_path.with_name(skein_path.name + ".sig"))
    try:
        part.file.close()
        signify.sign_file(skein_path, seckey_path, part.temp)
        part.commit()
    except BaseException:
        part.discard()
        raise
    return part.final


# ---------------------------------------------------------------- reading


def _read_small(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_META + 1)
    except FileNotFoundError:
        raise ImageError(f"{what} {path} not found") from None
    except OSError as exc:
        raise ImageError(f"cannot read {what} {path}: {exc.strerror}") from exc
    if len(data) > MAX_META:
        raise ImageError(f"{what} {path} is too large")
    return data


def _check_signature(paths: ImagePaths, skein_line: bytes, pubkey: Path) -> None:
    pub = _read_small(pubkey, "Public key")
    sig = _read_small(paths.sig, "Signature")
    try:
        signify.verify(skein_line, sig, pub)
    except ImageError as exc:
        log.debug("%s: %s", paths.sig, exc)
        raise ImageError("Signature verification failed") from exc
    log.debug("Signature verification succeeded")


def _read_meta(path: Path) -> tuple[bytes, bool]:
    try:
        return _read_small(path, "Meta file"), True
    except ImageError:
        if path.exists():
            raise
    # images made before .meta existed were hashed over the .xz alone
    return b"", False


def verify(
    image_xz: Path, *, pubkey: Path | None = None, xz_hashed: digest.Hasher | None = None
) -> Meta:
    """Check an image before any of it is used; return its .meta.

    With a public key, the .skein.sig must be a valid signature of the .skein by that
    key; then Skein-1024 of .xz + .meta (nothing when there is no .meta) must equal the
    .skein byte for byte. Raises ImageError with one message for every failure.
    ``xz_hashed``: a hasher already fed with exactly the .xz's bytes (by the download
    that wrote the file), so the file is not read again.
    """
    paths = ImagePaths(image_xz)
    skein_line = _read_small(paths.skein, "Hash file")
    if pubkey is not None:
        _check_signature(paths, skein_line, pubkey)
    meta, present = _read_meta(paths.meta)
    hasher = xz_hashed or _hash_file(image_xz)
    hasher.update(meta)
    if digest.line(hasher) != skein_line:
        raise ImageError("The image and its hash do not overlap")
    log.debug("Hash confirmed")
    return Meta(meta.decode("utf-8", errors="replace"), present)


def _hash_file(image_xz: Path) -> digest.Hasher:
    hasher = digest.new()
    try:
        digest.update_from_file(hasher, image_xz)
    except FileNotFoundError:
        raise ImageError(f"Image {image_xz} not found") from None
    except OSError as exc:
        raise ImageError(f"cannot read image {image_xz}: {exc.strerror}") from exc
    return hasher


def uncompressed_size(image_xz: Path) -> int:
    """The size of the decompressed image, from the .xz's index (for progress bars)."""
    try:
        fd = os.open(image_xz, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise ImageError(f"cannot read image {image_xz}: {exc.strerror}") from exc
    try:
        return sum(ref.uncompressed for ref in xz.layout(fd))
    except ImageError as exc:
        raise ImageError(f"Image {image_xz.name} is corrupt: {exc}") from exc
    finally:
        os.close(fd)


def decompress_into(
    image_xz: Path,
    sink: IO[bytes],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Stream the decompressed image into sink (the stdin of ``zfs receive``).

    Blocks are decoded in parallel when the .xz has several; memory stays bounded by a
    few blocks. A corrupt or truncated .xz raises ImageError, possibly after part of the
    stream went to sink: verify() first, and let the receiver discard what it got.
    Errors writing to sink (a receiver that died) propagate unchanged. progress, if
    given, gets the bytes written to sink so far (see :func:`uncompressed_size`).
    """
    write: Callable[[bytes], object] = sink.write
    if progress is not None:
        done = 0

        def write(data: bytes) -> None:
            nonlocal done
            sink.write(data)
            done += len(data)
            progress(done)

    try:
        fd = os.open(image_xz, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise ImageError(f"cannot read image {image_xz}: {exc.strerror}") from exc
    try:
        xz.decompress(fd, write, workers=workers)
    except ImageError as exc:
        raise ImageError(f"Image {image_xz.name} is corrupt: {exc}") from exc
    finally:
        os.close(fd)
