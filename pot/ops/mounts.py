"""Mounting a pot's file systems on its root ``m/`` and unmounting them (upstream's
``_pot_mount``/``_pot_umount``), for commands that work on a stopped pot's tree.

Mount targets are resolved inside the pot (pot.rootpath): a link in the pot's tree is
followed as the jail would follow it, never onto the host's own directories.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pot import jail, model, mount, potconf, rootpath, zfs
from pot import log as logging
from pot.errors import CommandFailed, PotError
from pot.ops import common
from pot.potconf import FsCompEntry
from pot.settings import Settings

log = logging.getLogger(__name__)

ZFS_REMOUNT = "zfs-remount"


def legacy_prefix(s: Settings, pot: str) -> str:
    """How the old absolute form of fscomp.conf spells the pot's root."""
    return f"{model.pot_root(s, pot)}"


def update_fscomp(s: Settings, pot: str) -> bool:
    """Convert a fscomp.conf with legacy absolute mount points to the relative form.

    As upstream, once one line is legacy every line is rewritten as ``<src> <mnt> <opt>``
    (a trailing blank when there is no option). Returns whether the file was rewritten.
    """
    path = model.fscomp_conf_path(s, pot)
    entries = potconf.read_fscomp(path)
    prefix = legacy_prefix(s, pot)
    if not any(e.mountpoint.startswith(prefix) for e in entries):
        return False
    converted = [
        FsCompEntry(e.source, e.mountpoint.removeprefix(prefix) or "/", e.option) for e in entries
    ]
    potconf.atomic_write(path, "".join(e.rewritten_line() + "\n" for e in converted))
    return True


def target(s: Settings, pot: str, mountpoint: str) -> Path:
    """The host path of a mount point inside the pot, links resolved inside the pot."""
    try:
        return rootpath.resolve(model.pot_root(s, pot), mountpoint, strict=False)
    except rootpath.OutsideRoot:
        raise PotError(f"The mount point {mountpoint} leads outside the pot {pot}") from None
    except OSError as exc:
        raise PotError(f"The mount point {mountpoint} is not valid: {exc.strerror}") from None


def mount_pot(s: Settings, pot: str) -> None:
    """Mount every fscomp.conf entry (in file order) and, unless no-tmpfs, a tmpfs on /tmp.

    On a failure what was mounted is unmounted again, then the error is raised.
    """
    update_fscomp(s, pot)
    try:
        for entry in potconf.read_fscomp(model.fscomp_conf_path(s, pot)):
            _mount_entry(s, pot, entry)
        if common.read_conf(s, pot).get("pot.attr.no-tmpfs") == "YES":
            log.debug("Not mounting tmpfs because of no-tmppfs attribure")
        else:
            _mount_tmpfs(s, pot)
    except PotError:
        umount_pot(s, pot)
        raise


def _mount_entry(s: Settings, pot: str, entry: FsCompEntry) -> None:
    where = target(s, pot, entry.mountpoint)
    if entry.option == ZFS_REMOUNT:
        zfs.set_prop(entry.source, "mountpoint", str(where))
        if zfs.get(entry.source, "mountpoint") != str(where):
            raise PotError(f"_pot_mount: Dataset {entry.source} not mounted at {where}! Aborting")
        log.debug("_pot_mount: the dataset %s is mounted at %s", entry.source, where)
        return
    option = entry.option or "rw"
    if entry.is_directory:
        if not mount.nullfs(entry.source, where, option).ok:
            raise PotError(f"Error mounting {entry.source} on {where}")
    else:
        node = zfs.get(entry.source, "mountpoint")
        if not where.is_dir():
            log.debug("start: creating the missing mountpoint %s", where)
            _make_mountpoint(s, pot, where)
        if not mount.nullfs(node, where, option).ok:
            raise PotError(f"Error mounting {node}")
    log.debug("mount %s", where)


def _make_mountpoint(s: Settings, pot: str, where: Path) -> None:
    """mkdir of a mount point (its parents resolved inside the pot), through no link."""
    folder = model.pot_dir(s, pot)
    try:
        rootpath.makedirs(model.pot_file(s, pot, where.relative_to(folder).as_posix()))
    except (PotError, ValueError):
        raise PotError(f"Error creating the missing mountpoint {where}") from None


def _mount_tmpfs(s: Settings, pot: str) -> None:
    where = target(s, pot, "/tmp")
    if not mount.tmpfs(where).ok:
        raise PotError("Error mounting tmpfs")
    log.debug("mount %s", where)


def umount_pot(s: Settings, pot: str) -> None:
    """Unmount what mount_pot (or start) mounted: tmpfs, devfs and friends, then the
    fscomp.conf entries in reverse order; zfs-remount datasets are moved back.
    """
    conf = common.read_conf(s, pot)
    if conf.get("pot.attr.no-tmpfs") == "YES":
        log.debug("Not umounting tmpfs because of no-tmppfs attribure")
    else:
        _unmount(s, pot, "/tmp")
    if conf.get("pot.attr.fdescfs") == "YES":
        _unmount(s, pot, "/dev/fs")
    _unmount(s, pot, "/dev")
    if conf.get("pot.attr.procfs") == "YES":
        _unmount(s, pot, "/proc")
    path = model.fscomp_conf_path(s, pot)
    if rootpath.lstat(path) is None:
        return
    update_fscomp(s, pot)
    for entry in reversed(potconf.read_fscomp(path)):
        if entry.option == ZFS_REMOUNT:
            _move_back(s, pot, entry.source)
        else:
            _unmount(s, pot, entry.mountpoint)


def _move_back(s: Settings, pot: str, dataset: str) -> None:
    node = str(model.pot_dir(s, pot) / dataset.rsplit("/", 1)[-1])
    try:
        zfs.set_prop(dataset, "mountpoint", node)
        moved = zfs.get(dataset, "mountpoint") == node
    except CommandFailed:
        moved = False
    if moved:
        log.debug("stop: the dataset %s is mounted at %s", dataset, node)
    else:
        log.error("Dataset %s moved to %s (Fix it manually)", dataset, node)


def _unmount(s: Settings, pot: str, mountpoint: str) -> None:
    try:
        where = target(s, pot, mountpoint)
    except PotError:
        where = Path(f"{model.pot_root(s, pot)}{mountpoint}".rstrip("/"))
    unmount_path(where)


def unmount_path(where: Path) -> bool:
    """Upstream's ``_umount``: ``umount -f`` only if something is mounted there.

    Returns False only when umount failed.
    """
    if not mount.is_mounted(where):
        log.debug("%s is already unmounted", where)
        return True
    log.debug("unmount %s", where)
    return mount.force_unmount(where).ok


@contextlib.contextmanager
def mounted_unless_running(s: Settings, pot: str) -> Iterator[bool]:
    """Mount a stopped pot for the body and unmount it after; a running pot is left alone.

    Yields whether the pot was mounted here.
    """
    if jail.is_running(pot):
        yield False
        return
    mount_pot(s, pot)
    try:
        yield True
    finally:
        umount_pot(s, pot)
