"""Bases: FreeBSD release trees under ``bases/<name>`` and their level-0 pot (create-base).

Layout of a base ``B`` made from release ``REL`` (as upstream's create-base):

* datasets ``bases/B`` (mounted at ``POT_FS_ROOT/bases/B``), ``bases/B/usr.local``
  (at ``…/usr/local``) and ``bases/B/custom`` (at ``…/opt/custom``);
* ``base.txz`` extracted into it (``tar xkf``), ``.osrelease`` holding ``REL``;
* ``etc``, ``root`` and ``var`` moved into ``opt/custom`` and replaced by symlinks, so
  that the per-pot parts of a release live on the ``custom`` dataset;
* the level-0 pot ``base-<B with its first . turned into _>`` and one snapshot (same
  name) of each of its read-write datasets.

Anything made here is removed again when a later step fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from pot import log as logging
from pot import model, potconf, proc, release, zfs
from pot.errors import CommandFailed, PotError, UsageError
from pot.ops import common, create
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

# characters a base name can never hold: they would split or break dataset names/paths
_BAD_NAME_CHARS = frozenset("/@#%: \t\n\"'\\$`")


@record
class NewBase:
    """A validated create-base request."""

    release: str
    name: str


@record
class Base:
    """What create-base made."""

    name: str
    release: str  # as in .osrelease: 14.1-RELEASE, 14.0-RC1
    dataset: str
    path: Path
    pot: str
    snapshot: str


def is_base(s: Settings, name: str) -> bool:
    """Upstream's base check: its folder and its dataset exist."""
    return (
        bool(name) and model.base_dir(s, name).is_dir() and zfs.exists(model.base_dataset(s, name))
    )


def check_release_option(s: Settings, value: str) -> None:
    """``-r``: checked as soon as it is parsed, as upstream's getopts loop does."""
    if not release.is_valid_release(s, value):
        raise UsageError(f"{value} is not a supported release", *release.release_problem(s, value))


def check_name_option(s: Settings, value: str) -> None:
    """``-b``: checked as soon as it is parsed, as upstream's getopts loop does."""
    if is_base(s, value):
        raise PotError(f"{value} is already a base")


def plan(s: Settings, rel: str | None, name: str | None) -> NewBase:
    """The checks after option parsing; the base name defaults to the release."""
    if not rel:
        raise UsageError("option -r is mandatory")
    if not name:
        name = rel
        log.info("Automatically use %s as base name", rel)
    if name != rel and release.is_valid_release(s, name):
        raise UsageError(f"{name} has the name of another valid release and that's forbidden")
    # upstream accepts any name; these would make broken datasets or paths
    if name.startswith("-") or _BAD_NAME_CHARS.intersection(name):
        raise UsageError(f"{name} is not a valid base name")
    if is_base(s, name):
        raise PotError(f"{name} already exist")
    return NewBase(rel, name)


def create_base(s: Settings, new: NewBase, *, progress: release.Progress | None = None) -> Base:
    """Fetch the release, build ``bases/<name>`` and its level-0 pot; see the module doc.

    Raises PotError (nothing of the base is left behind then); the verified tarball
    stays in the cache for the next try.
    """
    common.require_init(s)
    log.info("Create a base with release %s", new.release)
    tarball = release.fetch_base(s, new.release, progress=progress)
    pot = model.base_pot_name(new.name)
    with _undo_on_failure() as undo:
        _make_datasets(s, new.name, undo)
        _extract(s, tarball, new.name, release.release_name(new.release))
        log.info("Create the related pot [%s]", pot)
        if not common.is_pot(s, pot):
            undo(lambda: _remove_pot(s, pot))
            _create_base_pot(s, new.name, pot)
        log.debug("Taking a snapshot fo %s", pot)
        snap = snapshot_full(s, pot)
    return Base(
        new.name,
        release.release_name(new.release),
        model.base_dataset(s, new.name),
        model.base_dir(s, new.name),
        pot,
        snap,
    )


# ------------------------------------------------------------------ clean-up on failure

Undo = Callable[[Callable[[], None]], None]


@contextmanager
def _undo_on_failure() -> Iterator[Undo]:
    """Collect undo steps; run them (newest first) when the body raises, then re-raise."""
    steps: list[Callable[[], None]] = []
    try:
        yield steps.append
    except BaseException:
        for step in reversed(steps):
            try:
                step()
            except (PotError, OSError) as exc:
                # the original failure is what the user must see; a leftover is worth a line
                log.error("clean-up failed: %s", exc)
        raise


def _remove_pot(s: Settings, pot: str) -> None:
    dataset = model.pot_dataset(s, pot)
    if zfs.exists(dataset):
        zfs.destroy(dataset, recursive=True)
    shutil.rmtree(model.pot_dir(s, pot), ignore_errors=True)


# ------------------------------------------------------------------ datasets


