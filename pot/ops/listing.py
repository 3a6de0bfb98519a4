"""pot list: pots, bases, fscomps, flavours and bridges as upstream finds them."""

from __future__ import annotations

from pathlib import Path

from pot import flavours, jail, model, potconf, zfs
from pot import log as logging
from pot.errors import ConfigError
from pot.potconf import FsCompEntry, PotConf
from pot.record import record, replace
from pot.settings import Settings

# our own notes, not upstream's messages: shown from -vv, on stderr (see pot.cli.output)
trace = logging.getLogger("pot.trace")


@record
class PotSummary:
    """One pot's block of ``pot list``; the verbose fields are empty unless asked for."""

    name: str
    network_type: str
    ip: str
    active: bool
    base: str = ""
    level: str = ""
    potbase: str = ""
    # (mountpoint, dataset) as shown: relative to POT_FS_ROOT/jails/ and POT_ZFS_ROOT/
    datasets: tuple[tuple[str, str], ...] = ()
    snapshots: tuple[str, ...] = ()


def _folders(folder: Path) -> list[str]:
    """Sub-folders as ``ls -d folder/*/`` names them (hidden ones left out), sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir())


def pot_names(s: Settings) -> list[str]:
    return _folders(s.fs_root / "jails")


def base_names(s: Settings) -> list[str]:
    return _folders(s.fs_root / "bases")


def fscomp_names(s: Settings) -> list[str]:
    """The file systems directly below POT_ZFS_ROOT/fscomp."""
    return [name.rsplit("/", 1)[-1] for name in zfs.children(f"{s.zfs_root}/fscomp")]


def flavour_names(s: Settings) -> list[str]:
    """Command files and ``.sh`` scripts of the flavour folder, each name once, sorted.

    Upstream's ``xargs basename`` loses a name when there are exactly two files of a
    kind, and its ``.sh$`` filter hides any name ending in "sh" (``ssh``): both fixed.
    """
    folder = flavours.flavour_dir(s)
    if folder is None:
        return []
    entries = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    return sorted({name.removesuffix(".sh") for name in entries})


def bridge_names(s: Settings) -> list[str]:
    """The files below POT_FS_ROOT/bridges (find -type f), by path."""
    folder = s.fs_root / "bridges"
    if not folder.is_dir():
        return []
    return [p.name for p in sorted(folder.rglob("*")) if p.is_file()]


def pots(s: Settings, *, verbose: bool) -> list[PotSummary]:
    """Every pot's summary; verbose adds base, level, datasets and snapshots.

    Which pots run comes from one ``jls``, the snapshots of all pots from one ``zfs
    list`` of the jails tree.
    """
    names = pot_names(s)
    running = frozenset(jail.running_names()) if names else frozenset()
    if not verbose:
        return [_summary(s, name, running) for name in names]
    jails = model.jails_dataset(s)
    snapshots = zfs.snapshot_tree(jails) if names else []
    return [
        _verbose_summary(s, name, _of_pot(snapshots, f"{jails}/{name}"), running) for name in names
    ]


def _of_pot(snapshots: list[str], dataset: str) -> tuple[str, ...]:
    return tuple(n for n in snapshots if n.startswith((f"{dataset}@", f"{dataset}/")))


def _conf(s: Settings, pot: str) -> PotConf:
    try:
        return potconf.read(model.pot_conf_path(s, pot))
    except ConfigError as exc:
        trace.debug("%s", exc)  # upstream's grep fails quietly: the values are empty
        return PotConf()


def _summary(
    s: Settings, pot: str, running: frozenset[str], conf: PotConf | None = None
) -> PotSummary:
    conf = conf if conf is not None else _conf(s, pot)
    network_type = conf.get("network_type") or ""
    return PotSummary(pot, network_type, conf.raw("ip") or "", pot in running)


def _verbose_summary(
    s: Settings, pot: str, snapshots: tuple[str, ...], running: frozenset[str]
) -> PotSummary:
    conf = _conf(s, pot)
    level = conf.get("pot.level") or ""
    return replace(
        _summary(s, pot, running, conf),
        base=conf.get("pot.base") or "",
        level=level,
        potbase=(conf.get("pot.potbase") or "") if level == "2" else "",
        datasets=tuple(_shown(s, entry) for entry in _fscomps(s, pot)),
        snapshots=snapshots,
    )


def _fscomps(s: Settings, pot: str) -> list[FsCompEntry]:
    try:
        return potconf.read_fscomp(model.fscomp_conf_path(s, pot))
    except ConfigError as exc:
        trace.debug("%s", exc)
        return []


def _shown(s: Settings, entry: FsCompEntry) -> tuple[str, str]:
    """Upstream strips ``POT_FS_ROOT/jails/`` (legacy absolute form) and ``POT_ZFS_ROOT/``."""
    jails = f"{s.get('POT_FS_ROOT')}/jails/"
    return entry.mountpoint.removeprefix(jails), entry.source.removeprefix(f"{s.zfs_root}/")
