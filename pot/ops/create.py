"""pot create: a new pot from a base, a FreeBSD release or another pot.

The checks follow upstream's order and messages: the options one by one as they are
parsed (``check_*``), then their consistency (:func:`plan`), then, once the caller has
checked for root, :func:`create` under the global lock: the network parameters (an
address is allocated for ``-i auto``), the datasets, ``conf/`` and the release, the
flavours. Everything made is journaled and removed again if any later step fails or
the process is interrupted, unless ``keep`` (``-k``).

Datasets (``Z`` = POT_ZFS_ROOT, ``p`` the new pot):

* single: ``Z/jails/p`` and ``Z/jails/p/m`` (the whole root: the release extracted, or
  a copy of the last snapshot of the ``-P`` pot's ``m``);
* multi level 0: ``Z/jails/p`` only (the base's datasets are mounted at start);
* multi level 1: ``Z/jails/p/usr.local`` and ``Z/jails/p/custom``, copies of the last
  snapshots of the base's (or the ``-P`` pot's) datasets;
* multi level 2: ``Z/jails/p/custom`` from the ``-P`` pot.
"""

from __future__ import annotations

import os
from pathlib import Path

from pot import lock, model, net, potconf, proc, release, rootpath, zfs
from pot import log as logging
from pot.errors import AlreadyExists, CommandFailed, InvalidName, PotError, UsageError
from pot.flavours import Flavour
from pot.ops import common, flavour, network_options
from pot.ops.common import Authorize, allowed, usable_hostname
from pot.ops.undo import Undo, undo_on_failure
from pot.potconf import FsCompEntry, NewPot
from pot.pottype import PotType
from pot.record import field, record
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)


DNS_WORDS = ("inherit", "pot", "off")
CUSTOM_DNS = "custom:"
# upstream's wording for its one forbidden character
_DOT_MESSAGE = "{} is not a valid name for a pot ('.' is the only character not allowed)"
_BAD_NAME = (
    "'{}' is not a valid name for a pot (it cannot start with '-' nor contain"
    " '/', '@', '#', '%', ':', blanks, quotes, '\\', '$' or '`')"
)


# ------------------------------------------------------------------ requests


@record
class NewPotOptions:
    """The options create and clone share, as given (each already checked on its own).

    "" means not given; ``stack`` "" is then POT_NETWORK_STACK (clone: the reference's);
    ``cwd`` is where relative ``custom:`` files and flavour paths are resolved.
    """

    pot: str = ""
    potbase: str = ""
    network_type: str = ""
    ips: tuple[str, ...] = ()
    bridge: str = ""
    stack: str = ""
    dns: str = ""
    flavours: tuple[Flavour, ...] = ()
    keep: bool = False
    cwd: Path = field(default_factory=Path.cwd)


@record
class CreateOptions(NewPotOptions):
    """The options of create; ``level`` is the ``-l`` text, None when absent."""

    network_type: str = "inherit"
    dns: str = "inherit"
    pot_type: str = "multi"
    level: str | None = None
    base: str = ""


@record
class NewPotPlan:
    """A consistent create or clone request: what both share; ``ips`` the -i values joined."""

    pot: str
    potbase: str
    network_type: str
    ips: str
    bridge: str
    stack: str
    dns: str
    flavours: tuple[Flavour, ...]
    keep: bool
    cwd: Path


@record
class CreatePlan(NewPotPlan):
    pot_type: PotType
    level: int
    base: str


@record
class Created:
    """What create made."""

    pot: str
    dataset: str
    ip: str


# ------------------------------------------------------ checks of single options


def check_pot_name(name: str) -> None:
    """``-p``: upstream refuses ``.``; we also refuse what breaks datasets, paths and jails.

    An empty name passes here and is reported later as missing, as upstream does.
    """
    if "." in name:
        raise InvalidName(_DOT_MESSAGE.format(name))
    if name and not model.valid_pot_name(name):
        raise InvalidName(_BAD_NAME.format(name))


