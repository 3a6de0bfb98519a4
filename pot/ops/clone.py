"""pot clone: a new pot made of ZFS clones of another pot's snapshots.

The new pot gets clones of the reference pot's datasets (the snapshot given with ``-s``,
else each dataset's last one; ``-F`` snapshots a dataset that has none), the reference's
pot.conf with new network, hostname and dns lines, its hooks and resolv.conf, then the
flavours. As create, it runs under the global lock and removes everything it made when
something fails, unless ``keep``.
"""

from __future__ import annotations

import time
from pathlib import Path

from pot import lock, model, potconf, rootpath, zfs
from pot import log as logging
from pot.errors import CommandFailed, PotError, UsageError
from pot.ops import common, flavour, mounts, network_options
from pot.ops.common import Authorize, allowed, usable_hostname
from pot.ops.create import (
    CUSTOM_DNS,
    NewPotOptions,
    NewPotPlan,
    check_name_length,
    complete,
    last_snapshot,
    new_dataset,
)
from pot.ops.undo import Undo, undo_on_failure
from pot.potconf import FsCompEntry
from pot.pottype import PotType
from pot.record import record
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)

HOOKS = ("prestart.sh", "prestop.sh", "poststart.sh", "poststop.sh")
# the reference's lines that clone writes anew (grep -E, so the dots match anything)
_REPLACED = r"^(host.hostname|bridge|ip|vnet|network_type|pot.stack|pot.dns)"


@record
class CloneOptions(NewPotOptions):
    """The options of clone as given (each already checked on its own); "" = not given."""

    snapshot: str = ""
    autosnap: bool = False


@record
class ClonePlan(NewPotPlan):
    """A consistent clone request, the reference's values filled in."""

    potbase_type: PotType
    snapshot: str
    autosnap: bool


@record
class Cloned:
    pot: str
    dataset: str
    ip: str


def plan(s: Settings, o: CloneOptions) -> ClonePlan:
    """Upstream's checks in its order; errors + help where upstream prints it."""
    if not o.pot:
        raise UsageError("pot name is missing (option -p)")
    check_name_length(s, o.pot)
    if not o.potbase:
        raise UsageError("reference pot name is missing (option -P)")
    if not common.is_pot(s, o.potbase):
        raise UsageError(f"reference pot {o.potbase} not found")
    if common.is_pot(s, o.pot):
        raise UsageError(f"pot {o.pot} already exists")
    if o.snapshot:
        _check_snapshot(s, o)
    conf = common.read_conf(s, o.potbase)
    network_type = o.network_type or conf.get("network_type") or ""
    if not network_type:
        raise PotError(
            f"Configuration file for {o.potbase} contains obsolete elements",
            f"Please run pot update-config -p {o.potbase} to fix",
        )
    potbase_type = common.pot_type(conf)
    if conf.get("pot.level") == "0" and potbase_type != PotType.SINGLE:
        raise UsageError("Level 0 pots cannot be cloned")
    return ClonePlan(
        pot=o.pot,
        potbase=o.potbase,
        potbase_type=potbase_type,
        snapshot=o.snapshot,
        autosnap=o.autosnap,
        network_type=network_type,
        ips=" ".join(o.ips),
        bridge=o.bridge,
        stack=o.stack or conf.get("pot.stack") or s.network_stack,
        dns=o.dns or conf.get("pot.dns") or "",
        flavours=o.flavours,
        keep=o.keep,
        cwd=o.cwd,
    )


def _check_snapshot(s: Settings, o: CloneOptions) -> None:
    if o.autosnap:
        raise UsageError("-s and -F are incompatible - which snapshot should I use")
    available = common.snapshots(s, o.potbase)
    if o.snapshot not in available:
        log.debug("snapshots available %s", "".join(f"{name} " for name in available))
        raise UsageError(f"snapshot {o.snapshot} not found")


