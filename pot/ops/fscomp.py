"""create-fscomp and clone-fscomp: the datasets under ``POT_ZFS_ROOT/fscomp``.

An fscomp ("fs component") is a plain dataset, mounted at ``POT_FS_ROOT/fscomp/<name>``,
that pots mount with mount-in.
"""

from __future__ import annotations

from pot import log as logging
from pot import model, zfs
from pot.errors import AlreadyExists, CommandFailed, PotError, PotNotFound, UsageError
from pot.ops import common
from pot.ops.common import Authorize, allowed
from pot.ops.create import last_snapshot
from pot.settings import Settings

log = logging.getLogger(__name__)

# what would split or break a dataset name or a path; upstream checks nothing
_BAD_CHARS = frozenset("/@#%: \t\n\"'\\$`")


def _check_name(name: str) -> None:
    if name.startswith("-") or _BAD_CHARS.intersection(name):
        raise UsageError(f"'{name}' is not a valid fscomp name")


def create_fscomp(s: Settings, name: str, *, authorize: Authorize = allowed) -> bool:
    """Create ``fscomp/<name>``; False (and an info line) when it exists already."""
    if not name:
        raise UsageError("fs component name is missing")
    _check_name(name)
    common.require_init(s)
    dataset = model.fscomp_dataset(s, name)
    if zfs.exists(dataset):
        log.info("fs component %s already exists", dataset)
        return False
    authorize()
    try:
        zfs.create(dataset)
    except CommandFailed as exc:
        raise PotError(str(exc), f"fs component {dataset} creation failed") from exc
    return True


def clone_fscomp(s: Settings, name: str, source: str, *, authorize: Authorize = allowed) -> str:
    """Clone the last snapshot of ``fscomp/<source>`` as ``fscomp/<name>``; the snapshot used."""
    if not name:
        raise UsageError("fscomp name is missing (option -f)")
    if not source:
        raise UsageError("clonable fscomp name is missing (option -F)")
    _check_name(name)
    dataset = model.fscomp_dataset(s, name)
    origin = model.fscomp_dataset(s, source)
    if zfs.exists(dataset):
        raise AlreadyExists(f"fscomp {name} already exists")
    if not zfs.exists(origin):
        raise PotNotFound(f"fscomp {source} doesn't exist")
    authorize()
    snap = last_snapshot(origin)
    if snap is None:
        raise PotError(f"{origin} has no snapshots - please take one")
    log.debug("Cloning %s@%s into %s", source, snap, dataset)
    mountpoint = s.fs_root / "fscomp" / name
    try:
        zfs.clone(f"{origin}@{snap}", dataset, props={"mountpoint": str(mountpoint)})
    except CommandFailed as exc:
        raise PotError(str(exc), f"clone of {origin}@{snap} failed") from exc
    return snap