# ZFS's limit for a full dataset or snapshot name (ZFS_MAX_DATASET_NAME_LEN less the NUL)
ZFS_NAME_MAX = 255
# the longest name pot makes below a pot's dataset: a multi pot's usr.local, snapshotted
# (snapshot names are epoch seconds)
_LONGEST_SUFFIX = "/usr.local@" + "9" * 10
# the longest file pot names after a pot in POT_TMP
_LONGEST_TMP_FILE = "pot_status_{}"
_TOO_LONG = (
    "{} is not a valid name for a pot (too long: at most {} bytes here, as ZFS limits names)"
)


def name_limit(s: Settings) -> int:
    """The longest pot name (in bytes) whose datasets and snapshots ZFS accepts."""
    prefix = len(os.fsencode(f"{model.jails_dataset(s)}/"))
    zfs_room = ZFS_NAME_MAX - prefix - len(_LONGEST_SUFFIX)
    file_room = 255 - len(_LONGEST_TMP_FILE.format(""))
    return max(0, min(zfs_room, file_room))


def check_name_length(s: Settings, name: str) -> None:
    """A name ZFS would refuse later (a snapshot, an export) is refused before any change."""
    limit = name_limit(s)
    if len(os.fsencode(name)) > limit:
        raise InvalidName(_TOO_LONG.format(name, limit))


def check_type(value: str) -> None:
    if value not in (t.value for t in PotType):
        raise UsageError(f"Type {value} not supported")


def check_network_type(value: str) -> None:
    if value not in network_options.NETWORK_TYPES:
        raise UsageError(f"Network type {value} not recognized")


def check_stack(value: str) -> None:
    if value not in network_options.STACKS:
        raise UsageError(f"Network stack {value} not valid")


def check_dns(value: str, cwd: Path) -> None:
    """``-d``: inherit, pot, off or ``custom:<file>`` with a readable file."""
    if value in DNS_WORDS:
        return
    if value.startswith(CUSTOM_DNS):
        path = value[len(CUSTOM_DNS) :]
        # upstream takes any readable path; a folder would only fail later, at the copy
        if not path or not _readable_file(cwd / path):
            raise PotError(f"The file {path} is not valid or readable")
        return
    raise UsageError(f"'{value}' is not a valid dns option")


def _readable_file(path: Path) -> bool:
    return path.is_file() and os.access(path, os.R_OK)


# ------------------------------------------------------------- consistency


def plan(s: Settings, o: CreateOptions) -> CreatePlan:
    """Check the options together, in upstream's order; raise its errors (most + help)."""
    check_name_length(s, o.pot)
    if o.pot_type == PotType.SINGLE.value:
        level, base = _single_checks(s, o)
    else:
        level, base = _multi_checks(s, o)
    if not o.pot:
        raise UsageError("pot name is missing")
    if common.is_pot(s, o.pot):
        raise AlreadyExists(f"pot {o.pot} already exists")
    return CreatePlan(
        pot=o.pot,
        pot_type=PotType(o.pot_type),
        level=level,
        base=base,
        potbase=o.potbase,
        network_type=o.network_type,
        ips=" ".join(o.ips),
        bridge=o.bridge,
        stack=o.stack or s.network_stack,
        dns=o.dns,
        flavours=o.flavours,
        keep=o.keep,
        cwd=o.cwd,
    )


def _conf_var(s: Settings, pot: str, key: str) -> str:
    """Upstream's generic reader of another pot's key: "" when the file or key is missing."""
    try:
        return common.read_conf(s, pot).get(key) or ""
    except PotError:
        return ""


def _single_checks(s: Settings, o: CreateOptions) -> tuple[int, str]:
    if o.level and o.level != "0":
        raise UsageError("single pot level can only be zero (omit -l option)")
    if not o.potbase:
        if not o.base:
            raise UsageError("at least one of -b and -P has to be used")
        if not release.is_valid_release(s, o.base):
            raise UsageError(
                f"{o.base} is not a valid release", *release.release_problem(s, o.base)
            )
        return 0, o.base
    if not common.is_pot(s, o.potbase):
        raise UsageError(f"pot {o.potbase} not found")
    if common.pot_type(common.read_conf(s, o.potbase)) != PotType.SINGLE:
        raise UsageError(f"pot {o.potbase} has the wrong type, it has to be of type single")
    base = _conf_var(s, o.potbase, "pot.base")
    if o.base and o.base != base:
        raise UsageError(f"-b {o.base} and -P {o.potbase} are not compatible")
    return 0, base


