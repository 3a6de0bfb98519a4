"""Snapshots of pots and fscomps: snapshot (snap), revert (rollback), purge-snapshots.

A pot's snapshot is recursive over ``jails/<pot>`` and named after the epoch second,
as upstream's ``date +%s``; an fscomp's snapshot covers its one dataset. "Oldest" and
"latest" compare names as strings (upstream sorts ``zfs list`` output), which for epoch
names is their age. ``authorize`` is called where upstream checks for root.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from enum import Enum

from pot import jail, model, zfs
from pot import log as logging
from pot.errors import CommandFailed, PotError, PotRunning, UsageError
from pot.ops import common
from pot.ops.common import Authorize, allowed
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class Kind(Enum):
    POT = "pot"
    FSCOMP = "fscomp"


@record
class Target:
    """What a snapshot command works on: a pot (``-p``) or an fscomp (``-f``)."""

    kind: Kind
    name: str


@record
class Snapshot:
    """One snapshot: ``<dataset>@<name>``."""

    dataset: str
    name: str

    @property
    def full(self) -> str:
        return f"{self.dataset}@{self.name}"


def target(pots: Sequence[str], fscomps: Sequence[str]) -> Target:
    """The one ``-p``/``-f`` given, with upstream's usage errors (a repeated option included)."""
    if len(pots) + len(fscomps) > 1:
        raise UsageError("-p|-f are exclusive")
    if not pots and not fscomps:
        raise UsageError("one of -p|-f has to be used")
    target = Target(Kind.POT, pots[0]) if pots else Target(Kind.FSCOMP, fscomps[0])
    if not target.name:
        raise UsageError("-p|-f options need an argument")
    return target


def dataset(s: Settings, t: Target) -> str:
    if t.kind is Kind.POT:
        return model.pot_dataset(s, t.name)
    return model.fscomp_dataset(s, t.name)


# --------------------------------------------------------------------------- checks


def _check_stopped_pot(s: Settings, pot: str, action: str) -> None:
    common.check_pot(s, pot, f"{pot} is not a pot!", usage=True)
    if jail.is_running(pot):
        raise PotRunning(
            f"The pot {pot} is still running. {action} is possible only for stopped pots"
        )


def is_fscomp(s: Settings, name: str) -> bool:
    """Upstream's ``_zfs_exist``: ``fscomp/<name>`` exists and is mounted where pot expects."""
    name_ = model.fscomp_dataset(s, name)
    if not zfs.exists(name_):
        return False
    found = zfs.dataset(name_, user_props=())
    return found is not None and found.mountpoint == str(s.fs_root / "fscomp" / name)


def _check_fscomp(s: Settings, name: str) -> None:
    if not is_fscomp(s, name):
        raise UsageError(f"{name} is not a valid fscomp")


# --------------------------------------------------------------------------- snapshot


def take(
    s: Settings,
    t: Target,
    *,
    replace: bool = False,
    authorize: Authorize = allowed,
    now: Clock = time.time,
) -> Snapshot:
    """Snapshot a stopped pot (recursively) or an fscomp, named after ``now()`` in seconds.

    With ``replace`` the oldest snapshot is destroyed too, but only after the new one
    exists (upstream destroys first and may lose it when the snapshot then fails).
    Raises PotNotFound/UsageError/PotRunning, or PotError with zfs's reason when zfs
    refuses (a second snapshot in the same second, which upstream ignores).
    """
    with _locked(s, t):
        return _take(s, t, replace=replace, authorize=authorize, now=now)


def _locked(s: Settings, t: Target) -> contextlib.AbstractContextManager[None]:
    """A pot's command lock (an export or destroy of it waits); fscomps have none."""
    return common.locked(s, t.name) if t.kind is Kind.POT else contextlib.nullcontext()


def _take(s: Settings, t: Target, *, replace: bool, authorize: Authorize, now: Clock) -> Snapshot:
    if t.kind is Kind.POT:
        _check_stopped_pot(s, t.name, "Snapshot")
    else:
        _check_fscomp(s, t.name)
    authorize()
    name = dataset(s, t)
    oldest = min(_own_snapshots(name), default=None) if replace else None
    snap = Snapshot(name, str(int(now())))
    log.debug("Take snapshot of %s", t.name)
    try:
        zfs.snapshot(name, snap.name, recursive=t.kind is Kind.POT)
    except CommandFailed as exc:
        # zfs's first line names the reason ("dataset already exists"); the last does not
        reason = exc.stderr.strip().splitlines()[0] if exc.stderr.strip() else str(exc)
        raise PotError(f"Snapshot of {t.name} failed: {reason}") from exc
    if oldest is not None:
        zfs.destroy(f"{name}@{oldest}", recursive=True)
    return snap


def _own_snapshots(name: str) -> list[str]:
    """Names (after ``@``) of the dataset's own snapshots, sorted as strings."""
    return sorted(full.split("@", 1)[1] for full in zfs.snapshots(name))


# --------------------------------------------------------------------------- revert


def revert(s: Settings, t: Target, *, authorize: Authorize = allowed) -> list[Snapshot]:
    """Roll every dataset of the pot (or the fscomp) back to its latest snapshot.

    Datasets are handled deepest first; one without snapshots is reported (info) and
    skipped. Returns the snapshots rolled back to.
    """
    with _locked(s, t):
        return _revert(s, t, authorize)


def _revert(s: Settings, t: Target, authorize: Authorize) -> list[Snapshot]:
    if t.kind is Kind.POT:
        _check_stopped_pot(s, t.name, "Revert")
    else:
        _check_fscomp(s, t.name)
    authorize()
    root = dataset(s, t)
    latest = _latest_snapshots(root)
    done: list[Snapshot] = []
    for name in sorted(zfs.list_tree(root, user_props=()), reverse=True):
        if name not in latest:
            log.info("%s has not snapshot - no possible rollback", name)
            continue
        snap = Snapshot(name, latest[name])
        zfs.rollback(snap.full)
        done.append(snap)
    return done


def _latest_snapshots(root: str) -> dict[str, str]:
    """dataset -> its greatest snapshot name, for the whole tree in one zfs call."""
    latest: dict[str, str] = {}
    for full in zfs.snapshot_tree(root):
        name, snap = full.split("@", 1)
        latest[name] = max(latest.get(name, snap), snap)
    return latest


# --------------------------------------------------------------------------- purge


def purge(
    s: Settings, t: Target, *, everything: bool = False, authorize: Authorize = allowed
) -> list[Snapshot]:
    """Destroy (recursively) all snapshots of the pot's or fscomp's top dataset but the
    latest, or all of them with ``everything``. Returns what was destroyed, oldest first.

    As upstream, a pot needs neither root nor to be stopped; an fscomp needs root.
    """
    with _locked(s, t):
        return _purge(s, t, everything=everything, authorize=authorize)


def _purge(s: Settings, t: Target, *, everything: bool, authorize: Authorize) -> list[Snapshot]:
    if t.kind is Kind.POT:
        common.check_pot(s, t.name, f"{t.name} is not a pot!", usage=True)
    else:
        _check_fscomp(s, t.name)
        authorize()
    name = dataset(s, t)
    names = _own_snapshots(name)
    doomed = [Snapshot(name, snap) for snap in (names if everything else names[:-1])]
    for snap in doomed:
        zfs.destroy(snap.full, recursive=True)
    return doomed
