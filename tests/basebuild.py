"""A small FreeBSD-like release for the tests: base.txz, a file:// mirror and manifests.

The tarball is laid out like a FreeBSD ``base.txz`` (entries ``./bin/sh`` ...): the top
folders of a release, ``bin/freebsd-version`` printing the release, ``etc`` with the
files a release ships, and the usual tools as relative symlinks to a static busybox at
``rescue/busybox``, so ``chroot <root> /bin/sh -c ...`` works on Linux. ``usr/local``
and ``opt`` are left out on purpose: create-base gets them from its dataset mountpoints.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BUSYBOX_CANDIDATES = (Path("/bin/busybox"), Path("/usr/bin/busybox"))
RELEASE = "14.1"
MTIME = 1_717_200_000  # fixed, so two builds give the same tarball

DIRS: dict[str, int] = {
    ".": 0o755,
    "bin": 0o755,
    "boot": 0o755,
    "dev": 0o555,
    "etc": 0o755,
    "etc/defaults": 0o755,
    "etc/rc.d": 0o755,
    "lib": 0o755,
    "libexec": 0o755,
    "media": 0o755,
    "mnt": 0o755,
    "proc": 0o555,
    "rescue": 0o755,
    "root": 0o750,
    "sbin": 0o755,
    "tmp": 0o1777,
    "usr": 0o755,
    "usr/bin": 0o755,
    "usr/include": 0o755,
    "usr/lib": 0o755,
    "usr/libexec": 0o755,
    "usr/sbin": 0o755,
    "usr/share": 0o755,
    "var": 0o755,
    "var/cache": 0o755,
    "var/db": 0o755,
    "var/db/pkg": 0o755,
    "var/empty": 0o555,
    "var/log": 0o755,
    "var/run": 0o755,
    "var/tmp": 0o1777,
}

# where FreeBSD keeps each tool (only those busybox provides are linked)
TOOLS: dict[str, tuple[str, ...]] = {
    "bin": (
        "sh", "cat", "chmod", "cp", "date", "dd", "df", "echo", "expr", "hostname", "kill",
        "ln", "ls", "mkdir", "mv", "ps", "pwd", "realpath", "rm", "rmdir", "sleep", "sync",
        "test", "[",
    ),
    "sbin": ("halt", "ifconfig", "init", "mount", "reboot", "route", "sysctl", "umount"),
    "usr/bin": (
        "awk", "basename", "cut", "dirname", "du", "env", "false", "find", "grep", "head",
        "id", "logger", "printf", "sed", "seq", "sort", "tail", "tar", "tee", "touch", "tr",
        "true", "uname", "uniq", "wc", "which", "xargs", "yes",
    ),
    "usr/sbin": ("chown", "chroot"),
}  # fmt: skip

FREEBSD_VERSION = """\
#!/bin/sh
# stand-in of FreeBSD's freebsd-version(1) for the test release
USERLAND_VERSION="{rel}"
KERNEL_VERSION="{rel}"
case "$1" in
-k|-r) echo "$KERNEL_VERSION" ;;
*) echo "$USERLAND_VERSION" ;;
esac
"""

FILES: dict[str, tuple[str, int]] = {
    "etc/hosts": (
        "::1\t\t\tlocalhost localhost.my.domain\n127.0.0.1\t\tlocalhost localhost.my.domain\n",
        0o644,
    ),
    "etc/rc.conf": ("# test release: empty rc.conf\n", 0o644),
    "etc/defaults/rc.conf": ('hostname=""\n', 0o444),
    "etc/rc": ("#!/bin/sh\n# test release: nothing to start\nexit 0\n", 0o644),
    "etc/shells": ("/bin/sh\n", 0o644),
    "etc/passwd": ("root:*:0:0:Charlie &:/root:/bin/sh\n", 0o644),
    "etc/group": ("wheel:*:0:root\n", 0o644),
    "root/.profile": ("PATH=/sbin:/bin:/usr/sbin:/usr/bin; export PATH\n", 0o644),
}


@dataclass(frozen=True)
class Mirror:
    """A file:// FreeBSD mirror with one release and its manifests folder."""

    folder: Path
    manifests: Path
    release: str
    tarball: Path
    sha256: str

    @property
    def url(self) -> str:
        return self.folder.as_uri()

    def conf(self) -> dict[str, str]:
        """The pot.conf keys that point pot at this mirror."""
        return {"POT_FREEBSD_MIRROR": self.url, "POT_MANIFESTS_DIR": str(self.manifests)}


