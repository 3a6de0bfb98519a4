"""Files in and out of a pot: copy-in, copy-out, mount-in, mount-out.

The copies run as upstream runs them: the host side is nullfs-mounted on a temporary
folder in the pot's ``/tmp`` and ``cp -a`` runs *inside* the pot (``jexec`` for a
running pot, a throw-away ``jail -c`` for a stopped one, whose file systems are mounted
for the occasion), so the destination is resolved by the jail, never on the host. On
top of that the destination is checked on the host first (pot.rootpath): a ``..`` or a
link that climbs above the pot's root is refused.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from pot import jail, lock, model, mount, potconf, rootpath, zfs
from pot import log as logging
from pot.errors import PotError, QuietExit, UsageError, worded
from pot.ops import common, mounts
from pot.ops.common import Authorize, allowed
from pot.potconf import FsCompEntry
from pot.record import record, replace
from pot.settings import Settings

log = logging.getLogger(__name__)

# mktemp(1)'s characters; drawn from os.urandom (secrets would load hashlib, hmac and
# random for it)
_MKTEMP_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _random_text(width: int) -> str:
    """``width`` characters of _MKTEMP_CHARS, unpredictable (the pot's /tmp is the jail's)."""
    return "".join(_MKTEMP_CHARS[byte % len(_MKTEMP_CHARS)] for byte in os.urandom(width))


def _require(value: str, message: str) -> None:
    if not value:
        raise UsageError(message)


def make_temp_dir(s: Settings, pot: str, stem: str) -> Path:
    """``mktemp -d <m>/tmp/<stem><POT_MKTEMP_SUFFIX>``, the pot's /tmp resolved inside it."""
    try:
        parent = rootpath.resolve(model.pot_root(s, pot), "/tmp")
        if not parent.is_dir() or parent.is_symlink():
            raise NotADirectoryError(str(parent))
        suffix = s.get("POT_MKTEMP_SUFFIX")
        fixed = stem + suffix.rstrip("X")
        width = len(suffix) - len(suffix.rstrip("X"))
        for _ in range(100):
            name = fixed + _random_text(width)
            with contextlib.suppress(FileExistsError):
                os.mkdir(parent / name, 0o700)
                return parent / name
    except (OSError, rootpath.OutsideRoot):
        pass
    raise PotError("Failed to build a temporary folder in the pot /tmp")


def _in_pot(s: Settings, pot: str, command: list[str], *, running: bool) -> bool:
    """Run a command inside the pot (jexec when running, else a throw-away jail)."""
    if running:
        return jail.jexec(pot, command) == 0
    return jail.run_in_root(model.pot_root(s, pot), command) == 0


def _refuse_running(s: Settings, pot: str, *, force: bool, message: str) -> bool:
    """Whether the pot runs; without force a running pot ends the command as upstream."""
    if not jail.is_running(pot):
        return False
    if not force:
        log.error(message)
        log.info("Using the -F flag, the operation can be executed anyway, but we disagree")
        raise QuietExit(1)
    return True


# --------------------------------------------------------------------------- copy-in


@record
class CopyIn:
    """A copy-in request: ``-s source -d destination [-F] [-c] [-v]``.

    A relative source is relative to the current directory of the process.
    """

    source: str
    destination: str
    force: bool = False
    create_dirs: bool = False
    verbose: bool = False


def copy_in(s: Settings, pot: str, req: CopyIn, *, authorize: Authorize = allowed) -> None:
    """Copy a host file or directory into the pot (under the global lock, as upstream).

    A directory is copied with its name: into an existing destination directory as
    ``<dest>/<name>``, else as ``<dest>``.
    """
    with lock.global_lock(s.lock_file), common.locked(s, pot):
        _check_copy_in(s, pot, req)
        authorize()
        _check_source(req.source)
        running = _refuse_running(
            s,
            pot,
            force=req.force,
            message="Copying files on a running pot is discouraged, it can partially"
            " expose the host file system to the jail",
        )
        if running:
            log.debug("Copying files on a running pot allowed, because of the -F flag")
        with mounts.mounted_unless_running(s, pot):
            _check_destination(s, pot, req.destination)
            if req.create_dirs:
                _make_parent(s, pot, req.destination, running=running)
            _copy_through_tmp(s, pot, req, running=running)


