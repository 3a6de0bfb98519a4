"""pot export: a single pot's snapshot as an image, in upstream's format.

The image of pot ``P`` with tag ``T`` in folder ``D`` is ``D/P_T.xz`` (the ``zfs send -R``
stream of ``jails/P@SNAP``, xz-compressed), ``.meta`` (``-``, or ``O:TAG@SNAP`` when the
pot is a clone of pot ``O``), ``.skein`` and, with a secret key, ``.skein.sig``. One pass
reads the send stream, compresses it on every core, writes the .xz and hashes it; the
files are written under temporary names and renamed only once all of them are complete,
and both stages are checked (upstream misses a failing ``zfs send`` and reports a
failed hash or signature but exits 0). Any failure, Ctrl-C or SIGTERM leaves no image
file behind; a SIGKILL can leave hidden ``.P_T.xz.*.part`` files, never a final name,
and the next export of the pot removes them (under the pot's lock, so they are stale).

Only after the image is complete are ``:pot.tag`` and ``:pot.snap`` set on ``jails/P``,
as upstream does, so the stream carries the values of the previous export; import
drops them (they describe exports of another pot on another host).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from pot import download, images, model, proc, vercmp, zfs
from pot import log as logging
from pot.errors import CommandFailed, ImageError, InvalidName, PotError, UsageError
from pot.images import signify
from pot.ops import common, snapshots
from pot.ops.common import Authorize, allowed
from pot.pottype import PotType
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

# bar(label) -> a context giving a progress callback (or None), cleared when it ends
Bar = Callable[[str], contextlib.AbstractContextManager[download.Progress | None]]

TAG_PROP = ":pot.tag"
SNAP_PROP = ":pot.snap"
NO_ORIGIN = "-"


@contextlib.contextmanager
def no_bar(_label: str) -> Iterator[download.Progress | None]:
    yield None


@record
class ExportOptions:
    """A parsed ``pot export`` command line."""

    pot: str
    tag: str = ""  # "" -> the snapshot's name
    directory: str = "."  # as given: the info line shows it so
    level: int = images.DEFAULT_LEVEL
    check_tag: bool = False
    force: bool = False
    auto_fix: bool = False
    seckey: Path | None = None


@record
class Exported:
    """What export wrote."""

    pot: str
    snapshot: str
    tag: str
    meta: str
    paths: images.ImagePaths


def check_level(value: str) -> int:
    """``-l``: one digit, checked while parsing as upstream does."""
    if len(value) != 1 or not "0" <= value <= "9":
        raise UsageError(f"{value} is an invalid compression level")
    return int(value)


def check_directory(value: str) -> str:
    """``-D``: an existing directory, checked while parsing (no help after the error)."""
    if not Path(value).is_dir():
        raise PotError(f"{value} is not a directory")
    return value


def export(
    s: Settings, o: ExportOptions, *, authorize: Authorize = allowed, bar: Bar = no_bar
) -> Exported:
    """Check, pick (or make) the snapshot, ``authorize`` (the root check), write the image.

    Raises PotError with upstream's messages; nothing is left behind on failure.
    """
    # under the pot's lock: a destroy, rename or revert of the pot waits for the export
    with common.locked(s, o.pot):
        return _export(s, o, authorize, bar)


def _export(s: Settings, o: ExportOptions, authorize: Authorize, bar: Bar) -> Exported:
    _check(s, o)
    snap = _snapshot(s, o, authorize)
    authorize()
    tag = o.tag or snap
    if "/" in tag:
        # the tag is part of file names here and of dataset names on import
        raise InvalidName(f"{tag} is not a valid tag: it cannot contain '/'")
    dataset = model.pot_dataset(s, o.pot)
    if o.check_tag:
        _check_tag(dataset, tag, snap)
    meta = _meta_line(s, dataset)
    log.info("exporting %s @ %s to %s/%s", o.pot, snap, o.directory, model.image_name(o.pot, tag))
    remove_stale_parts(Path(o.directory), model.image_name(o.pot, tag))
    paths = _write(s, o, snap, tag, meta, bar)
    zfs.set_prop(dataset, TAG_PROP, tag)
    zfs.set_prop(dataset, SNAP_PROP, snap)
    return Exported(o.pot, snap, tag, meta, paths)


def remove_stale_parts(directory: Path, image: str) -> None:
    """The hidden ``.<image>[.meta|.skein|.skein.sig].<hex>.part`` files of a killed export.

    Only an export of the same pot writes them, and we hold that pot's lock: any such
    file is left over from an export that died without removing it.
    """
    pattern = re.compile(
        re.escape(f".{image}") + r"(\.meta|\.skein|\.skein\.sig)?\.[0-9a-f]{8}\.part"
    )
    try:
        names = os.listdir(directory)
    except OSError:
        return  # the image's own writing reports a missing or unreadable folder
    for name in names:
        if pattern.fullmatch(name):
            log.debug("removing %s, left by an interrupted export", name)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(directory / name)


def _check(s: Settings, o: ExportOptions) -> None:
    if not o.pot:
        raise UsageError("A pot name is mandatory")
    common.check_pot(s, o.pot, f"pot {o.pot} is not valid", usage=True)
    if common.pot_type(common.read_conf(s, o.pot)) is not PotType.SINGLE:
        raise PotError(f"pot {o.pot} not supported - only single type pot can be exported")
    if o.seckey is not None:
        _check_seckey(o.seckey)


def _check_seckey(path: Path) -> None:
    """Readable, named as signify wants, and signify present if a passphrase is needed.

    Checked before the long compression, so a signing problem does not waste it.
    """
    try:
        text = path.read_bytes()
    except OSError:
        raise PotError(f"Signature key {path} not found") from None
    signify.sig_comment(path)
    key = signify.parse_secret_key(text)
    needs_command = key.kdfrounds > 0
    if needs_command and not any(proc.available(c) for c in signify.COMMANDS):
        raise PotError("Could not find 'signify', try 'pkg install signify'")


def _snapshot(s: Settings, o: ExportOptions, authorize: Authorize) -> str:
    """The snapshot to export (lexically last), after upstream's -A/-F handling."""
    names = common.snapshots(s, o.pot)
    if not names:
        if not o.auto_fix:
            raise PotError(f"Pot {o.pot} has no snapshots - please use pot snapshot for that")
        _take_snapshot(s, o.pot, authorize)
        names = common.snapshots(s, o.pot)
        log.debug("A snapshot of %s has been automatically taken (@%s)", o.pot, max(names))
    if len(names) > 1:
        _several(s, o, authorize)
    return max(names)


