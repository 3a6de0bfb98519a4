"""FreeBSD releases: which ones are valid, and their ``base.txz`` in the cache.

The valid releases are the files of the release manifests folder (``POT_MANIFESTS_DIR``,
package freebsd-release-manifests) named ``<hw.machine>-<hw.machine_arch>-<RELEASE>``;
the tarball comes from ``POT_FREEBSD_MIRROR`` and is checked against the ``base.txz``
line of its manifest. A download is written under a temporary name in ``POT_CACHE``
and renamed only once it is complete and verified, so the final name never holds a
partial or unverified file, whatever interrupts us.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pot import log as logging
from pot import proc, vercmp
from pot.errors import CommandFailed, PotError
from pot.record import record
from pot.settings import Settings

# the help of create-base lists the valid releases: downloading and hashing (sockets,
# urllib, hashlib, tempfile) and platform are loaded only where they are used
TYPE_CHECKING = False
if TYPE_CHECKING:
    # progress(bytes done, total bytes or None when the source does not say)
    from pot.download import Progress as Progress  # noqa: PLC0414 (re-exported)

log = logging.getLogger(__name__)

TARBALL = "base.txz"
_NO_MANIFEST = "No manifests found - please install the package freebsd-release-manifests"
_SHA_MISMATCH = "sha256 doesn't match! Aborting"
# awk's /^base.txz/ of upstream: the dot matches any character
_BASE_LINE = re.compile(r"base.txz")


@record
class Machine:
    """``hw.machine`` and ``hw.machine_arch`` of the host (amd64/amd64, arm64/aarch64 ...)."""

    machine: str
    arch: str

    @property
    def prefix(self) -> str:
        """The manifest file prefix, ``<machine>-<arch>``."""
        return f"{self.machine}-{self.arch}"

    @property
    def path(self) -> str:
        """The mirror folder, ``<machine>/<arch>``."""
        return f"{self.machine}/{self.arch}"


# what FreeBSD calls the machines other systems report (used where there is no sysctl
# hw.machine, that is when the tests run on Linux)
_PLATFORM_MACHINES = {
    "x86_64": Machine("amd64", "amd64"),
    "amd64": Machine("amd64", "amd64"),
    "aarch64": Machine("arm64", "aarch64"),
    "arm64": Machine("arm64", "aarch64"),
    "i386": Machine("i386", "i386"),
    "i686": Machine("i386", "i386"),
    "riscv64": Machine("riscv", "riscv64"),
    "ppc64le": Machine("powerpc", "powerpc64le"),
    "ppc64": Machine("powerpc", "powerpc64"),
}


def host_machine() -> Machine:
    """The host's hw.machine and hw.machine_arch.

    Read with sysctl; where sysctl has no such names (Linux) the platform's machine
    name is mapped to FreeBSD's.
    """
    result = proc.run_if_installed(["sysctl", "-n", "hw.machine", "hw.machine_arch"])
    if result is None:  # no sysctl at all
        return platform_machine()
    words = result.stdout.split()
    if result.ok and len(words) == 2:
        return Machine(words[0], words[1])
    return platform_machine()


def platform_machine() -> Machine:
    import platform

    name = platform.machine().lower()
    return _PLATFORM_MACHINES.get(name, Machine(name, name))


def release_name(release: str) -> str:
    """``13.2`` -> ``13.2-RELEASE``; a release with ``RC`` in it stays as it is."""
    return release if "RC" in release else f"{release}-RELEASE"


def manifests_dir(settings: Settings) -> Path:
    return Path(settings.get("POT_MANIFESTS_DIR"))


def manifest_path(settings: Settings, release: str, machine: Machine) -> Path:
    return manifests_dir(settings) / f"{machine.prefix}-{release_name(release)}"


def cached_tarball(settings: Settings, release: str) -> Path:
    """Where the release's base.txz is kept: ``POT_CACHE/<REL>_base.txz``."""
    return settings.cache / f"{release_name(release)}_base.txz"


def tarball_url(settings: Settings, release: str, machine: Machine) -> str:
    mirror = settings.get("POT_FREEBSD_MIRROR").rstrip("/")
    return f"{mirror}/{machine.path}/{release_name(release)}/{TARBALL}"


def valid_releases(settings: Settings, machine: Machine | None = None) -> tuple[str, ...]:
    """The releases create-base accepts, in version order, ``-RELEASE`` dropped.

    As upstream: every file of the manifests folder starting with ``<machine>-<arch>-``,
    the rest of the name sorted as ``sort -V`` does, then the first ``-RELEASE`` removed.
    """
    prefix = (machine or host_machine()).prefix + "-"
    try:
        names = [
            entry.name[len(prefix) :]
            for entry in manifests_dir(settings).iterdir()
            if entry.name.startswith(prefix) and entry.is_file()
        ]
    except OSError:
        return ()
    ordered = sorted((n for n in names if n), key=version_key)
    return tuple(n.replace("-RELEASE", "", 1) for n in ordered)