def clone(s: Settings, o: CloneOptions, *, authorize: Authorize = allowed) -> Cloned:
    """Check the options, ``authorize`` (the CLI's root check), make the clone (module doc)."""
    # the reference pot's lock: it is not destroyed, renamed or reverted under the clone
    with lock.global_lock(s.lock_file), common.locked(s, o.potbase):
        p = plan(s, o)
        with common.locked(s, p.pot):
            ip = _clone_locked(s, p, authorize)
    return Cloned(p.pot, model.pot_dataset(s, p.pot), ip)


def _clone_locked(s: Settings, p: ClonePlan, authorize: Authorize) -> str:
    """The clone, under the new pot's lock; its address."""
    try:
        ip = network_options.address(s, p.network_type, p.ips, p.bridge, p.stack)
    except network_options.NetworkParamError as exc:
        raise PotError(*exc.lines, usage=True) from exc
    authorize()
    common.remove_incomplete(s, p.pot)
    with undo_on_failure(keep=p.keep) as undo, lock.making(model.pot_dataset(s, p.pot)):
        _make(s, p, ip, undo)
    return ip


def _make(s: Settings, p: ClonePlan, ip: str, undo: Undo) -> None:
    folder = model.pot_dir(s, p.pot)
    undo.new_folder(folder)
    made = new_dataset(undo, model.pot_dataset(s, p.pot), mark="clone")
    conf_dir = model.pot_file(s, p.pot, "conf")
    if not rootpath.is_dir(conf_dir):
        log.debug("Create conf dir (%s)", conf_dir.host)
        undo.new_folder(conf_dir.host)
        rootpath.makedirs(conf_dir, rootpath.DIR_MODE)
    rootpath.unlink(conf_dir.child("fscomp.conf"))
    log.debug("Cloning %s with snap %s", p.potbase, p.snapshot)
    mounts.update_fscomp(s, p.potbase)
    if p.potbase_type == PotType.SINGLE:
        _clone_single(s, p, undo)
    else:
        _clone_multi(s, p, undo)
    _write_conf(s, p, ip)
    for flv in p.flavours:
        flavour.apply(s, p.pot, flv, cwd=p.cwd)
    if made:
        complete(model.pot_dataset(s, p.pot))


# ------------------------------------------------------------------ datasets


def _snapshot_of(dataset: str, p: ClonePlan, undo: Undo) -> str:
    """The snapshot to clone: -s, else the last one, else (-F) a new one."""
    snap = p.snapshot or last_snapshot(dataset)
    if snap:
        return snap
    if not p.autosnap:
        raise PotError(f"{dataset} has no snap - please take a snapshot of {p.potbase}")
    tag = str(int(time.time()))
    log.info("%s has no snap - taking a snapshot on the fly with tag %s", dataset, tag)
    # ours, so it goes again if the clone fails (its clones are destroyed before it)
    undo.dataset(f"{dataset}@{tag}")
    zfs.snapshot(dataset, tag)
    return tag


def _clone(snapshot: str, target: str, mountpoint: Path, undo: Undo) -> None:
    log.debug("clone %s into %s", snapshot, target)
    undo.dataset(target)
    try:
        zfs.clone(snapshot, target, props={"mountpoint": str(mountpoint)})
    except CommandFailed as exc:
        raise PotError(str(exc), f"clone: zfs clone of {snapshot} failed") from exc


def _clone_single(s: Settings, p: ClonePlan, undo: Undo) -> None:
    source = model.pot_dataset(s, p.potbase) + "/m"
    snap = _snapshot_of(source, p, undo)
    target = model.pot_dataset(s, p.pot) + "/m"
    _clone(f"{source}@{snap}", target, model.pot_root(s, p.pot), undo)
    text = rootpath.read_bytes(model.fscomp_conf_path(s, p.potbase))
    rootpath.write(model.fscomp_conf_path(s, p.pot), text, keep_mode=False)