def _multi_checks(s: Settings, o: CreateOptions) -> tuple[int, str]:
    level = "1" if o.level is None else o.level
    if level == "0":
        return 0, _level0_checks(s, o)
    if level == "1":
        return 1, _level1_checks(s, o)
    if level == "2":
        return 2, _level2_checks(s, o)
    raise PotError(f"level {level} is not supported")


def is_base(s: Settings, name: str) -> bool:
    """Upstream's base check: the base's folder and dataset exist."""
    return (
        bool(name) and model.base_dir(s, name).is_dir() and zfs.exists(model.base_dataset(s, name))
    )


def _level0_checks(s: Settings, o: CreateOptions) -> str:
    if not o.base:
        raise UsageError("level 0 needs option -b")
    if o.potbase:
        raise UsageError("-P option is not allowed with level 0")
    if not is_base(s, o.base):
        raise UsageError(f"{o.base} is not a valid base")
    return o.base


def _level1_checks(s: Settings, o: CreateOptions) -> str:
    potbase, base = o.potbase, o.base
    if not base and not potbase:
        raise UsageError("at least one of -b and -P has to be used")
    if base and potbase and _conf_var(s, potbase, "pot.base") != base:
        raise UsageError(f"-b {base} and -P {potbase} are not compatible")
    if potbase:
        common.check_pot(s, potbase, f"-P {potbase} : is not a pot", usage=True)
        if _conf_var(s, potbase, "pot.level") != "1":
            raise UsageError(f"-P {potbase} : it has to be of level 1")
    if not base:
        base = _conf_var(s, potbase, "pot.base")
        if not base:
            raise PotError(f"-P {potbase} has no base??")
        log.debug("-P %s induced -b %s", potbase, base)
    if not is_base(s, base):
        raise UsageError(f"{base} is not a valid base")
    return base


def _level_below_one(text: str) -> bool:
    """``[ "$lvl" -lt 1 ]``: a value that is not a number never compares."""
    try:
        return int(text) < 1
    except ValueError:
        return False


def _level2_checks(s: Settings, o: CreateOptions) -> str:
    potbase, base = o.potbase, o.base
    if not potbase:
        raise UsageError("level 2 pots need another pot as reference")
    if _level_below_one(_conf_var(s, potbase, "pot.level")):
        raise UsageError(f"-P {potbase} : it has to be at least of level 1")
    common.check_pot(s, potbase, f"-P {potbase} : is not a pot", usage=True)
    induced = _conf_var(s, potbase, "pot.base")
    if base:
        if not is_base(s, base):
            raise UsageError(f"{base} is not a valid base")
        if induced != base:
            raise PotError(f"-b {base} and -P {potbase} are not compatible")
        return base
    if not induced:
        raise PotError(f"-P {potbase} has no base??")
    if not is_base(s, induced):
        raise UsageError(f"{induced} (induced by the pot {potbase}) is not a valid base")
    return induced


# ------------------------------------------------------------------ create


def create(
    s: Settings,
    o: CreateOptions,
    *,
    authorize: Authorize = allowed,
    progress: release.Progress | None = None,
) -> Created:
    """Check the options (:func:`plan`), ``authorize`` (the CLI's root check), make the pot.

    Everything runs under the global lock, as upstream's whole command does: the address
    chosen for ``-i auto`` is in the new pot.conf before another create looks for one.
    """
    with lock.global_lock(s.lock_file):
        p = plan(s, o)
        authorize()
        with common.locked(s, p.pot):
            # before the address: a killed create's pot.conf may hold one
            common.remove_incomplete(s, p.pot)
            ip = network_options.address(s, p.network_type, p.ips, p.bridge, p.stack)
            _check_dns_pot(s, p.dns)
            _announce(p, ip)
            with undo_on_failure(keep=p.keep) as undo, lock.making(model.pot_dataset(s, p.pot)):
                _make(s, p, ip, undo, progress)
    return Created(p.pot, model.pot_dataset(s, p.pot), ip)


