"""The only way pot touches the files of a pot's tree.

Everything below a pot's folder (``POT_FS_ROOT/jails/<name>``) is controlled by someone
else: ``m/`` by root inside the running jail, the whole tree of an imported image by
whoever built it. pot runs as root on the host, so it must never follow a link found
there. Two ways in:

- :class:`PotFile` and the functions taking one (:func:`read_bytes`, :func:`write`,
  :func:`makedirs`, :func:`unlink`, :func:`lstat`, ...) are for the paths pot itself
  reads and writes (``conf/pot.conf``, ``conf/fscomp.conf``, ``conf/.last_run_stats``,
  ``m/etc/hosts``, ``m/tmp/tinirc``, ...). They walk from the pot's folder one component
  at a time with ``dir_fd`` and ``O_NOFOLLOW`` (each directory opened with
  ``O_DIRECTORY`` and checked against its ``lstat``: same device and inode, as CPython's
  ``shutil.rmtree`` does), read only regular files, create with ``O_EXCL`` and an
  explicit mode, and replace a file by renaming a temporary file inside the same
  verified directory. A link, a device node or a file where a directory must be is
  refused with :class:`UnsafePath` (one ``###>`` line naming the path); a link or a
  node where a file is written is replaced, never written through.
- :func:`resolve` gives the host path of a path *as the jail sees it* (copy-in,
  mount-in): absolute link targets start again at the pot's root, and a ``..`` that
  would climb above the root is refused (a jail would clamp it at its root; a host path
  must never get there).
"""

from __future__ import annotations

import errno
import os
import stat

from pot.errors import PotError
from pot.record import record

# Every command that reads a pot's pot.conf comes here, among them those nomad-pot-driver
# runs every second: no pathlib, contextlib or collections at import (Path objects are
# made only by the functions that return one). Directory fds are managed by _Directory.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

    StrPath = str | os.PathLike[str]

# symlinks followed in one resolution before it counts as a loop (FreeBSD's MAXSYMLINKS)
MAX_LINKS = 32


class OutsideRoot(Exception):
    """A ``..`` (in the path or in a link target) climbs above the pot's root."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Missing(FileNotFoundError):
    """A component does not exist; ``host_path`` is where it would be (parent resolved)."""

    def __init__(self, path: str, host_path: Path) -> None:
        super().__init__(errno.ENOENT, os.strerror(errno.ENOENT), path)
        self.host_path = host_path


def resolve(root: Path, path: str, *, strict: bool = True) -> Path:
    """The host path of ``path`` as seen inside a jail rooted at ``root``, links resolved.

    With ``strict`` every component must exist (``realpath``); raises :class:`Missing`
    otherwise. Without it, a missing component and whatever follows it are taken as
    written (a file about to be created). Raises :class:`OutsideRoot`, and OSError
    (ELOOP, ENOTDIR) where the kernel would.
    """
    return root.joinpath(*_Walk(root, path, strict=strict).run())


def inside(root: Path, host_path: Path) -> str:
    """The in-pot spelling (``/a/b``) of a host path below root."""
    rel = host_path.relative_to(root).as_posix()
    return "/" if rel == "." else "/" + rel


def make_dirs(root: Path, path: str, mode: int = 0o755) -> Path:
    """``mkdir -p`` inside the pot: create the missing directories, never through a link
    that leads out of it; returns the resolved host path.
    """
    while True:
        try:
            return resolve(root, path)
        except Missing as exc:
            os.mkdir(exc.host_path, mode)


def _components(path: str) -> list[str]:
    return [c for c in path.split("/") if c not in ("", ".")]


class _Walk:
    """One resolution: components still to do, components done (relative to root)."""

    def __init__(self, root: Path, path: str, *, strict: bool) -> None:
        self.root = root
        self.path = path
        self.strict = strict
        # components still to walk, the next one last
        self.todo = _components(path)[::-1]
        self.done: list[str] = []
        # index in done from which the components do not exist (None: all exist so far)
        self.missing_from: int | None = None
        self.links = 0

    def run(self) -> list[str]:
        while self.todo:
            name = self.todo.pop()
            if name == "..":
                self._up()
            elif self.missing_from is not None:
                self.done.append(name)
            else:
                self._step(name)
        return self.done

    def _up(self) -> None:
        if not self.done:
            raise OutsideRoot(self.path)
        self.done.pop()
        if self.missing_from is not None and len(self.done) <= self.missing_from:
            self.missing_from = None

    def _step(self, name: str) -> None:
        host = self.root.joinpath(*self.done, name)
        try:
            mode = os.lstat(host).st_mode
        except FileNotFoundError:
            if self.strict:
                raise Missing(self.path, host) from None
            self.missing_from = len(self.done)
            self.done.append(name)
            return
        if stat.S_ISLNK(mode):
            self._follow(host)
        elif self.todo and not stat.S_ISDIR(mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), self.path)
        else:
            self.done.append(name)

    def _follow(self, link: Path) -> None:
        self.links += 1
        if self.links > MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), self.path)
        target = os.readlink(link)
        if target.startswith("/"):
            self.done.clear()  # absolute targets start again at the pot's root
        self.todo.extend(_components(target)[::-1])


# ------------------------------------------------------------ files pot reads and writes

FILE_MODE = 0o644
DIR_MODE = 0o755

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a fifo swapped in after the lstat must not block the open
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(PotError):
    """A path in a pot's tree is a link, a device node or of the wrong kind."""