def is_valid_release(settings: Settings, release: str, machine: Machine | None = None) -> bool:
    return bool(release) and release in valid_releases(settings, machine)


def release_problem(settings: Settings, release: str, machine: Machine | None = None) -> list[str]:
    """Why ``release`` cannot be used, after the caller's own line: nothing when it is
    valid or other releases are; with no manifest at all for this machine, where
    POT_MANIFESTS_DIR is and how to fill it (upstream said nothing more)."""
    machine = machine or host_machine()
    if valid_releases(settings, machine):
        return []
    folder = manifests_dir(settings)
    example = release or "14.1"
    return [
        f"No release manifest for {machine.prefix} in {folder} [POT_MANIFESTS_DIR]:"
        " install the package freebsd-release-manifests, or save a release's MANIFEST as"
        f" {folder}/{machine.prefix}-{release_name(example)}"
        f" (from https://download.freebsd.org/releases/{machine.path}/"
        f"{release_name(example)}/MANIFEST)"
    ]


# the order of ``sort -V``, which upstream sorts the release names with
version_compare = vercmp.compare
version_key = vercmp.key


def expected_sha256(manifest: Path) -> str | None:
    """The checksum of the manifest's ``base.txz`` line; None if it cannot be read.

    Upstream takes the second field of every line matching ``^base.txz``; more than
    one such line never matches a real checksum, and neither do we.
    """
    try:
        text = manifest.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    values = [_field(line, 1) for line in text.splitlines() if _BASE_LINE.match(line)]
    return "\n".join(values)


def _field(line: str, index: int) -> str:
    """awk's ``$n`` (counted from 0 here): empty when the line is shorter."""
    words = line.split()
    return words[index] if index < len(words) else ""


def fetch_base(settings: Settings, release: str, *, progress: Progress | None = None) -> Path:
    """Make sure ``POT_CACHE/<REL>_base.txz`` is there and matches its manifest.

    A cached tarball is reused when its checksum is right. On any failure the cached
    file is removed and everything is tried once more, as upstream does; then
    PotError ``fetch of <release> RELEASE failed``.
    """
    machine = host_machine()
    target = cached_tarball(settings, release)
    for _attempt in range(2):
        if _fetch_once(settings, release, machine, progress):
            return target
        target.unlink(missing_ok=True)
    raise PotError(f"fetch of {release} RELEASE failed")


def extract(tarball: Path, root: Path, command: str) -> None:
    """Unpack a release tarball into root (``tar xkf``: files already there are kept).

    A failure is a PotError naming the tarball, after tar's own message; ``command``
    (create, create-base) opens that line.
    """
    try:
        proc.run(["tar", "xkf", str(tarball)], cwd=root)
    except CommandFailed as exc:
        raise PotError(str(exc), f"{command}: extracting {tarball} failed") from exc


def _fetch_once(
    settings: Settings, release: str, machine: Machine, progress: Progress | None
) -> bool:
    """One attempt; False (with the reason logged as an error) when it failed."""
    target = cached_tarball(settings, release)
    expected = expected_sha256(manifest_path(settings, release, machine))
    if expected is None:
        # checked before downloading, so an unverifiable file never lands in the cache
        log.error(_NO_MANIFEST)
        return False
    if target.is_file() and os.access(target, os.R_OK):
        log.debug("Using the cached %s", target)
        if _sha256_of(target) == expected:
            return True
        log.error(_SHA_MISMATCH)
        return False
    return _download(tarball_url(settings, release, machine), target, expected, progress)


def _sha256_of(path: Path) -> str:
    import hashlib

    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class _ShaMismatch(Exception):
    """The downloaded tarball is not the one its manifest names."""


def _download(url: str, target: Path, expected: str, progress: Progress | None) -> bool:
    """Copy url into target through a temporary file; rename only when verified."""
    import hashlib

    from pot import download

    digest = hashlib.sha256()

    def check() -> None:
        if digest.hexdigest() != expected:
            raise _ShaMismatch()

    try:
        download.fetch(url, target, progress=progress, observe=digest.update, check=check)
    except _ShaMismatch:
        log.error(_SHA_MISMATCH)
        return False
    except download.DownloadError as exc:
        log.error("%s", exc)
        return False
    return True