def _check_dns_pot(s: Settings, dns: str) -> None:
    if dns != "pot":
        return
    if not net.vnet_available():
        raise PotError("This kernel doesn't support VIMAGE! No vnet possible (needed by the dns)")
    name = s.get("POT_DNS_NAME")
    if not common.is_pot(s, name):
        raise PotError(f"dns pot not found ({name}) - please fix it")


def _announce(p: CreatePlan, ip: str) -> None:
    log.info("Creating a new pot")
    for label, value in (
        ("pot name     ", p.pot),
        ("type         ", p.pot_type.value),
        ("base         ", p.base),
        ("pot_base     ", p.potbase),
        ("level        ", str(p.level)),
        ("network-type ", p.network_type),
        ("network-stack", p.stack),
        ("ip           ", ip),
        ("bridge       ", p.bridge),
        ("dns          ", p.dns),
        ("flavours     ", " ".join(f.name for f in p.flavours)),
    ):
        log.info("%s: %s", label, value)


def _make(
    s: Settings, p: CreatePlan, ip: str, undo: Undo, progress: release.Progress | None
) -> None:
    undo.new_folder(model.pot_dir(s, p.pot))
    made = new_dataset(undo, model.pot_dataset(s, p.pot), mark="create")
    if p.pot_type == PotType.SINGLE:
        _zfs_single(s, p, undo)
    else:
        _zfs_multi(s, p, undo)
    _write_conf(s, p, ip, undo)
    if p.pot_type == PotType.SINGLE:
        if not p.potbase:
            _install_release(s, p.pot, p.base, progress)
        comment_cron_jobs(model.pot_file(s, p.pot, "m/etc/crontab"))
    for flv in p.flavours:
        flavour.apply(s, p.pot, flv, cwd=p.cwd)
    if made:
        complete(model.pot_dataset(s, p.pot))


# ------------------------------------------------------------------ datasets


def new_dataset(undo: Undo, name: str, *, mark: str = "") -> bool:
    """Create the dataset unless it exists (info line, as upstream); journal it if made.

    ``mark`` (the command) is set as the dataset's incomplete mark in the same ``zfs
    create``, so a kill at any later moment leaves a pot recognisably unfinished.
    """
    if zfs.exists(name):
        log.info("%s exists already", name)
        return False
    undo.dataset(name)
    _zfs_create(name, {common.INCOMPLETE: mark} if mark else {})
    return True


def complete(name: str) -> None:
    """The last step of a create or clone: the pot's dataset is no longer incomplete."""
    zfs.inherit(name, common.INCOMPLETE)


def create_dataset(undo: Undo, name: str) -> None:
    """``zfs create``, journaled unless the dataset was there before (then it fails)."""
    if not zfs.exists(name):
        undo.dataset(name)
    _zfs_create(name)


def _zfs_create(name: str, props: dict[str, str] | None = None) -> None:
    try:
        zfs.create(name, props=props or {})
    except CommandFailed as exc:
        raise PotError(str(exc), f"create: failed to create {name} dataset") from exc


def last_snapshot(dataset: str) -> str | None:
    """The newest snapshot name of the dataset as upstream finds it (``sort -r | head -1``).

    That is the greatest name in text order, which is the newest for epoch names.
    """
    if not zfs.exists(dataset):
        return None
    names = [name.split("@", 1)[1] for name in zfs.snapshots(dataset)]
    return max(names) if names else None


def receive_snapshot(undo: Undo, snapshot: str, target: str) -> None:
    """``zfs send snapshot | zfs receive target`` (the snapshot comes along), journaled."""
    if not zfs.exists(target):
        undo.dataset(target)
    caps = zfs.capabilities()
    stages = [
        zfs.send_argv(snapshot, replicate=False),
        zfs.receive_argv(target, caps, unmounted=False, props={}),
    ]
    try:
        proc.pipeline(stages)
    except CommandFailed as exc:
        raise PotError(str(exc), "create: zfs send/receive failed") from exc