def _take_snapshot(s: Settings, pot: str, authorize: Authorize) -> None:
    log.info("Taking a snapshot of %s", pot)
    target = snapshots.Target(snapshots.Kind.POT, pot)
    try:
        snapshots.take(s, target, authorize=authorize)
    except PotError as exc:
        raise PotError(*exc.lines, f"Failed to take a snapshot of pot {pot}") from exc


def _several(s: Settings, o: ExportOptions, authorize: Authorize) -> None:
    if o.force:
        log.info("Pot %s has multiple snapshots and they all will be exported", o.pot)
        return
    if not o.auto_fix:
        raise PotError(
            f"Pot {o.pot} has more than 1 snapshot - use -A to auto-purge old snapshots"
            " or -F to force exporting"
        )
    log.info("Pot %s has more than 1 snapshot - auto-purge will delete older snapshots", o.pot)
    authorize()  # destroying snapshots needs root; say so rather than let zfs fail
    try:
        snapshots.purge(s, snapshots.Target(snapshots.Kind.POT, o.pot))
    except PotError as exc:
        raise PotError(*exc.lines, "purge-snapshots failed") from exc


def _check_tag(dataset: str, tag: str, snap: str) -> None:
    """``-c``: the tag must not go down, nor name another snapshot than last time."""
    previous = zfs.get(dataset, TAG_PROP)
    if not previous:
        return
    if previous == tag and zfs.get(dataset, SNAP_PROP) != snap:
        raise PotError("Already exported a different snapshot tagged as this version")
    if vercmp.highest(tag, previous) != tag:
        raise PotError("Tag version lower than the previously exported one")


def _meta_line(s: Settings, dataset: str) -> str:
    """``-``, or ``ORIGIN:TAG@SNAP`` when the pot's root is a clone of another pot's."""
    origin = zfs.get(f"{dataset}/m", "origin")
    if not origin:
        return NO_ORIGIN
    # <root>/jails/<O>/m@<s> -> <root>/jails/<O>@<s>, whose :pot.tag is O's last export
    origin = origin.replace("/m@", "@")
    name, _, snap = origin.rsplit("/", 1)[-1].partition("@")
    tag = zfs.get(origin, TAG_PROP)
    if not tag:
        raise PotError(f"Origin {name} has no :pot.tag, please export first")
    return f"{name}:{tag}@{snap}"


def _write(
    s: Settings, o: ExportOptions, snap: str, tag: str, meta: str, bar: Bar
) -> images.ImagePaths:
    """The image files, complete or not at all; both pipeline stages are checked."""
    source = f"{model.pot_dataset(s, o.pot)}@{snap}"
    try:
        with (
            bar(model.image_name(o.pot, tag)) as progress,
            images.create_image(
                Path(o.directory), o.pot, tag, meta, level=o.level, seckey=o.seckey
            ) as image,
            zfs.send(source) as stream,
        ):
            report = None if progress is None else (lambda done: progress(done, None))
            image.write(stream, progress=report)
    except (ImageError, CommandFailed) as exc:
        raise PotError(*exc.lines, "Export failed") from exc
    return image.paths