def _clone_multi(s: Settings, p: ClonePlan, undo: Undo) -> None:
    root = model.pot_root(s, p.pot)
    if not root.is_dir():
        log.debug("Creating mountpoint %s", root)
        root.mkdir(parents=True)
    entries: list[FsCompEntry] = []
    for entry in potconf.read_fscomp(model.fscomp_conf_path(s, p.potbase)):
        new = _clone_entry(s, p, entry, undo)
        if new is not None:
            entries.append(new)
    potconf.write_fscomp(model.fscomp_conf_path(s, p.pot), entries)


def _clone_entry(s: Settings, p: ClonePlan, entry: FsCompEntry, undo: Undo) -> FsCompEntry | None:
    """The new pot's line for one line of the reference's fscomp.conf (None: dropped)."""
    if entry.option == "ro":
        log.debug("%s %s %s", entry.source, entry.mountpoint, entry.option)
        return entry
    own = model.pot_dataset(s, p.potbase) + "/"
    if entry.source.startswith(own):
        return _clone_own_dataset(s, p, entry, entry.source[len(own) :], undo)
    if entry.source.startswith(f"{s.zfs_root}/fscomp"):
        # fscomps are shared, not cloned; their option is dropped, as upstream
        log.debug("%s %s", entry.source, entry.mountpoint)
        return FsCompEntry(entry.source, entry.mountpoint)
    log.error("not able to manage %s", entry.source)
    return None


def _clone_own_dataset(
    s: Settings, p: ClonePlan, entry: FsCompEntry, name: str, undo: Undo
) -> FsCompEntry | None:
    target = f"{model.pot_dataset(s, p.pot)}/{name}"
    mountpoint = model.pot_dir(s, p.pot) / name
    snap = _snapshot_of(entry.source, p, undo)
    if zfs.exists(target) and zfs.get(target, "mountpoint") == str(mountpoint):
        log.debug("%s dataset already cloned", name)
        return None
    _clone(f"{entry.source}@{snap}", target, mountpoint, undo)
    new = FsCompEntry(target, entry.mountpoint, entry.option)
    log.debug("%s", new.line())
    return new


# --------------------------------------------------------------------- conf/


def _write_conf(s: Settings, p: ClonePlan, ip: str) -> None:
    conf_dir = model.pot_file(s, p.pot, "conf")
    source_dir = model.pot_file(s, p.potbase, "conf")
    dns = p.dns
    if dns.startswith(CUSTOM_DNS):
        rootpath.copy_from_host(p.cwd / dns[len(CUSTOM_DNS) :], conf_dir.child("resolv.conf"))
        dns = "custom"
    conf = common.read_conf(s, p.potbase)
    conf.remove_matching(_REPLACED)
    conf.append(
        potconf.hostname_line(usable_hostname(p.pot, common.host_name(), s.hostname_max_length))
    )
    conf.add("pot.stack", p.stack)
    conf.add("network_type", p.network_type)
    conf.add("vnet", "true" if p.network_type in ("public-bridge", "private-bridge") else "false")
    if p.network_type != "inherit":
        conf.add("ip", ip)
    if p.network_type == "private-bridge":
        conf.add("bridge", p.bridge)
    conf.add("pot.dns", dns)
    potconf.write(conf_dir.child("pot.conf"), conf)
    _copy_hooks(source_dir, conf_dir, custom_dns=p.dns.startswith(CUSTOM_DNS))


def _copy_hooks(source: PotFile, target: PotFile, *, custom_dns: bool) -> None:
    """The reference's hooks (mode kept: only executable hooks run) and resolv.conf.

    Upstream copies the reference's resolv.conf over a ``-d custom:<file>`` given to
    clone; the file given wins here.
    """
    names = HOOKS if custom_dns else (*HOOKS, "resolv.conf")
    for name in names:
        if rootpath.lstat(source.child(name)) is not None:
            rootpath.copy(source.child(name), target.child(name))