def _zfs_single(s: Settings, p: CreatePlan, undo: Undo) -> None:
    root_dataset = model.pot_dataset(s, p.pot) + "/m"
    if not p.potbase:
        create_dataset(undo, root_dataset)
        tmp = model.pot_file(s, p.pot, "m/tmp")
        rootpath.makedirs(tmp)
        with rootpath.directory(tmp) as fd:
            os.fchmod(fd, 0o1777)
        rootpath.makedirs(model.pot_file(s, p.pot, "m/dev"))
        return
    source = model.pot_dataset(s, p.potbase) + "/m"
    snap = last_snapshot(source)
    if snap is None:
        # sic: upstream names the dataset with one /m too many
        raise PotError(f"no snapshot found for {source}/m")
    log.debug("Clone zfs snapshot %s@%s", source, snap)
    receive_snapshot(undo, f"{source}@{snap}", root_dataset)


def _zfs_multi(s: Settings, p: CreatePlan, undo: Undo) -> None:
    root = model.pot_root(s, p.pot)
    if not root.is_dir():
        log.debug("Creating mountpoint %s", root)
        root.mkdir(parents=True)
    if p.level == 0:
        return
    dataset = model.pot_dataset(s, p.pot)
    source = model.pot_dataset(s, p.potbase) if p.potbase else model.base_dataset(s, p.base)
    if p.level == 1:
        _import_dataset(f"{source}/usr.local", f"{dataset}/usr.local", undo, "Import")
    _import_dataset(f"{source}/custom", f"{dataset}/custom", undo, "Clone")


def _import_dataset(source: str, target: str, undo: Undo, verb: str) -> None:
    """Copy the source's last snapshot into target and drop the snapshot that came along."""
    if zfs.exists(target):
        log.info("%s exists already", target)
        return
    snap = last_snapshot(source)
    if snap is None:
        raise PotError(f"no snapshot found for {source}")
    log.debug("%s zfs snapshot %s@%s", verb, source, snap)
    receive_snapshot(undo, f"{source}@{snap}", target)
    try:
        zfs.destroy(f"{target}@{snap}")
    except CommandFailed:
        name = target.rsplit("/", 1)[1]
        log.info("create: not able to destroy the snapshot of %s - please, do it manually", name)


# --------------------------------------------------------------------- conf/


def _write_conf(s: Settings, p: CreatePlan, ip: str, undo: Undo) -> None:
    conf_dir = model.pot_file(s, p.pot, "conf")
    undo.new_folder(conf_dir.host)
    rootpath.makedirs(conf_dir, rootpath.DIR_MODE)
    potconf.write_fscomp(conf_dir.child("fscomp.conf"), _fscomp_entries(s, p))
    potconf.write(conf_dir.child("pot.conf"), potconf.created(_new_pot(s, p, ip)))
    if p.dns.startswith(CUSTOM_DNS):
        source = p.cwd / p.dns[len(CUSTOM_DNS) :]
        rootpath.copy_from_host(source, conf_dir.child("resolv.conf"))
    if p.level == 2 and _conf_var(s, p.potbase, "pot.level") == "1":
        _fix_legacy_usr_local(s, p.potbase, undo)
    if p.pot_type == PotType.MULTI and p.level != 0:
        comment_cron_jobs(model.pot_file(s, p.pot, "custom/etc/crontab"))


