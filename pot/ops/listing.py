"""pot list: pots, bases, fscomps, flavours and bridges as upstream finds them."""

from __future__ import annotations

import os

from pot import jail, model, potconf, zfs
from pot import log as logging
from pot.errors import CommandFailed, ConfigError
from pot.ops import common
from pot.potconf import FsCompEntry, PotConf
from pot.record import record, replace
from pot.settings import Settings, path_text

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


def _folders(s: Settings, kind: str) -> list[str]:
    """Sub-folders of POT_FS_ROOT/<kind> as ``ls -d folder/*/`` names and orders them
    (hidden ones left out; a link to a folder counts, as with ls). Text paths and
    scandir, not pathlib: ``pot ls`` is run every second by nomad-pot-driver.
    """
    folder = os.path.join(path_text(s.get("POT_FS_ROOT")), kind)
    if not os.path.isdir(folder):
        return []
    with os.scandir(folder) as entries:
        return model.folder_order(
            e.name for e in entries if not e.name.startswith(".") and e.is_dir()
        )


def pot_names(s: Settings) -> list[str]:
    return _folders(s, "jails")


def base_names(s: Settings) -> list[str]:
    return _folders(s, "bases")


def fscomp_names(s: Settings) -> list[str]:
    """The file systems directly below POT_ZFS_ROOT/fscomp."""
    return [name.rsplit("/", 1)[-1] for name in zfs.children(f"{s.zfs_root}/fscomp")]


def flavour_names(s: Settings) -> list[str]:
    """Command files and ``.sh`` scripts of the flavour folder, each name once, sorted.

    Upstream's ``xargs basename`` loses a name when there are exactly two files of a
    kind, and its ``.sh$`` filter hides any name ending in "sh" (``ssh``): both fixed.
    """
    from pot import flavours

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
    names = finished_pot_names(s)
    running = frozenset(jail.running_names()) if names else frozenset()
    if not verbose:
        return [_summary(s, name, running) for name in names]
    jails = model.jails_dataset(s)
    snapshots = zfs.snapshot_tree(jails) if names else []
    return [
        _verbose_summary(s, name, _of_pot(snapshots, f"{jails}/{name}"), running) for name in names
    ]


def finished_pot_names(s: Settings) -> list[str]:
    """What ``ls`` lists: the pots but those a killed create, clone or rename left
    unfinished (upstream lists every folder)."""
    names = pot_names(s)
    if not names:
        return names
    jails = model.jails_dataset(s)
    try:
        tree = zfs.list_tree(jails, user_props=common.MARKS)
    except CommandFailed as exc:
        trace.debug("%s", exc)
        return names
    unfinished = {
        name.rsplit("/", 1)[-1]
        for name, ds in tree.items()
        if name.count("/") == jails.count("/") + 1 and any(ds.props.values())
    }
    return [name for name in names if name not in unfinished]


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