@record
class PotFile:
    """``rel`` (``conf/pot.conf``) below ``base``, the pot's folder, for ``owner`` ("pot web").

    ``base`` itself is the host's (``POT_FS_ROOT/jails/<name>``); every component of
    ``rel`` is the pot's and is never followed when it is a link.
    """

    base: StrPath
    rel: str
    owner: str

    @property
    def host(self) -> Path:
        """The host path, for messages and for the host tools that take a path."""
        from pathlib import Path

        return Path(self.base).joinpath(*self.parts)

    @property
    def parts(self) -> list[str]:
        parts = _components(self.rel)
        if ".." in parts:
            raise UnsafePath(f"{self.rel} of {self.owner} is outside of it")
        return parts

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    def child(self, name: str) -> PotFile:
        return PotFile(self.base, f"{self.rel}/{name}", self.owner)

    def parent(self) -> PotFile:
        return PotFile(self.base, "/".join(self.parts[:-1]), self.owner)


def _unsafe(f: PotFile, parts: list[str], what: str) -> UnsafePath:
    return UnsafePath(f"{'/'.join(parts)} of {f.owner} is {what}")


def _step(f: PotFile, fd: int, done: list[str], mode: int | None) -> int:
    """Open directory ``done[-1]`` in ``fd`` without following a link (created with
    ``mode`` when missing and ``mode`` is given); the caller closes the new fd.
    """
    name = done[-1]
    made = False
    try:
        before = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        if mode is None:
            raise
        try:
            os.mkdir(name, 0o700, dir_fd=fd)
            made = True
        except FileExistsError:
            pass
        before = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if not stat.S_ISDIR(before.st_mode):
        raise _unsafe(f, done, "not a directory")
    try:
        new = os.open(name, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            raise _unsafe(f, done, "not a directory") from exc
        raise
    if not os.path.samestat(before, os.fstat(new)):
        os.close(new)
        raise _unsafe(f, done, "not a directory")
    if made and mode is not None:
        # mkdir's mode is cut by the umask: set the one asked for
        os.fchmod(new, mode)
    return new


class _Directory:
    """``with _Directory(f, parts) as fd``: a verified fd of the directory ``parts``
    below ``f.base`` (see :func:`_step`), closed on leaving.
    """

    __slots__ = ("fd",)

    def __init__(self, f: PotFile, parts: list[str], mode: int | None = None) -> None:
        fd = os.open(f.base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for i in range(len(parts)):
                new = _step(f, fd, parts[: i + 1], mode)
                os.close(fd)
                fd = new
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def __enter__(self) -> int:
        return self.fd

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        os.close(self.fd)


def directory(f: PotFile, *, create: int | None = None) -> _Directory:
    """``with directory(f) as fd``: a verified fd of the directory ``f``; missing
    directories are made with mode ``create`` when given (FileNotFoundError otherwise).
    """
    return _Directory(f, f.parts, create)


def lstat(f: PotFile) -> os.stat_result | None:
    """``f``'s own status (a link is not followed), None when it or a parent is missing."""
    parts = f.parts
    if not parts:
        return os.stat(f.base)
    try:
        with _Directory(f, parts[:-1]) as fd:
            return os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def is_file(f: PotFile) -> bool:
    """Whether ``f`` is a regular file (not a link to one)."""
    st = lstat(f)
    return st is not None and stat.S_ISREG(st.st_mode)


def is_dir(f: PotFile) -> bool:
    """Whether ``f`` is a directory (not a link to one) reached through no link."""
    try:
        st = lstat(f)
    except UnsafePath:
        return False
    return st is not None and stat.S_ISDIR(st.st_mode)


def _open_regular(f: PotFile, fd: int) -> int:
    name = f.name
    before = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if not stat.S_ISREG(before.st_mode):
        raise _unsafe(f, f.parts, "not a regular file")
    try:
        new = os.open(name, _READ_FLAGS, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise _unsafe(f, f.parts, "not a regular file") from exc
        raise
    if not os.path.samestat(before, os.fstat(new)):
        os.close(new)
        raise _unsafe(f, f.parts, "not a regular file")
    return new


def read_bytes(f: PotFile) -> bytes:
    """The content of the regular file ``f``. FileNotFoundError when missing, OSError
    on other I/O errors, UnsafePath for a link or anything but a regular file.
    """
    with _Directory(f, f.parts[:-1]) as fd, os.fdopen(_open_regular(f, fd), "rb") as file:
        return file.read()


def read_text(f: PotFile) -> str:
    """:func:`read_bytes` decoded (bytes kept as surrogates, newlines as they are)."""
    return read_bytes(f).decode("utf-8", "surrogateescape")


def readable(f: PotFile) -> bool:
    """Whether ``f`` is a regular file that can be opened for reading."""
    try:
        with _Directory(f, f.parts[:-1]) as fd:
            os.close(_open_regular(f, fd))
    except (OSError, UnsafePath):
        return False
    return True


def is_executable(f: PotFile) -> bool:
    """Whether ``f`` is a regular file (not a link) with an execute bit."""
    try:
        st = lstat(f)
    except UnsafePath:
        return False
    return st is not None and stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)


def write(
    f: PotFile,
    data: bytes | str,
    mode: int = FILE_MODE,
    *,
    keep_mode: bool = True,
    parents: int | None = None,
) -> None:
    """Replace ``f`` atomically with ``data``.

    The new content is written to a temporary file created (``O_EXCL``) in the same
    verified directory and renamed over ``f``: a link or node at ``f`` is replaced,
    never written through; a directory there is refused. The file gets ``mode`` (not
    cut by the umask), or with ``keep_mode`` the mode and owner of the regular file it
    replaces. ``parents``: make missing parent directories with that mode. Any failure
    leaves ``f`` as it was and is a PotError naming the file.
    """
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    try:
        with _Directory(f, f.parts[:-1], parents) as fd:
            _replace_in(f, fd, raw, mode, keep_mode=keep_mode)
    except OSError as exc:
        raise PotError(f"{f.host}: cannot be written: {exc.strerror}") from exc


def _replace_in(f: PotFile, fd: int, raw: bytes, mode: int, *, keep_mode: bool) -> None:
    name = f.name
    try:
        old: os.stat_result | None = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise _unsafe(f, f.parts, "not a regular file")
    keep = old if keep_mode and old is not None and stat.S_ISREG(old.st_mode) else None
    # a new file .<name>.<random>.tmp (0600 until the chmod), removed on any failure
    tmp = f".{name}.{os.urandom(4).hex()}.tmp"
    out = os.open(tmp, _CREATE_FLAGS, 0o600, dir_fd=fd)
    try:
        _write_all(out, raw)
        os.fchmod(out, keep.st_mode & 0o7777 if keep else mode)
        if keep is not None and os.geteuid() == 0:
            os.fchown(out, keep.st_uid, keep.st_gid)
        os.fsync(out)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        try:  # noqa: SIM105  (contextlib costs start-up)
            os.unlink(tmp, dir_fd=fd)
        except OSError:
            pass
        raise
    finally:
        os.close(out)


def _write_all(fd: int, raw: bytes) -> None:
    view = memoryview(raw)
    while view:
        view = view[os.write(fd, view) :]


def makedirs(f: PotFile, mode: int = DIR_MODE) -> None:
    """``mkdir -p`` of ``f`` below the pot's folder; new directories get ``mode``."""
    try:
        with _Directory(f, f.parts, mode):
            pass
    except OSError as exc:
        raise PotError(f"{f.host}: cannot be created: {exc.strerror}") from exc


def unlink(f: PotFile) -> None:
    """Remove the file (or link, never its target) ``f`` if it is there."""
    try:
        with _Directory(f, f.parts[:-1]) as fd:
            st = os.stat(f.name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                raise _unsafe(f, f.parts, "not a regular file")
            os.unlink(f.name, dir_fd=fd)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PotError(f"{f.host}: cannot be removed: {exc.strerror}") from exc


def copy_from_host(source: Path, f: PotFile, mode: int = FILE_MODE) -> None:
    """Put the content of the host file ``source`` at ``f`` (see :func:`write`)."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PotError(f"{source}: cannot be read: {exc.strerror}") from exc
    write(f, data, mode, keep_mode=False)


def copy(source: PotFile, target: PotFile) -> None:
    """Copy the regular file ``source`` (of this or another pot) to ``target``, with its
    permission bits (hooks stay executable) but never a set-id bit.
    """
    try:
        with _Directory(source, source.parts[:-1]) as fd:
            new = _open_regular(source, fd)
            with os.fdopen(new, "rb") as file:
                mode = os.fstat(file.fileno()).st_mode & 0o777
                data = file.read()
    except OSError as exc:
        raise PotError(f"{source.host}: cannot be read: {exc.strerror}") from exc
    write(target, data, mode, keep_mode=False)


def check(f: PotFile, kind: str, *, required: bool = False) -> None:
    """Refuse ``f`` unless it is a ``kind`` ("file": regular file, "dir": directory)
    reached through directories only; a missing ``f`` is fine unless ``required``.
    """
    st = lstat(f)
    if st is None:
        if required:
            raise _unsafe(f, f.parts, "missing")
        return
    if kind == "dir" and not stat.S_ISDIR(st.st_mode):
        raise _unsafe(f, f.parts, "not a directory")
    if kind == "file" and not stat.S_ISREG(st.st_mode):
        raise _unsafe(f, f.parts, "not a regular file")
