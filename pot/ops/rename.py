"""pot rename: give a stopped pot a new name, in ZFS, in its files and in other pots'.

As upstream: the pot's fscomp.conf paths and hostname change, its datasets are
unmounted, moved and mounted again, and every pot's fscomp.conf, ``pot.potbase`` and
``pot.depend`` follow. The status file keeps its old name, as upstream's does.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from pot import jail, model, potconf, rootpath, zfs
from pot.errors import AlreadyExists, ConfigError, PotRunning, UsageError
from pot.ops import common
from pot.ops.common import Authorize, allowed
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Renamed:
    old: str
    new: str
    hostname: str


def rename(
    s: Settings,
    old: str,
    new: str,
    *,
    authorize: Authorize = allowed,
    host: str | None = None,
) -> Renamed:
    """Rename pot ``old`` to ``new``; ``host`` is the host name for the new hostname
    (``<new>.<host>``, no length limit, as upstream), the machine's by default.

    Raises UsageError, PotNotFound, AlreadyExists or PotRunning before anything changes.
    """
    if not old:
        raise UsageError("pot name is missing (-p)")
    if not new:
        raise UsageError("new name is missing (-n)")
    common.check_pot(s, old, f"{old} is not a valid pot")
    if common.is_pot(s, new):
        raise AlreadyExists(f"pot {new} exists already")
    if jail.is_running(old):
        raise PotRunning(f"pot {old} is still running")
    authorize()
    hostname = f"{new}.{host if host is not None else socket.gethostname()}"
    multi = common.pot_type(common.read_conf(s, old)) is model.PotType.MULTI
    _rename_conf(s, old, new, hostname)
    _rename_datasets(s, old, new, multi=multi)
    _rename_references(s, old, new)
    return Renamed(old, new, hostname)


def _jails_path(pot: str) -> str:
    return f"/jails/{pot}/"


def _rename_conf(s: Settings, old: str, new: str, hostname: str) -> None:
    """The pot's own files: fscomp.conf paths and ``host.hostname`` (deleted, appended)."""
    _replace_in_file(model.fscomp_conf_path(s, old), _jails_path(old), _jails_path(new))
    conf = common.read_conf(s, old)
    conf.remove("host.hostname")
    conf.append(potconf.hostname_line(hostname))
    common.write_conf(s, old, conf)


def _replace_in_file(path: PotFile, old: str, new: str) -> None:
    """Replace text everywhere in a file (upstream's ``sed s%old%new%g``); no file, no edit."""
    try:
        text = rootpath.read_text(path)
    except OSError:
        return
    if old in text:
        potconf.atomic_write(path, text.replace(old, new))


def _rename_datasets(s: Settings, old: str, new: str, *, multi: bool) -> None:
    """Unmount, point the children's mountpoints at the new folder, rename, mount again."""
    source, target = model.pot_dataset(s, old), model.pot_dataset(s, new)
    children = ("usr.local", "custom") if multi else ("m",)
    present = set(zfs.list_tree(source, user_props=()))
    for child in children:
        if f"{source}/{child}" in present:
            log.debug("Preparing %s/%s", source, child)
            zfs.unmount(f"{source}/{child}", force=True)
            mountpoint = model.pot_dir(s, new) / child
            zfs.set_prop(f"{source}/{child}", "mountpoint", str(mountpoint))
    if source in present:
        log.debug("Preparing %s", source)
        zfs.unmount(source, force=True)
    log.debug("Renaming %s in %s", source, target)
    zfs.rename(source, target)
    _remove_empty_folder(model.pot_dir(s, old))
    log.debug("Mount %s", target)
    zfs.mount(target)
    for child in reversed(children):
        if f"{source}/{child}" in present:
            zfs.mount(f"{target}/{child}")


def _remove_empty_folder(folder: Path) -> None:
    # the old mountpoint, if zfs left it: it would look like a pot in `ls jails/`
    with contextlib.suppress(OSError):
        folder.rmdir()


def _rename_references(s: Settings, old: str, new: str) -> None:
    """Every pot's fscomp.conf paths, ``pot.potbase=<old>`` and ``pot.depend=<old>`` lines."""
    for pot in common.pot_names(s):
        _replace_in_file(model.fscomp_conf_path(s, pot), _jails_path(old), _jails_path(new))
        try:
            conf = common.read_conf(s, pot)
        except ConfigError:
            continue
        changed = conf.replace_line(f"pot.potbase={old}", f"pot.potbase={new}")
        changed += conf.replace_line(f"pot.depend={old}", f"pot.depend={new}")
        if changed:
            common.write_conf(s, pot, conf)