def busybox() -> Path | None:
    for candidate in BUSYBOX_CANDIDATES:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _info(name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo("./" if name == "." else f"./{name}")
    info.type = kind
    info.mode = mode
    info.mtime = MTIME
    info.uname, info.gname = "root", "wheel"
    return info


def _add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    info = _info(name, tarfile.REGTYPE, mode)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _add_link(tar: tarfile.TarFile, name: str, target: str) -> None:
    info = _info(name, tarfile.SYMTYPE, 0o755)
    info.linkname = target
    tar.addfile(info)


def _applets(binary: Path) -> frozenset[str]:
    import subprocess

    out = subprocess.run([str(binary), "--list"], capture_output=True, text=True, check=True)
    return frozenset(out.stdout.split())


def build_base_txz(dest: Path, release: str = RELEASE) -> Path:
    """Write a FreeBSD-like base.txz for ``release`` (``14.1``, ``14.0-RC1``) at dest."""
    binary = busybox()
    if binary is None:
        raise FileNotFoundError("busybox-static is needed (apt-get install busybox-static)")
    rel = release_name(release)
    applets = _applets(binary)
    with tarfile.open(dest, "w:xz", preset=1) as tar:
        for name, mode in DIRS.items():
            tar.addfile(_info(name, tarfile.DIRTYPE, mode))
        _add_file(tar, "rescue/busybox", binary.read_bytes(), 0o555)
        for folder, tools in TOOLS.items():
            up = "../" * (folder.count("/") + 1)
            for tool in tools:
                if tool in applets:
                    _add_link(tar, f"{folder}/{tool}", f"{up}rescue/busybox")
        _add_file(tar, "bin/freebsd-version", FREEBSD_VERSION.format(rel=rel).encode(), 0o555)
        for name, (text, mode) in FILES.items():
            _add_file(tar, name, text.encode(), mode)
    return dest


def _manifest_line(name: str, sha: str, count: int, description: str) -> str:
    # the installer's MANIFEST format (release/scripts/make-manifest.sh), tab separated
    component = name.removesuffix(".txz")
    return f'{name}\t{sha}\t{count}\t{component}\t"{description}"\ton\n'


def release_name(release: str) -> str:
    """``14.1`` -> ``14.1-RELEASE``; a candidate (``14.0-RC1``) keeps its name."""
    return release if "RC" in release else f"{release}-RELEASE"


def build_mirror(root: Path, machine: str, arch: str, release: str = RELEASE) -> Mirror:
    """A mirror holding :func:`build_base_txz`'s tarball (:func:`lay_out_mirror`)."""

    def build(dest: Path) -> int:
        with tarfile.open(build_base_txz(dest, release)) as tar:
            return len(tar.getmembers())

    return lay_out_mirror(root, machine, arch, release, build)


def lay_out_mirror(
    root: Path, machine: str, arch: str, release: str, write_tarball: Callable[[Path], int]
) -> Mirror:
    """Lay out ``root/mirror/<machine>/<arch>/<REL>/base.txz`` (written by
    ``write_tarball``, which returns its number of entries) and the release's manifest
    in ``root/MANIFESTS``."""
    rel = release_name(release)
    folder = root / "mirror"
    release_dir = folder / machine / arch / rel
    release_dir.mkdir(parents=True)
    tarball = release_dir / "base.txz"
    count = write_tarball(tarball)
    sha = hashlib.sha256(tarball.read_bytes()).hexdigest()
    manifests = root / "MANIFESTS"
    manifests.mkdir()
    (manifests / f"{machine}-{arch}-{rel}").write_text(
        _manifest_line("base-dbg.txz", "f" * 64, 1, "Base system (Debugging)")
        + _manifest_line("base.txz", sha, count, "Base system (MANDATORY)")
        + _manifest_line("kernel.txz", "0" * 64, 1, "Kernel (MANDATORY)")
    )
    return Mirror(folder, manifests, release, tarball, sha)


def copy_mirror(mirror: Mirror, root: Path) -> Mirror:
    """A private copy a test may break (corrupt the tarball, edit the manifest)."""
    shutil.copytree(mirror.folder, root / "mirror")
    shutil.copytree(mirror.manifests, root / "MANIFESTS")
    tarball = root / "mirror" / mirror.tarball.relative_to(mirror.folder)
    return Mirror(root / "mirror", root / "MANIFESTS", mirror.release, tarball, mirror.sha256)