def _check_copy_in(s: Settings, pot: str, req: CopyIn) -> None:
    _require(pot, "A pot name is mandatory")
    _require(req.source, "A source is mandatory")
    _require(req.destination, "A destination is mandatory")
    if not req.destination.startswith("/"):
        raise PotError("The destination has to be an absolute pathname")
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)


def _check_source(source: str) -> None:
    if not (os.path.isfile(source) or os.path.isdir(source)):
        raise UsageError(f"{source} not valid")
    if not os.access(source, os.R_OK):
        # upstream prints this and goes on; the copy would fail anyway
        raise UsageError(f"{source} not readable")


def _check_destination(s: Settings, pot: str, destination: str) -> None:
    """Refuse a destination that would leave the pot's root (``..``, links)."""
    try:
        rootpath.resolve(model.pot_root(s, pot), destination, strict=False)
    except rootpath.OutsideRoot:
        raise PotError(f"The destination {destination} is outside the pot {pot}") from None
    except OSError as exc:
        log.debug("destination %s: %s", destination, exc.strerror)


def _make_parent(s: Settings, pot: str, destination: str, *, running: bool) -> None:
    parent = os.path.dirname(destination)
    if not _in_pot(s, pot, ["/bin/mkdir", "-p", parent], running=running):
        raise PotError(f"Destination path {destination} NOT created because of an error")
    log.debug("Destination path %s created in the pot %s", destination, pot)


def _copy_through_tmp(s: Settings, pot: str, req: CopyIn, *, running: bool) -> None:
    tmp = make_temp_dir(s, pot, "copy-in")
    source = os.path.abspath(req.source)
    name = os.path.basename(source.rstrip("/"))
    if os.path.isfile(source):
        mounted_on, exposed, inner = tmp, os.path.dirname(source), f"/tmp/{tmp.name}/{name}"
    elif name:
        # mount the directory under its own name, so that cp keeps the name
        mounted_on, exposed, inner = tmp / name, source, f"/tmp/{tmp.name}/{name}"
        mounted_on.mkdir(0o700)
    else:
        mounted_on, exposed, inner = tmp, source, f"/tmp/{tmp.name}"
    if not mount.nullfs(exposed, mounted_on, "ro").ok:
        _remove_dirs(mounted_on, tmp)
        raise PotError("Failed to mount source inside the pot")
    errors: list[str] = []
    if _copy_into_place(s, pot, req, inner, name, running=running):
        log.debug("Source %s copied in the pot %s", req.source, pot)
    else:
        errors.append(f"Source {req.source} NOT copied because of an error")
    if mount.force_unmount(mounted_on).ok:
        _remove_dirs(mounted_on, tmp)
    else:
        errors.append("Failed to unmount the source tmp folder from the pot")
    if errors:
        raise PotError(*errors)


def _copy_into_place(
    s: Settings, pot: str, req: CopyIn, inner: str, name: str, *, running: bool
) -> bool:
    """``cp -a`` inside the pot to a temporary name next to the final one, renamed when
    complete: a failing copy (a full disk) leaves nothing behind. A directory copied
    into an existing directory of the same name is merged, as cp does, in place.
    """
    cp = ["/bin/cp", "-va" if req.verbose else "-a", inner]
    final = _final_name(s, pot, req.destination, name)
    if final is None:
        return _in_pot(s, pot, [*cp, req.destination], running=running)
    parent, base = final.rsplit("/", 1)
    temp = f"{parent}/.{base}.copy-in.{os.urandom(4).hex()}"
    if _in_pot(s, pot, [*cp, temp], running=running) and _in_pot(
        s, pot, ["/bin/mv", temp, final], running=running
    ):
        return True
    _in_pot(s, pot, ["/bin/rm", "-rf", temp], running=running)
    return False


def _final_name(s: Settings, pot: str, destination: str, name: str) -> str | None:
    """The in-pot path the copy ends up at (``<dest>/<name>`` when dest is a directory);
    None when that is an existing directory or cannot be told (then cp runs directly).
    """
    dest = destination.rstrip("/")
    if not name or not dest:
        return None
    root = model.pot_root(s, pot)
    try:
        if rootpath.resolve(root, dest, strict=False).is_dir():
            dest = f"{dest}/{name}"
            if rootpath.resolve(root, dest, strict=False).is_dir():
                return None
    except (OSError, rootpath.OutsideRoot):
        return None
    return dest