def _fscomp_entries(s: Settings, p: CreatePlan) -> list[FsCompEntry]:
    if p.pot_type == PotType.SINGLE:
        return []
    base = model.base_dataset(s, p.base)
    own = model.pot_dataset(s, p.pot)
    if p.level == 0:
        return [
            FsCompEntry(base, "/"),
            FsCompEntry(f"{base}/usr.local", "/usr/local"),
            FsCompEntry(f"{base}/custom", "/opt/custom"),
        ]
    if p.level == 1:
        usr_local = FsCompEntry(f"{own}/usr.local", "/usr/local", "zfs-remount")
    else:
        usr_local = FsCompEntry(f"{_usr_local_owner(s, p.potbase)}/usr.local", "/usr/local", "ro")
    return [
        FsCompEntry(base, "/", "ro"),
        usr_local,
        FsCompEntry(f"{own}/custom", "/opt/custom", "zfs-remount"),
    ]


def _usr_local_owner(s: Settings, potbase: str) -> str:
    """The pot whose usr.local a level-2 pot mounts: -P if level 1, else -P's own -P."""
    if _conf_var(s, potbase, "pot.level") == "1":
        return model.pot_dataset(s, potbase)
    return model.pot_dataset(s, _conf_var(s, potbase, "pot.potbase"))


def _new_pot(s: Settings, p: CreatePlan, ip: str) -> NewPot:
    if p.pot_type == PotType.MULTI:
        baseos = _read_osrelease(model.base_dir(s, p.base) / ".osrelease")
    else:
        baseos = p.base
    return NewPot(
        level=p.level,
        pot_type=p.pot_type.value,
        base=p.base,
        potbase=p.potbase,
        dns=p.dns,
        hostname=usable_hostname(p.pot, common.host_name(), s.hostname_max_length),
        osrelease=potconf.osrelease_value(baseos),
        stack=p.stack,
        network_type=p.network_type,
        ip=ip,
        bridge=p.bridge,
        dns_pot=s.get("POT_DNS_NAME"),
    )


def _read_osrelease(path: Path) -> str:
    """The base's release as ``$(cat .osrelease)`` gives it ("" when unreadable)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").rstrip("\n")
    except OSError:
        return ""


def _fix_legacy_usr_local(s: Settings, potbase: str, undo: Undo) -> None:
    """Make a level-1 pot's legacy ``…/m/usr/local zfs-remount`` line plain (upstream's fix)."""
    path = model.fscomp_conf_path(s, potbase)
    legacy = f"{s.fs_root}/jails/{potbase}/m/usr/local"
    if not rootpath.is_file(path) or not os.access(path.host, os.W_OK):
        log.info("%s fscomp.conf has not fscomp.conf", potbase)
        return
    log.info("%s fix (%s zfs-remount)", path.host, legacy)
    old = rootpath.read_bytes(path)
    text = old.decode("utf-8", "surrogateescape")
    lines = [line.replace(f"{legacy} zfs-remount", legacy, 1) for line in text.split("\n")]
    new = "\n".join(lines)
    if new != text:
        undo.restore(path, old)
        potconf.atomic_write(path, new)


def comment_cron_jobs(crontab: PotFile) -> None:
    """Comment out the jobs that make no sense in a jail (save-entropy, adjkerntz)."""
    try:
        text = rootpath.read_text(crontab)
    except OSError:
        log.debug("%s not found, no cron jobs to disable", crontab.host)
        return
    lines = text.split("\n")
    # two passes, as upstream's two sed calls: a line matching both gets "# # "
    lines = [f"# {line}" if line.endswith("save-entropy") else line for line in lines]
    lines = [f"# {line}" if "adjkerntz" in line else line for line in lines]
    rootpath.write(crontab, "\n".join(lines))


# ------------------------------------------------------------------ release


def _install_release(s: Settings, pot: str, base: str, progress: release.Progress | None) -> None:
    """Fetch (or reuse from the cache) the release's base.txz and extract it into ``m/``."""
    log.info("Fetching FreeBSD %s", base)
    try:
        tarball = release.fetch_base(s, base, progress=progress)
    except PotError as exc:
        raise PotError(f"FreeBSD {base} fetch failed - try to continue") from exc
    root = model.pot_root(s, pot)
    log.info("Extract the tarball")
    release.extract(tarball, root, "create")
    rootpath.makedirs(model.pot_file(s, pot, "m/usr/home"))
    if not os.path.lexists(root / "home"):
        (root / "home").symlink_to("usr/home")
