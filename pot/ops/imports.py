"""pot import: an image (from a file:// or http(s):// base URL) as the pot ``NAME_TAG``.

The whole command runs under the global lock, as upstream's. In order:

1. **Fetch into POT_CACHE, verify, then commit to the cache.** The files are gathered in
   a private folder ``POT_CACHE/.import-<image>-<random>/``: a file already in the cache
   under its final name is linked in, a missing one is downloaded (with a progress line
   on a terminal). The signature of the .skein is checked as soon as both are there
   (when a public key is in effect: ``-C``, else POT_DEFAULT_SIGNATURE_PUBKEY), before
   the large .xz is fetched; then the Skein hash of .xz + .meta. Only a verified set is
   renamed into the cache, so a final cache name never holds an unverified download. A
   missing .meta is an empty one (images made before .meta existed). A failed attempt
   removes the image's cache files and is tried once more, as upstream does.
2. **Dependency.** A clone image's .meta names the image of its origin pot; that one is
   imported first (recursively, same base URL and key) unless it is already a pot.
3. **Receive.** Nothing reaches ``zfs receive`` before step 1 succeeded. The .xz is
   decompressed (blocks in parallel) into ``zfs receive`` of a hidden dataset
   ``jails/.import-<name>-<random>``, whose folder starts with a dot, so ``pot ls`` and
   everything that lists pots never see it. There the mountpoints are made inherited,
   ``host.hostname`` and the network are reworked (a new address from our allocator
   for public-bridge pots; alias pots become public-bridge pots, which upstream forgets
   to write), ``:pot.tag``/``:pot.snap`` of the exporter are dropped, and only then is
   the dataset renamed to ``jails/NAME_TAG``: the pot appears complete or not at all.
4. **Failure.** Any error, Ctrl-C or SIGTERM destroys the hidden dataset and the
   dependencies this import made. A SIGKILL can leave a hidden dataset or staging
   folder; the next import (under the same lock, so nothing else can be using them)
   removes every one it finds before it starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pot import download, images, lock, model, potconf, rootpath, zfs
from pot import log as logging
from pot.errors import ImageError, InvalidName, PotError, UsageError
from pot.images import digest, signify
from pot.net import addresses
from pot.ops import common
from pot.ops.common import Authorize, allowed
from pot.ops.create import check_name_length
from pot.ops.export import SNAP_PROP, TAG_PROP, Bar, no_bar
from pot.ops.undo import Undo, undo_on_failure
from pot.record import record
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)


# hidden datasets and cache folders of imports in progress (or killed)
STAGE_PREFIX = ".import-"
DEFAULT_URL = "file://"
# the .skein is one line; a larger one is not an image's
_MAX_SMALL = 64 << 10


@record
class ImportOptions:
    """A parsed ``pot import`` command line."""

    pot: str
    tag: str
    url: str | None = None  # no -U: the files are looked up in / (file://)
    pubkey: str | None = None  # no -C: POT_DEFAULT_SIGNATURE_PUBKEY; "" disables it


@record
class Imported:
    """The new pot, its new address ("" when it kept its network) and the pots imported
    for it (its dependency and theirs)."""

    name: str
    ip: str
    dependencies: tuple[str, ...]

    @property
    def pots(self) -> tuple[str, ...]:
        """Every pot this import made."""
        return (self.name, *self.dependencies)


@record
class _Source:
    """Where an import (and its dependencies) fetch from, and the key they verify with."""

    url: str | None
    pubkey: Path | None
    bar: Bar
    # fetching(path of the cache file) -> the progress of one download (fetch(1)'s line)
    fetching: Bar


def check_url(value: str) -> str:
    """``-U``: checked while parsing, as upstream does."""
    if not value:
        raise UsageError("Argument of -U cannot be empty")
    return value


def import_image(
    s: Settings,
    o: ImportOptions,
    *,
    authorize: Authorize = allowed,
    bar: Bar = no_bar,
    fetching: Bar = no_bar,
) -> Imported:
    """Check, ``authorize`` (the root check), fetch, verify and install the image.

    Raises PotError with upstream's messages; on failure nothing is left in ZFS and no
    pot is added (verified files stay in the cache, as upstream's do).
    """
    # upstream takes the lock first; argument errors need not wait for it
    name = _check_names(o.pot, o.tag)
    check_name_length(s, name)
    with lock.global_lock(s.lock_file):
        _check_absent(s, name)
        key = _public_key(s, o.pubkey)
        authorize()
        _remove_stale(s)
        return _import(s, o.pot, o.tag, name, _Source(o.url, key, bar, fetching), ())


def _check_names(pot: str, tag: str) -> str:
    if not pot:
        raise UsageError("A remote pot name is mandatory")
    if not tag:
        raise UsageError("A tag name is mandatory")
    name = model.imported_pot_name(pot, tag)
    if not model.valid_pot_name(name):
        # the names become file names, URLs and datasets: no '/', '@', blanks ...
        raise InvalidName(f"{name} is not a valid name for a pot")
    return name


def _check_absent(s: Settings, name: str) -> None:
    if common.is_pot(s, name):
        raise UsageError(f"pot {name} is already present")
    if zfs.exists(model.pot_dataset(s, name)):
        raise PotError(f"zfs dataset {model.pot_dataset(s, name)} already exists")


def _public_key(s: Settings, option: str | None) -> Path | None:
    key = option if option is not None else s.get("POT_DEFAULT_SIGNATURE_PUBKEY")
    if not key:
        return None
    if not os.access(key, os.R_OK):
        raise PotError(f"Public key {key} not found")
    return Path(key)


def _import(
    s: Settings, pot: str, tag: str, name: str, src: _Source, importing: tuple[str, ...]
) -> Imported:
    log.info("importing %s @ %s as %s", pot, tag, name)
    xz, meta = _fetch(s, pot, tag, src)
    with undo_on_failure(keep=False) as undo:
        origin, made = _dependency(s, name, meta, src, (*importing, name), undo)
        ip = _install(s, name, xz, origin, src.bar, undo)
    return Imported(name, ip, made)


# --------------------------------------------------------------------------- fetch


def _fetch(s: Settings, pot: str, tag: str, src: _Source) -> tuple[Path, images.Meta]:
    """The verified image in the cache; a failed attempt clears the cache and is retried."""
    final = images.image_paths(s.cache, pot, tag)
    try:
        return final.xz, _attempt(s, final, src)
    except PotError as exc:
        # upstream's first attempt shows its failure too (fetch's or its own error)
        common.report(log, exc)
        log.debug("removing the cached files and trying again")
    for path in final.all():
        path.unlink(missing_ok=True)
    return final.xz, _attempt(s, final, src)


def _attempt(s: Settings, final: images.ImagePaths, src: _Source) -> images.Meta:
    s.cache.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{final.xz.name}-", dir=s.cache))
    try:
        staged = images.ImagePaths(stage / final.xz.name)
        base = src.url or DEFAULT_URL
        _obtain(base, final.skein, staged.skein, src.fetching)
        if src.pubkey is not None:
            _obtain(base, final.sig, staged.sig, src.fetching)
            _check_signature(staged, src.pubkey)
        # a downloaded .xz is hashed while it is copied; a cached one is read again
        xz_hashed = digest.new()
        with digest.fed_behind(xz_hashed) as feed:
            downloaded = _obtain(base, final.xz, staged.xz, src.fetching, observe=feed)
        _obtain_meta(s, base, final.meta, staged.meta, src.fetching)
        # the signature of this .skein is checked above
        meta = images.verify(staged.xz, xz_hashed=xz_hashed if downloaded else None)
        _commit(staged, final)
        return meta
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _cached(path: Path) -> bool:
    """Upstream reuses any readable file of the cache."""
    return path.is_file() and os.access(path, os.R_OK)


def _obtain(
    base: str,
    cached: Path,
    staged: Path,
    fetching: Bar,
    *,
    observe: Callable[[bytes], object] | None = None,
) -> bool:
    """The cached copy linked into the stage, or a download from ``base/<name>``.

    True when downloaded: then ``observe`` has seen every byte of the file, in order.
    """
    if _cached(cached):
        log.debug("Using the cached %s", cached)
        try:
            os.link(cached, staged)
        except OSError:
            shutil.copyfile(cached, staged)
            staged.chmod(images.IMAGE_MODE)
        return False
    # upstream joins with a "/" whatever the URL ends with; fetch(1) copes, and so do we
    # fetch(1) names the file it writes: the cache's, not our staging copy
    with fetching(str(cached)) as progress:
        download.fetch(f"{base}/{cached.name}", staged, progress=progress, observe=observe)
    return True


def _obtain_meta(s: Settings, base: str, cached: Path, staged: Path, fetching: Bar) -> None:
    try:
        _obtain(base, cached, staged, fetching)
    except download.DownloadError as exc:
        # images made before .meta existed: hashed over the .xz alone
        log.debug("%s", exc)
        log.info("No %s/%s, ignoring", s.get("POT_CACHE"), cached.name)
        staged.touch(images.IMAGE_MODE)
        staged.chmod(images.IMAGE_MODE)


def _read_small(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_SMALL + 1)
    except OSError as exc:
        raise ImageError(f"cannot read {what} {path}: {exc.strerror}") from exc
    if len(data) > _MAX_SMALL:
        raise ImageError(f"{what} {path} is too large")
    return data


def _check_signature(staged: images.ImagePaths, pubkey: Path) -> None:
    """signify -V of the .skein, before anything larger is fetched."""
    message = _read_small(staged.skein, "hash file")
    try:
        signify.verify(
            message, _read_small(staged.sig, "signature"), signify.read_public_key(pubkey)
        )
    except ImageError as exc:
        log.debug("%s: %s", staged.sig.name, exc)
        raise ImageError("Signature verification failed") from exc
    log.debug("Signature verification succeeded")


def _commit(staged: images.ImagePaths, final: images.ImagePaths) -> None:
    """Move the verified files to their cache names, the .skein last."""
    for source, target in zip(staged.all(), final.all(), strict=True):
        if source != staged.skein and source.exists():
            os.replace(source, target)
    os.replace(staged.skein, final.skein)


# --------------------------------------------------------------------------- dependency


@record
class Dependency:
    """The image a clone image was made from, as its .meta names it."""

    pot: str
    tag: str
    snapshot: str

    @property
    def name(self) -> str:
        """Its local name (the remote name is assumed to be the same, as upstream does)."""
        return model.imported_pot_name(self.pot, self.tag)


def parse_meta(line: str) -> Dependency | None:
    """``POT:TAG@SNAP``, cut at ``@`` and then at ``:`` as upstream's awk; ``-``/"" is none."""
    if not line or line == "-":
        return None
    pot_tag, _, rest = line.partition("@")
    fields = pot_tag.split(":")
    return Dependency(fields[0], fields[1] if len(fields) > 1 else "", rest.split("@")[0])


def _dependency(
    s: Settings,
    name: str,
    meta: images.Meta,
    src: _Source,
    importing: tuple[str, ...],
    undo: Undo,
) -> tuple[str | None, tuple[str, ...]]:
    """The origin snapshot for the receive (or None) and the pots imported for it."""
    dep = parse_meta(meta.line)
    if dep is None:
        log.info("Pot %s has no dependencies", name)
        return None, ()
    log.info("Pot %s depends on %s (@%s)", name, dep.name, dep.snapshot)
    made: tuple[str, ...] = ()
    if common.is_pot(s, dep.name):
        log.info("%s already installed", dep.name)
    else:
        if dep.name in importing:
            raise ImageError(f"Pot {name} depends on itself through {dep.name}")
        log.info("Installing dependency %s", dep.name)
        # upstream's nested import gets -U '' and fails when -U was not given: same URL here
        checked = _check_names(dep.pot, dep.tag)
        _check_absent(s, checked)
        made = _import(s, dep.pot, dep.tag, checked, src, importing).pots
        for pot in made:
            undo.folder(model.pot_dir(s, pot))
            undo.dataset(model.pot_dataset(s, pot))
    origin = f"{model.pot_dataset(s, dep.name)}@{dep.snapshot}" if dep.snapshot else None
    return origin, made


# --------------------------------------------------------------------------- install


def _install(s: Settings, name: str, xz: Path, origin: str | None, bar: Bar, undo: Undo) -> str:
    """Receive under a hidden name, finish the pot there, then give it its name."""
    hidden = f"{STAGE_PREFIX}{name}-{os.urandom(4).hex()}"
    dataset = model.pot_dataset(s, hidden)
    undo.new_folder(model.pot_dir(s, hidden))
    undo.dataset(dataset)
    # checked absent at the start, so whatever has this name if we fail is ours
    undo.new_folder(model.pot_dir(s, name))
    undo.dataset(model.pot_dataset(s, name))
    _receive(s, name, xz, dataset, origin, bar)
    _settle(s, hidden, name)
    _validate(s, hidden, name)
    ip = _rework_conf(s, hidden, name)
    zfs.rename(dataset, model.pot_dataset(s, name))
    return ip


def _receive(s: Settings, name: str, xz: Path, dataset: str, origin: str | None, bar: Bar) -> None:
    """Decompress the image into ``zfs receive DATASET`` (progress labelled with name)."""
    caps = zfs.capabilities()
    props: dict[str, str] = {}
    if origin is not None and caps.receive_o:
        if not zfs.exists(origin):
            raise PotError(f"The dependency's snapshot {origin} does not exist")
        props["origin"] = origin
    elif origin is not None:
        log.debug("zfs receive -o is not available: received as a copy, not a clone of %s", origin)
    # the new datasets inherit the pool's encryption rather than the stream's setting
    exclude = ("encryption",) if "encryption" in zfs.property_names(s.zfs_root) else ()
    total = images.uncompressed_size(xz)
    with (
        bar(name) as progress,
        zfs.receive(dataset, unmounted=caps.receive_u, props=props, exclude=exclude) as sink,
    ):
        report = None if progress is None else (lambda done: progress(done, total))
        images.decompress_into(xz, sink, progress=report)


def _settle(s: Settings, hidden: str, name: str) -> None:
    """Inherited mountpoints, no exporter's tag, everything mounted (parents first).

    A clone's root carries the exporter's mountpoint as a local property (upstream's
    clone sets it), which must not be used here. A child is mounted only where its
    parent has a real directory (or nothing): zfs would follow a link the image put
    there and mount the child over a folder of the host.
    """
    root = model.pot_dataset(s, hidden)
    folder = model.pot_dir(s, hidden)
    tree = zfs.list_tree(root)
    for ds in tree.values():
        expected = folder / ds.name[len(root) + 1 :] if ds.name != root else folder
        if ds.mountpoint != str(expected):
            zfs.inherit(ds.name, "mountpoint")
    for prop in (TAG_PROP, SNAP_PROP):
        if tree[root].props.get(prop):
            zfs.inherit(root, prop)
    for ds in zfs.list_tree(root, user_props=()).values():
        if not ds.mounted:
            if ds.name != root:
                rel = ds.name[len(root) + 1 :]
                rootpath.check(_imported(s, hidden, name, rel), "dir")
            zfs.mount(ds.name)


# where pot writes or reads in a pot's tree: each must be of its kind or absent
_EXPECTED_KINDS = (
    ("conf", "dir"),
    ("conf/fscomp.conf", "file"),
    ("conf/.last_run_stats", "file"),
    ("conf/resolv.conf", "file"),
    ("conf/prestart.sh", "file"),
    ("conf/poststart.sh", "file"),
    ("conf/prestop.sh", "file"),
    ("conf/poststop.sh", "file"),
    ("m", "dir"),
    ("m/etc", "dir"),
    ("m/etc/hosts", "file"),
    ("m/etc/resolv.conf", "file"),
    ("m/etc/rc.conf", "file"),
    ("m/etc/rc.d", "dir"),
    ("m/etc/rc.d/rtsold", "file"),
    ("m/etc/crontab", "file"),
    ("m/tmp", "dir"),
    ("m/tmp/environment.sh", "file"),
    ("m/tmp/tinirc", "file"),
    ("m/dev", "dir"),
    ("custom", "dir"),
    ("custom/etc", "dir"),
    ("custom/etc/crontab", "file"),
)


def _imported(s: Settings, hidden: str, name: str, rel: str) -> PotFile:
    return PotFile(model.pot_dir(s, hidden), rel, f"the imported pot {name}")


def _validate(s: Settings, hidden: str, name: str) -> None:
    """Refuse an image whose tree has a link, a device node or a file of the wrong kind
    where pot reads or writes (before anything is written into it).
    """
    rootpath.check(_imported(s, hidden, name, "conf/pot.conf"), "file", required=True)
    for rel, kind in _EXPECTED_KINDS:
        rootpath.check(_imported(s, hidden, name, rel), kind)
    _check_fscomp(s, hidden, name)


def _check_fscomp(s: Settings, hidden: str, name: str) -> None:
    """An image is one single pot: whatever its fscomp.conf names (a folder or dataset of
    the exporting host) would be a folder or dataset of *this* host, mounted into the pot.
    """
    path = _imported(s, hidden, name, "conf/fscomp.conf")
    if rootpath.lstat(path) is None:
        return
    for entry in potconf.read_fscomp(path):
        raise ImageError(
            f"conf/fscomp.conf of the imported pot {name} mounts {entry.source},"
            " which is not part of the image"
        )


def _rework_conf(s: Settings, hidden: str, name: str) -> str:
    """The new host name and, for bridge and alias pots, a new address; returns it."""
    path = model.pot_conf_path(s, hidden)
    conf = potconf.read(path)
    conf.remove("host.hostname")
    host = common.usable_hostname(name, common.host_name(), s.hostname_max_length)
    conf.append(potconf.hostname_line(host))
    ip = _rework_network(s, conf)
    potconf.write(path, conf)
    return ip


def _rework_network(s: Settings, conf: potconf.PotConf) -> str:
    network_type = conf.get("network_type") or ""
    if network_type == "inherit":
        log.debug("network_type set to inherit, nothing to rework")
        return ""
    if network_type not in ("alias", "public-bridge"):
        return ""  # private-bridge: kept as exported, as upstream
    if network_type == "alias":
        log.error("Static IP not supported by import. Moving the pot to the internal network")
        conf.set("vnet", "true")
        conf.set("network_type", "public-bridge")
    # under the global lock: the address is in pot.conf before anyone else looks
    address = addresses.next_address(s)
    if address is None:
        raise PotError(f"No free IP address left in {addresses.network(s)}")
    conf.set("ip", str(address))
    log.info("Assigning new IP: %s", address)
    return str(address)


# --------------------------------------------------------------------------- leftovers


def _remove_stale(s: Settings) -> None:
    """Hidden datasets and cache folders of killed imports (we hold the global lock)."""
    for child in zfs.children(model.jails_dataset(s)):
        hidden = child.rsplit("/", 1)[-1]
        if hidden.startswith(STAGE_PREFIX):
            log.debug("removing %s, left by an interrupted import", child)
            zfs.destroy(child, recursive=True)
            with contextlib.suppress(OSError):
                model.pot_dir(s, hidden).rmdir()
    with contextlib.suppress(OSError):
        for entry in s.cache.iterdir():
            if entry.name.startswith(STAGE_PREFIX) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
