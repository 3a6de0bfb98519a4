"""pot destroy: remove a pot (and the pots based on it), a base, an fscomp or a bridge.

Upstream checks as it goes and may stop half-way (a running dependent pot, a dataset
with ZFS clones pot does not know about). We check everything first: which pots would
go, that none of them runs unless forced (``-F`` stops them), and that no dataset
outside the doomed set is a clone of one inside it. Then we destroy, with upstream's
messages in upstream's order. A dataset goes with ``zfs destroy -f -r`` and its
leftover mountpoint folder with it.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pot import jail, model, zfs
from pot import log as logging
from pot.errors import CommandFailed, PotError, PotNotFound, PotRunning, worded
from pot.ops import common, lifecycle
from pot.potconf import PotConf
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

Stopper = Callable[[Settings, str], None]
# upstream still removes a pot's syslog snippets and log, though 0.16 no longer makes them
SYSLOG_FILES = (
    "/usr/local/etc/syslog.d/{pot}.conf",
    "/usr/local/etc/newsyslog.conf.d/{pot}.conf",
    "/var/log/pot/{pot}.log",
)


class DestroyFailed(PotError):
    """zfs could not destroy a dataset; ``detail`` is what zfs said on stderr."""

    def __init__(self, *lines: str, detail: str = "") -> None:
        super().__init__(*lines)
        self.detail = detail

    def extended(self, *more: str) -> DestroyFailed:
        return DestroyFailed(*self.lines, *more, detail=self.detail)


@record
class Destroyed:
    """What went: the pots (in the order they were destroyed) and the base or fscomp."""

    pots: tuple[str, ...] = ()
    dataset: str | None = None


# --------------------------------------------------------------------------- stopping


def _stopper(stop: Stopper | None) -> Stopper:
    """The stop to use for a running pot that is forcibly destroyed (``pot stop``'s)."""
    return stop or lifecycle.stop


# --------------------------------------------------------------------------- the pots


def _confs(s: Settings) -> dict[str, PotConf]:
    """Every pot's pot.conf, by name in list order (empty for a pot without one)."""
    return {pot: common.read_conf_or_empty(s, pot) for pot in common.pot_names(s)}


def _get(conf: PotConf, key: str) -> str:
    return conf.get(key) or ""


def _based_on(confs: dict[str, PotConf], pot: str) -> list[str]:
    return [q for q, conf in confs.items() if _get(conf, "pot.potbase") == pot]


def _check_can_go(pots: Sequence[str], *, force: bool, stop: Stopper | None) -> None:
    """No pot of the list runs, unless forced (then each is stopped before it goes)."""
    for pot in pots:
        if jail.is_running(pot) and not force:
            raise PotRunning(f"pot {pot} is running")


def _check_clones(s: Settings, roots: Iterable[str], *more: str) -> None:
    """Refuse when a dataset outside the doomed trees is a ZFS clone of one inside them.

    zfs would refuse too, but only when it reaches that tree: by then other pots may be
    gone. Those clones are unknown to pot (a pot cloned from an imported image, for
    instance); the image is protected on purpose (upstream's behaviour), so say so.
    """
    roots = [r for r in roots if r]
    if not roots:
        return
    tree = zfs.list_tree(zfs.pool_of(s.zfs_root), user_props=())

    def doomed_root(name: str) -> str | None:
        return next((r for r in roots if name == r or name.startswith(r + "/")), None)

    for root in roots:
        clones = sorted(
            d.name
            for d in tree.values()
            if d.origin
            and doomed_root(d.name) is None
            and doomed_root(d.origin.split("@", 1)[0]) == root
        )
        if clones:
            raise DestroyFailed(
                f"{root} has dependent clones: {' '.join(clones)}",
                f"zfs failed to destroy the dataset {root}",
                *more,
            )


def _destroy_dataset(dataset: str, folder: Path) -> None:
    """``zfs destroy -f -r`` and the leftover mountpoint folder; DestroyFailed on failure."""
    try:
        zfs.destroy(dataset, recursive=True, force=True)
    except CommandFailed as exc:
        raise DestroyFailed(
            f"zfs failed to destroy the dataset {dataset}", detail=exc.stderr
        ) from exc
    if folder.is_dir():
        log.debug("Removing leftover mountpoint %s", folder)
        shutil.rmtree(folder)


def _destroy_pot_datasets(s: Settings, pot: str, *, force: bool, stop: Stopper | None) -> bool:
    """Upstream's ``_pot_zfs_destroy``: False (and an error line) when there is nothing."""
    dataset, folder = model.pot_dataset(s, pot), model.pot_dir(s, pot)
    if not zfs.exists(dataset):
        if not folder.is_dir():
            log.error("%s not found", pot)
            return False
        log.debug("Dataset of %s not found, but removing the directory anyway", pot)
        shutil.rmtree(folder)
        return True
    if jail.is_running(pot):
        if not force:
            raise PotRunning(f"pot {pot} is running")
        _stopper(stop)(s, pot)
    # marked first: if pot dies half way, what is left is no pot and the next destroy
    # removes it without -F
    zfs.set_prop(dataset, common.INCOMPLETE, "destroy")
    try:
        _destroy_dataset(dataset, folder)
    except DestroyFailed:
        if zfs.exists(dataset):
            zfs.inherit(dataset, common.INCOMPLETE)  # still whole: still a pot
        raise
    for template in SYSLOG_FILES:
        with contextlib.suppress(OSError):
            Path(template.format(pot=pot)).unlink(missing_ok=True)
    return True


def _remove_status(s: Settings, pot: str) -> None:
    model.status_file(s, pot).unlink(missing_ok=True)


# --------------------------------------------------------------------------- -p


def destroy_pot(
    s: Settings,
    pot: str,
    *,
    recursive: bool = False,
    force: bool = False,
    stop: Stopper | None = None,
) -> Destroyed:
    """Destroy a pot; with ``recursive`` the pots based on it (``pot.potbase``) first.

    A broken pot (upstream's PotCheck fails) goes only with ``force`` and an existing
    dataset. Raises PotNotFound, PotRunning, PotError (dependent pots, level-0 multi
    pot) or DestroyFailed; nothing is destroyed when a check fails.
    """
    # an export, snapshot or start of the pot finishes first: nothing is touched meanwhile
    with common.locked(s, pot):
        return _destroy_pot(s, pot, recursive=recursive, force=force, stop=stop)


def _destroy_pot(
    s: Settings, pot: str, *, recursive: bool, force: bool, stop: Stopper | None
) -> Destroyed:
    if not common.is_pot(s, pot):
        # the leftover of a killed create or clone (we hold its lock): no -F needed
        force = force or common.is_incomplete(s, pot)
        return _destroy_broken_pot(s, pot, force=force, stop=stop)
    confs = _confs(s)
    dependents = _dependents(pot, confs[pot], confs, recursive=recursive)
    doomed = [*dependents, pot]
    _check_can_go(doomed, force=force, stop=stop)
    _check_clones(s, [model.pot_dataset(s, p) for p in doomed], f"{pot} destruction failed")
    for dependent in dependents:
        log.debug("Destroying recursively pot %s based on %s", dependent, pot)
        try:
            with common.locked(s, dependent):
                _destroy_pot_datasets(s, dependent, force=force, stop=stop)
        except DestroyFailed as exc:
            raise exc.extended(f"{pot} destruction failed") from exc
        _remove_status(s, dependent)
    _announce_lost_dependency(pot, {q: c for q, c in confs.items() if q not in doomed})
    log.info("Destroying pot %s", pot)
    try:
        gone = _destroy_pot_datasets(s, pot, force=force, stop=stop)
    except DestroyFailed as exc:
        raise exc.extended(f"{pot} destruction failed") from exc
    if not gone:
        raise PotError(f"{pot} destruction failed")
    _remove_status(s, pot)
    return Destroyed(tuple(doomed))


def _dependents(
    pot: str, conf: PotConf, confs: dict[str, PotConf], *, recursive: bool
) -> list[str]:
    """The pots to destroy first, or upstream's refusal when there are some without -r."""
    level = _get(conf, "pot.level")
    if level == "0" and _get(conf, "pot.type") != "single":
        raise PotError(f"The pot {pot} has level 0. Please destroy the related base insted")
    if level not in ("0", "1"):
        if level == "2" and recursive:
            log.debug("%s has level 2. No recursive destroy possible (ignored)", pot)
        return []
    based = _based_on(confs, pot)
    if based and not recursive:
        if level == "0":
            raise PotError(
                f"{pot} is used at least by another pot ({based[0]})"
                " - use option -r to destroy it recursively"
            )
        raise PotError(
            f"{pot} is used at least by one level 2 pot - use option -r to destroy it recursively"
        )
    return based


def _announce_lost_dependency(pot: str, confs: dict[str, PotConf]) -> None:
    # upstream only tells; the other pot's pot.depend line stays
    for other, conf in confs.items():
        for dependency in conf.get_all("pot.depend"):
            if dependency == pot:
                log.info("pot %s is losing his dependency %s", other, pot)


def _destroy_broken_pot(s: Settings, pot: str, *, force: bool, stop: Stopper | None) -> Destroyed:
    """``-F`` on a pot that fails PotCheck but still has its dataset."""
    problem = common.pot_problem(s, pot) or ""
    if not (force and zfs.exists(model.pot_dataset(s, pot))):
        raise PotNotFound(
            worded("", problem), f"pot {pot} not found or corrupted. Try to use the -F flag"
        )
    _check_can_go([pot], force=force, stop=stop)
    _check_clones(s, [model.pot_dataset(s, pot)], f"Failed to destroy pot {pot}")
    try:
        _destroy_pot_datasets(s, pot, force=force, stop=stop)
    except DestroyFailed as exc:
        raise exc.extended(f"Failed to destroy pot {pot}") from exc
    log.info("Forcibly destroyed pot %s", pot)
    return Destroyed((pot,))


# --------------------------------------------------------------------------- -b


def destroy_base(
    s: Settings,
    base: str,
    *,
    recursive: bool = False,
    force: bool = False,
    stop: Stopper | None = None,
) -> Destroyed:
    """Destroy ``bases/<base>`` and its level-0 pot; with ``recursive`` every pot whose
    ``pot.base`` is the base (level 2, then 1, then 0). Without it any such pot other
    than the level-0 one is a refusal (single pots store the release there, so they count).
    """
    dataset = model.base_dataset(s, base)
    if not base or not zfs.exists(dataset):
        raise PotError(f"{base} is not a base")
    confs = _confs(s)
    users = [p for p, conf in confs.items() if _get(conf, "pot.base") == base]
    if recursive:
        doomed = [p for level in "210" for p in users if _get(confs[p], "pot.level") == level]
    else:
        level0 = model.base_pot_name(base)
        if any(p != level0 for p in users):
            raise PotError(
                f"base {base} is used at least by one pot - use option -r to destroy it recursively"
            )
        doomed = [level0]
    _check_can_go(doomed, force=force, stop=stop)
    _check_clones(s, [*(model.pot_dataset(s, p) for p in doomed), dataset])
    gone = [
        p
        for p in doomed
        if _destroy_base_pot(s, p, base, recursive=recursive, force=force, stop=stop)
    ]
    log.info("Destroying base %s", base)
    _destroy_dataset(dataset, model.base_dir(s, base))
    return Destroyed(tuple(gone), dataset)


def _destroy_base_pot(
    s: Settings, pot: str, base: str, *, recursive: bool, force: bool, stop: Stopper | None
) -> bool:
    if recursive:
        log.info("Destroying recursively pot %s based on %s", pot, base)
    else:
        log.debug("Destroying lvl 0 pot %s", pot)
    gone = _destroy_pot_datasets(s, pot, force=force, stop=stop)
    _remove_status(s, pot)
    return gone


# --------------------------------------------------------------------------- -f and -B


def destroy_fscomp(s: Settings, fscomp: str, *, flags_given: bool = False) -> Destroyed:
    """Destroy ``fscomp/<fscomp>``; pots that mount it are not checked (as upstream)."""
    if flags_given:
        log.info("Destroy fscomps will ignore force and recursive")
    dataset = model.fscomp_dataset(s, fscomp)
    if not fscomp or not zfs.exists(dataset):
        raise PotError(f"{fscomp} is not a fscomp")
    _check_clones(s, [dataset])
    log.info("Destroying fscomp %s", fscomp)
    _destroy_dataset(dataset, s.fs_root / "fscomp" / fscomp)
    return Destroyed((), dataset)


def destroy_bridge(s: Settings, bridge: str, *, flags_given: bool = False) -> Destroyed:
    """Remove a private bridge's file, unless a pot still names it in ``bridge=``."""
    if flags_given:
        log.info("Destroy bridge will ignore force and recursive")
    path = model.bridges_dir(s) / bridge
    if not bridge or not path.exists():
        raise PotNotFound(
            worded("", f"bridge {bridge} not found"), f"{bridge} is not a valid bridge name"
        )
    for pot, conf in _confs(s).items():
        if _get(conf, "bridge") == bridge:
            raise PotError(f"the bridge {bridge} is still used by the pot {pot} - unable to delete")
    log.info("Destroying bridge %s", bridge)
    path.unlink(missing_ok=True)
    return Destroyed()