def _remove_dirs(*folders: Path) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


# -------------------------------------------------------------------------- copy-out


@record
class CopyOut:
    """A copy-out request: ``-s <source in the pot> -d <host directory> [-F] [-v]``."""

    source: str
    destination: str
    force: bool = False
    verbose: bool = False


def copy_out(s: Settings, pot: str, req: CopyOut, *, authorize: Authorize = allowed) -> None:
    """Copy a file or directory of the pot into a host directory."""
    _require(pot, "A pot name is mandatory")
    _require(req.source, "A source is mandatory")
    _require(req.destination, "A destination is mandatory")
    if not req.source.startswith("/"):
        raise PotError("The source has to be an absolute pathname")
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    authorize()
    dest = req.destination
    if not (os.path.isdir(dest) and os.access(dest, os.R_OK | os.X_OK)):
        # upstream prints this but goes on (and then fails to mount); we stop here
        raise UsageError(f"{dest} not valid")
    running = _refuse_running(
        s,
        pot,
        force=req.force,
        message="Copying files from a running pot is discouraged, it can partially"
        " expose the host file system to the jail",
    )
    if running:
        log.debug("Copying files from a running pot allowed, because of the -F flag")
    with mounts.mounted_unless_running(s, pot):
        _copy_out_through_tmp(s, pot, req, running=running)


def _copy_out_through_tmp(s: Settings, pot: str, req: CopyOut, *, running: bool) -> None:
    tmp = make_temp_dir(s, pot, "copy-out")
    if not mount.nullfs(os.path.abspath(req.destination), tmp, None).ok:
        _remove_dirs(tmp)
        raise PotError("Failed to mount destination inside the pot")
    errors: list[str] = []
    cp_opt = "-va" if req.verbose else "-a"
    if _in_pot(s, pot, ["/bin/cp", cp_opt, req.source, f"/tmp/{tmp.name}"], running=running):
        log.debug("Source %s copied from the pot %s", req.source, pot)
    else:
        errors.append(f"Source {req.source} NOT copied because of an error")
    if mount.force_unmount(tmp).ok:
        _remove_dirs(tmp)
    else:
        errors.append("Failed to unmount the source tmp folder from the pot")
    if errors:
        raise PotError(*errors)


# -------------------------------------------------------------------------- mount-in

_NOT_VALID_MOUNTPOINT = "The mountpoint is not valid!"


@record
class MountIn:
    """A mount-in request: one of fscomp (``-f``), directory (``-d``), dataset (``-z``),
    the mount point inside the pot (``-m``), ``-w`` (zfs remount) and ``-r`` (read-only).
    """

    mountpoint: str
    fscomp: str = ""
    directory: str = ""
    dataset: str = ""
    remount: bool = False
    readonly: bool = False


def _check_mountpoint_syntax(mountpoint: str) -> None:
    _require(mountpoint, "A mount point is mandatory")
    if any(c.isspace() for c in mountpoint):
        raise PotError("The mountpoint cannot contain spaces")
    if not mountpoint.startswith("/"):
        raise PotError("The mount point has to be an absolute pathname")
    if mountpoint == "/":
        raise PotError("/ is not a valid mount point")


def _check_sources(req: MountIn) -> None:
    if not (req.fscomp or req.directory or req.dataset):
        raise UsageError("One of -f|-d|-z option has to be used")
    if req.fscomp and req.directory:
        raise UsageError("-f and -d options are mutually exclusive")
    if req.fscomp and req.dataset:
        raise UsageError("-f and -z options are mutually exclusive")
    if req.directory and req.dataset:
        raise UsageError("-d and -z options are mutually exclusive")


def _mount_option(req: MountIn) -> str | None:
    if req.remount:
        if req.directory:
            raise UsageError("Remount cannot be used with directories, but with fscomp only")
        if req.readonly:
            log.info(
                "Readonly and remount are mutually exclusive: readonly considered, remount ignored"
            )
            return "ro"
        return mounts.ZFS_REMOUNT
    return "ro" if req.readonly else None


def _check_fscomp(s: Settings, fscomp: str) -> None:
    problem = None
    dataset = model.fscomp_dataset(s, fscomp)
    if not (s.fs_root / "fscomp" / fscomp).is_dir():
        problem = f"fscomp {fscomp} not found"
    elif not zfs.exists(dataset):
        problem = f"dataset {dataset} for fscomp {fscomp} not found"
    if problem is not None:
        raise UsageError(worded("", problem), f"fscomp {fscomp} is not valid")


