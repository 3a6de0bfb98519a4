"""Downloads of file://, http(s):// and ftp:// URLs into the cache, never half-written.

The data goes to a temporary file next to the target and is renamed onto the target
only once it is complete (and accepted by the caller's check), so the target's name
never holds a partial or unverified file, whatever interrupts us. Used for release
tarballs (create-base) and images (import): upstream calls fetch(1) for both.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

from pot import log as logging
from pot.errors import PotError

# typing is imported for type checking only: at run time it costs more than it gives
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

log = logging.getLogger(__name__)

# progress(bytes done, total bytes or None when the source does not say)
Progress = Callable[[int, int | None], None]

# large enough that a hash riding on the copy costs little per chunk
_CHUNK = 1 << 20
_TIMEOUT = 60.0


class DownloadError(PotError):
    """The source could not be read or the target not written: ``<where>: <reason>``."""


def fetch(
    url: str,
    target: Path,
    *,
    progress: Progress | None = None,
    observe: Callable[[bytes], object] | None = None,
    check: Callable[[], None] | None = None,
) -> None:
    """Copy url into target through a temporary file in target's folder.

    ``observe`` sees every chunk (a hash riding on the copy); ``check`` runs once the
    copy is complete and may raise to refuse it. Only then is the file renamed onto
    target (mode 0644). Raises DownloadError for I/O and network failures; on any
    exception, KeyboardInterrupt included, the temporary file is removed.
    """
    log.debug("Downloading %s", url)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise DownloadError(f"{target.parent}: {exc.strerror or exc}") from exc
    partial = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy(url, out, progress, observe)
        if check is not None:
            check()
        partial.chmod(0o644)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: {_reason(exc)}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _copy(
    url: str,
    out: IO[bytes],
    progress: Progress | None,
    observe: Callable[[bytes], object] | None,
) -> None:
    done = 0
    with _open_source(url) as (source, total):
        if progress is not None:
            progress(0, total)  # opened: the transfer starts (fetch's first line)
        while chunk := source.read(_CHUNK):
            out.write(chunk)
            if observe is not None:
                observe(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    if total is not None and done != total:
        raise OSError(f"short read: {done} of {total} bytes")


@contextlib.contextmanager
def _open_source(url: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """The body of a file://, http(s):// or ftp:// URL and its size when known."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file":
        # url2pathname's job on POSIX, without importing urllib.request (slow) for it
        with Path(urllib.parse.unquote(parsed.path)).open("rb") as f:
            yield f, os.fstat(f.fileno()).st_size
        return
    if parsed.scheme not in ("http", "https", "ftp"):
        raise OSError(f"unsupported URL scheme '{parsed.scheme}'")
    from urllib.request import urlopen  # only for network URLs: it costs ~15 ms to import

    with urlopen(url, timeout=_TIMEOUT) as response:
        length = response.headers.get("Content-Length")
        yield response, int(length) if length and length.isdigit() else None


def _reason(exc: OSError) -> str:
    errors = sys.modules.get("urllib.error")  # loaded with urllib.request, if it was used
    if errors is not None and isinstance(exc, errors.HTTPError):
        return f"{exc.code} {exc.reason}"
    if errors is not None and isinstance(exc, errors.URLError):
        return str(exc.reason)
    return exc.strerror or str(exc)