def _make_datasets(s: Settings, name: str, undo: Undo) -> None:
    """``bases/<name>``, its ``usr.local`` and ``custom``; existing ones (right mountpoint) stay."""
    dataset = model.base_dataset(s, name)
    folder = model.base_dir(s, name)
    log.info("Create the zfs datasets for base release %s", dataset)
    if not folder.exists():
        undo(partial(_rmdir_quietly, folder))
    children: tuple[tuple[str, Path, dict[str, str]], ...] = (
        (dataset, folder, {}),
        (f"{dataset}/usr.local", folder / "usr" / "local", {"mountpoint": f"{folder}/usr/local"}),
        (f"{dataset}/custom", folder / "opt" / "custom", {"mountpoint": f"{folder}/opt/custom"}),
    )
    try:
        for child, mountpoint, props in children:
            if _dataset_at(child, mountpoint):
                continue
            zfs.create(child, props=props)
            undo(partial(_destroy_dataset, child))
    except CommandFailed as exc:
        raise PotError(*exc.lines, f"zfs dataset of {name} failed") from exc


def _dataset_at(dataset: str, mountpoint: Path) -> bool:
    """Upstream's _zfs_exist: the dataset exists and is mounted (configured) there."""
    return zfs.exists(dataset) and zfs.get(dataset, "mountpoint") == str(mountpoint)


def _destroy_dataset(dataset: str) -> None:
    if zfs.exists(dataset):
        zfs.destroy(dataset, recursive=True)


def _rmdir_quietly(folder: Path) -> None:
    """Remove a mountpoint folder zfs left behind, if it is empty."""
    # not empty: something that is not ours stays
    with contextlib.suppress(OSError):
        folder.rmdir()


# ------------------------------------------------------------------ tree layout


def _extract(s: Settings, tarball: Path, name: str, osrelease: str) -> None:
    """Unpack the release and move its per-pot parts into ``opt/custom``."""
    root = model.base_dir(s, name)
    release.extract(tarball, root, "create-base")
    try:
        layout(root, osrelease)
    except OSError as exc:
        raise PotError(f"base {name}: {exc}") from exc


def layout(root: Path, osrelease: str) -> None:
    """Upstream's link layout on an extracted release at root (custom mounted at opt/custom)."""
    (root / ".osrelease").write_text(osrelease + "\n")
    custom = root / "opt" / "custom"
    proc.run(["cp", "-a", "root", "etc", "var", "opt/custom/"], cwd=root)
    for folder in (custom / "usr.local.etc", custom / "usr.home", root / "usr" / "ports"):
        folder.mkdir(parents=True, exist_ok=True)
    _clear_schg(root / "var" / "empty")
    for top in ("etc", "root", "var"):
        shutil.rmtree(root / top)
    _symlink(root / "etc", "opt/custom/etc")
    _symlink(root / "root", "opt/custom/root")
    _symlink(root / "var", "opt/custom/var")
    # upstream tests -e, which is false for a dangling link (a release's home -> usr/home
    # before usr/home exists); keeping such a link is right, it resolves once usr/home does
    if not os.path.lexists(root / "home"):
        _symlink(root / "home", "opt/custom/usr.home")
    _symlink(root / "usr" / "home", "../opt/custom/usr.home")
    _symlink(root / "usr" / "local" / "etc", "../../opt/custom/usr.local.etc")
    (root / "usr" / "local" / "var.db.pkg").mkdir(parents=True, exist_ok=True)
    pkg = custom / "var" / "db" / "pkg"
    pkg.parent.mkdir(parents=True, exist_ok=True)
    _remove(pkg)
    _symlink(pkg, "../../../../usr/local/var.db.pkg")


def _clear_schg(path: Path) -> None:
    # FreeBSD marks var/empty system-immutable; other systems have no chflags (nor the flag)
    if path.exists() and proc.available("chflags"):
        proc.run(["chflags", "-R", "noschg", str(path)])


def _symlink(link: Path, target: str) -> None:
    link.symlink_to(target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


# ------------------------------------------------------------------ the base pot


def _create_base_pot(s: Settings, base: str, pot: str) -> None:
    """Create the level-0 pot of a base: ``create -l 0 -b <base> -p <pot> -f fbsd-update``.

    The fbsd-update flavour is a bootstrap script (freebsd-update inside the running
    pot), which needs pot start: until this version has it, the pot gets no flavour.
    """
    log.debug("The flavour fbsd-update needs pot start: not applied to %s", pot)
    create.create(s, create.CreateOptions(pot=pot, level="0", base=base))


def snapshot_full(s: Settings, pot: str) -> str:
    """Snapshot every read-write dataset of the pot's fscomp.conf with one epoch name."""
    tag = str(int(time.time()))
    log.debug("Take snapshot of the full %s", pot)
    for entry in potconf.read_fscomp(model.fscomp_conf_path(s, pot)):
        if entry.option == "ro":
            continue
        if entry.is_directory:
            log.debug("Skip %s, it's not a dataset", entry.source)
            continue
        log.debug("snapshot of %s", entry.source)
        zfs.snapshot(entry.source, tag)
    return tag