def _fscomp_text(s: Settings, pot: str) -> str:
    path = model.fscomp_conf_path(s, pot)
    try:
        return rootpath.read_text(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise PotError(f"{path.host}: cannot be read: {exc.strerror}") from exc


def _check_directory(s: Settings, pot: str, directory: str) -> str:
    """The directory to mount, made absolute; refused when already used or the pot's own."""
    if not os.path.isdir(directory):
        raise UsageError(f"{directory} is not a directory")
    if not directory.startswith("/"):
        directory = os.path.realpath(directory)
    pot_dir = str(model.pot_dir(s, pot))
    own = directory.endswith(pot_dir) or directory.startswith(pot_dir + "/")
    used = any(f"{directory} " in line for line in _fscomp_text(s, pot).split("\n"))
    if own or used:
        raise PotError(f"Directory {directory} not valid, already used or already part of the pot")
    return directory


def mount_in(s: Settings, pot: str, req: MountIn, *, authorize: Authorize = allowed) -> None:
    """:func:`_mount_in` under the pot's lock."""
    with common.locked(s, pot):
        _mount_in(s, pot, req, authorize=authorize)


def _mount_in(s: Settings, pot: str, req: MountIn, *, authorize: Authorize) -> None:
    """Add a mount to fscomp.conf (a directory in the relative form, a dataset or fscomp in
    the legacy absolute form, as upstream) and, if the pot runs, mount it now.
    """
    # upstream drops one trailing slash of -d
    req = replace(req, directory=req.directory.removesuffix("/"))
    _require(pot, "A pot name is mandatory")
    _check_sources(req)
    _check_mountpoint_syntax(req.mountpoint)
    option = _mount_option(req)
    if req.fscomp:
        _check_fscomp(s, req.fscomp)
    if req.dataset and not zfs.exists(req.dataset):
        raise UsageError(f"dataset {req.dataset} is not valid")
    directory = _check_directory(s, pot, req.directory) if req.directory else ""
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    authorize()
    real = _real_mountpoint(s, pot, req.mountpoint)
    if directory:
        _add_directory(s, pot, directory, real, option)
    else:
        dataset = req.dataset or model.fscomp_dataset(s, req.fscomp)
        _add_dataset(s, pot, dataset, real, option)


def _in_use(s: Settings, pot: str, mountpoint: str) -> list[str]:
    """Upstream's mount point check of mount-in: the messages, [] when it is free."""
    legacy = f"{model.pot_root(s, pot)}/{mountpoint.removeprefix('/')}"
    entries = potconf.parse_fscomp(_fscomp_text(s, pot))
    # upstream finds only the legacy form; the relative one is the same mount point
    if any(e.mountpoint in (legacy, mountpoint) for e in entries):
        return [f"The mount point {mountpoint} is already in use"]
    if any(e.source.endswith(legacy) for e in entries):
        return [
            "The mountpoint is already used as source directory mount-in",
            f"The mount point {mountpoint} is already in use",
        ]
    return []


def _real_mountpoint(s: Settings, pot: str, mountpoint: str) -> str:
    """Create the mount point inside the pot (mounted for the occasion) and return its
    real path inside the pot, links resolved (upstream: ``chroot m realpath``).
    """
    problems = _in_use(s, pot, mountpoint)
    if problems:
        raise PotError(*problems, _NOT_VALID_MOUNTPOINT)
    root = model.pot_root(s, pot)
    with _pot_mounted(s, pot):
        try:
            real = rootpath.inside(root, rootpath.make_dirs(root, mountpoint))
        except rootpath.OutsideRoot:
            message = f"The mount point {mountpoint} is outside the pot {pot}"
            raise PotError(message, _NOT_VALID_MOUNTPOINT) from None
        except OSError:
            raise PotError(_NOT_VALID_MOUNTPOINT) from None
    if real == "/":
        raise PotError("/ is not a valid mount point", _NOT_VALID_MOUNTPOINT)
    return real


@contextlib.contextmanager
def _pot_mounted(s: Settings, pot: str) -> Iterator[None]:
    """The pot mounted for the body unless it runs; a failure to mount is upstream's two
    lines (the mount's own messages are not shown, as upstream sends them to /dev/null).
    """
    running = jail.is_running(pot)
    if not running:
        try:
            mounts.mount_pot(s, pot)
        except PotError as exc:
            raise PotError(f"Pot {pot} failed to mount", _NOT_VALID_MOUNTPOINT) from exc
    try:
        yield
    finally:
        if not running:
            mounts.umount_pot(s, pot)


def _append_fscomp(s: Settings, pot: str, entry: FsCompEntry) -> None:
    text = _fscomp_text(s, pot)
    if text and not text.endswith("\n"):
        text += "\n"
    potconf.atomic_write(model.fscomp_conf_path(s, pot), text + entry.line() + "\n")


def _live_target(s: Settings, pot: str, real: str) -> Path:
    return model.pot_root(s, pot) / real.removeprefix("/")


def _add_directory(s: Settings, pot: str, directory: str, real: str, option: str | None) -> None:
    log.debug("add directory:%s mnt_p:%s opt:%s", directory, real, option or "")
    _append_fscomp(s, pot, FsCompEntry(directory, real, option))
    if jail.is_running(pot):
        if not mount.nullfs(directory, _live_target(s, pot, real), option or "rw").ok:
            raise PotError(f"Error mounting {directory} on {pot}")
        log.debug("Mounted %s on %s", directory, pot)


def _add_dataset(s: Settings, pot: str, dataset: str, real: str, option: str | None) -> None:
    where = _live_target(s, pot, real)
    log.debug("mount zfs dataset:%s mnt_p:%s opt:%s", dataset, where, option or "")
    _append_fscomp(s, pot, FsCompEntry(dataset, str(where), option))
    if not jail.is_running(pot):
        return
    if option == mounts.ZFS_REMOUNT:
        zfs.set_prop(dataset, "mountpoint", str(where))
        return
    node = zfs.get(dataset, "mountpoint")
    if not mount.nullfs(node, where, option or "rw").ok:
        raise PotError(f"Error mounting {node} on {pot}")
    log.debug("Mounted %s on %s", node, pot)


# ------------------------------------------------------------------------- mount-out


def mount_out(s: Settings, pot: str, mountpoint: str, *, authorize: Authorize = allowed) -> None:
    """:func:`_mount_out` under the pot's lock."""
    with common.locked(s, pot):
        _mount_out(s, pot, mountpoint, authorize=authorize)


def _mount_out(s: Settings, pot: str, mountpoint: str, *, authorize: Authorize) -> None:
    """Remove the mount at ``mountpoint`` from fscomp.conf (either form) and, if the pot
    runs, unmount it.
    """
    _require(pot, "A pot name is mandatory")
    _require(mountpoint, "A mount point is mandatory")
    if not mountpoint.startswith("/"):
        raise PotError("The mount point has to be an absolute pathname")
    if mountpoint == "/":
        raise PotError("/ is not a valid mount point")
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    authorize()
    real = _used_mountpoint(s, pot, mountpoint)
    legacy = str(_live_target(s, pot, real))
    lines = _fscomp_text(s, pot).split("\n")
    kept = [
        line
        for line in lines
        if not (line.strip() and FsCompEntry.parse(line).mountpoint in (real, legacy))
    ]
    potconf.atomic_write(model.fscomp_conf_path(s, pot), "\n".join(kept))
    if jail.is_running(pot):
        if not mounts.unmount_path(Path(legacy)):
            raise PotError(f"Error umounting {real.removeprefix('/')} on {pot}")
        log.debug("Umounted %s on %s", real.removeprefix("/"), pot)


def _used_mountpoint(s: Settings, pot: str, mountpoint: str) -> str:
    """The real path of a mount point that fscomp.conf lists, or upstream's two errors."""
    root = model.pot_root(s, pot)
    real = None
    with _pot_mounted(s, pot), contextlib.suppress(OSError, rootpath.OutsideRoot):
        real = rootpath.inside(root, rootpath.resolve(root, mountpoint))
    if real is not None:
        legacy = str(_live_target(s, pot, real))
        entries = potconf.parse_fscomp(_fscomp_text(s, pot))
        if any(e.mountpoint in (real, legacy) for e in entries):
            return real
    raise PotError(f"The mount point {mountpoint} is not in use", _NOT_VALID_MOUNTPOINT)
