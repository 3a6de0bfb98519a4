"""pot init and pot de-init: the ZFS layout, the folders and the host's pf/syslog set-up.

Upstream prints a few lines with plain ``echo`` (no ``===>`` marker) in between its
messages; they are handed to the caller's ``say`` so that the order is kept.
"""

from __future__ import annotations

import contextlib
import grp
import ipaddress
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from pot import jail, model, net, proc, rcconf, zfs
from pot import log as logging
from pot.errors import PotError, PotRunning, worded
from pot.net import addresses
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

Say = Callable[[str], None]
# the stop command's library call: stop(settings, pot)
StopPot = Callable[[Settings, str], None]

PF_ANCHORS = ("nat-anchor pot-nat", 'rdr-anchor "pot-rdr/*"')
POT_DATASETS = ("bases", "jails", "fscomp")
BACKUP_SUFFIX = ".bkp-pot"
FAREWELL = (
    "check your rc.conf for potential leftovers variable like:",
    "  syslogd_flags",
    "  pot_enable",
    "Please, consider to write a feedback email to pizzamig at FreeBSD dot org",
    "It gives us the opportunity to learn and improve",
)


@record
class HostFiles:
    """The host's files that init touches outside POT_FS_ROOT (tests point them elsewhere)."""

    rc_conf: Path = Path("/etc/rc.conf")
    log_dirs: tuple[Path, ...] = (
        Path("/usr/local/etc/syslog.d"),
        Path("/usr/local/etc/newsyslog.conf.d"),
        Path("/var/log/pot"),
    )


HOST = HostFiles()


def default_pf_file() -> str:
    """The pf rules file of rc.conf (``sysrc -n pf_rules``); "" when unknown."""
    return rcconf.get("pf_rules")


# --------------------------------------------------------------------------- init


def init(
    s: Settings,
    *,
    pf_file: str,
    alter_syslog: bool,
    say: Say,
    host: HostFiles = HOST,
) -> None:
    """Create POT_ZFS_ROOT and its datasets and folders, check the network configuration,
    then (unless asked not to) set syslogd's flags and add pot's anchors to pf_file ("" skips).

    Everything is checked before anything is changed: the configuration, the network
    interfaces, and that every folder and file init writes can be written (upstream
    checked the network only after making the datasets and the host's log folders).
    """
    group_id = _check_conf(s)
    _check_network(s)
    _check_writable(s, host if alter_syslog else None, pf_file)
    _root_dataset(s)
    _fs_root(s, group_id)
    _datasets(s)
    _folders(s, host if alter_syslog else None)
    if alter_syslog:
        _syslogd_flags(s, host, say)
    if pf_file:
        add_pf_anchors(Path(pf_file), say)
    else:
        log.debug("pf configuration skipped")


def _check_conf(s: Settings) -> int:
    """Upstream's configuration check, with its mode word; returns POT_GROUP's id."""
    problem = None
    group = s.get("POT_GROUP") or "pot"
    gid = -1
    if not s.zfs_root:
        problem = "POT_ZFS_ROOT is mandatory"
    elif not s.get("POT_FS_ROOT"):
        problem = "POT_FS_ROOT is mandatory"
    else:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            problem = f"Group '{group}' is missing, create it or change POT_GROUP"
    if problem is not None:
        raise PotError(
            worded("init", problem), worded("init", "Configuration not valid, please verify it")
        )
    return gid


def _root_dataset(s: Settings) -> None:
    root, mountpoint = s.zfs_root, s.get("POT_FS_ROOT")
    found = zfs.dataset(root, user_props=())
    if found is not None and found.mountpoint == mountpoint:
        log.info("%s already present", root)
        return
    if found is not None:
        raise PotError(f"{root} is an invalid POT root")
    # upstream's message lacks the closing parenthesis
    log.debug("creating %s file system (mountpoint %s", root, mountpoint)
    # zfs-fuse predates lz4: there, "on" is the closest choice
    compression = "lz4" if zfs.capabilities().lz4 else "on"
    props = {
        "mountpoint": mountpoint,
        "canmount": "off",
        "compression": compression,
        "atime": "off",
    }
    zfs.create(root, props=props)


def _fs_root(s: Settings, group_id: int) -> None:
    folder = s.fs_root
    # a failure is reported below: upstream checks the folder, not mkdir's status
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    if not folder.is_dir():
        raise PotError(f"Not able to create the dir {s.get('POT_FS_ROOT')}")
    try:
        folder.chmod(0o750)
        os.chown(folder, 0, group_id)
    except OSError as exc:
        raise PotError(f"{folder}: {exc.strerror}") from exc


def _datasets(s: Settings) -> None:
    """bases, jails, fscomp (created or mounted) and the cache (created if missing)."""
    tree = zfs.list_tree(s.zfs_root, user_props=())
    for child in POT_DATASETS:
        name = f"{s.zfs_root}/{child}"
        if name not in tree:
            log.debug("creating %s", name)
            zfs.create(name)  # zfs mounts what it creates, or fails
        elif not tree[name].mounted:
            log.debug("mounting %s", name)
            zfs.mount(name)
    cache, mountpoint = f"{s.zfs_root}/cache", s.get("POT_CACHE")
    if cache in tree and tree[cache].mountpoint == mountpoint:
        return
    log.debug("creating %s mounted as %s", cache, mountpoint)
    if cache not in tree:
        zfs.create(cache, props={"mountpoint": mountpoint, "compression": "off"})


def _folders(s: Settings, host: HostFiles | None) -> None:
    """The bridges folder, syslog's folders (when host is given) and POT_TMP."""
    (s.fs_root / "bridges").mkdir(parents=True, exist_ok=True)
    for folder in host.log_dirs if host is not None else ():
        folder.mkdir(parents=True, exist_ok=True)
    tmp = s.get("POT_TMP") or "/tmp"
    try:
        Path(tmp).mkdir(parents=True, exist_ok=True)
    except OSError:
        raise PotError("The POT_TMP directory has not been created - aborting") from None


def _creatable(folder: Path) -> bool:
    """Whether folder exists, or its nearest existing ancestor is a writable folder."""
    if folder.exists():
        return folder.is_dir()
    for parent in folder.parents:
        if parent.exists():
            return parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)
    return False


def _writable_file(path: Path) -> bool:
    if path.exists():
        return os.access(path, os.W_OK)
    return _creatable(path.parent)


def _check_writable(s: Settings, host: HostFiles | None, pf_file: str) -> None:
    """What init will write can be written; the first that cannot is named."""
    if not _creatable(s.fs_root):
        raise PotError(f"Not able to create the dir {s.get('POT_FS_ROOT')}")
    if not _creatable(Path(s.get("POT_TMP") or "/tmp")):
        raise PotError("The POT_TMP directory has not been created - aborting")
    if host is not None:
        for folder in host.log_dirs:
            if not _creatable(folder):
                raise PotError(f"Not able to create the dir {folder} (-s or -m skip it)")
        if not proc.available("sysrc"):
            raise PotError(f"sysrc is needed to set syslogd_flags in {host.rc_conf} (-s skips it)")
    if pf_file and not _writable_file(Path(pf_file)):
        raise PotError(f"The pf rules file {pf_file} cannot be written (-m skips it)")


def _check_network(s: Settings) -> None:
    """potnet's config-check, then POT_EXTIF, POT_EXTIF_ADDR and POT_EXTRA_EXTIF."""
    if not addresses.config_check(s):
        raise PotError("The network configuration in the pot configuration file is not valid")
    extif = s.get("POT_EXTIF")
    if not net.interface_exists(extif):
        raise PotError(f"The network interface {extif} seems not valid [POT_EXTIF]")
    address = s.get("POT_EXTIF_ADDR")
    if address:
        _check_extif_address(extif, address)
    for extra in s.extra_extifs:
        if not net.interface_exists(extra):
            raise PotError(f"The network interface {extra} seems not valid [POT_EXTRA_EXTIF]")


def _check_extif_address(extif: str, address: str) -> None:
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        raise PotError(
            f"The value {address} [POT_EXTIF_ADDR] is not a valid IPv4 address"
        ) from None
    if address not in net.inet_addresses(extif):
        raise PotError(
            f"The IP address {address} [POT_EXTIF_ADDR] is not available on the network"
            f" interface {extif} [POT_EXTIF]"
        )


def _syslogd_flags(s: Settings, host: HostFiles, say: Say) -> None:
    if os.access(host.rc_conf, os.W_OK):
        say(f"Creating a backup of your {host.rc_conf}")
        _backup(host.rc_conf, say)
    flags = f"-b 127.0.0.1 -b {s.get('POT_GATEWAY')} -a {s.get('POT_NETWORK')}"
    rcconf.set_value("syslogd_flags", flags)


def _backup(path: Path, say: Say) -> None:
    """``cp -v path path.bkp-pot``, with cp's line."""
    target = path.with_name(path.name + BACKUP_SUFFIX)
    shutil.copy(path, target)
    say(f"{path} -> {target}")


# --------------------------------------------------------------------------- pf


def pf_configured(text: str) -> bool:
    """Whether the rules hold each of pot's anchor lines exactly once."""
    lines = text.split("\n")
    return all(lines.count(anchor) == 1 for anchor in PF_ANCHORS)


def without_anchors(text: str) -> str:
    """The rules with every line of pot's anchors deleted."""
    kept = [line for line in text.split("\n") if line not in PF_ANCHORS]
    return "\n".join(kept)


def with_anchors(text: str) -> str:
    """pot's anchor lines first, then the rules (ending in a newline, as ex writes)."""
    body = text if not text or text.endswith("\n") else text + "\n"
    return "".join(anchor + "\n" for anchor in PF_ANCHORS) + body


def add_pf_anchors(pf_file: Path, say: Say) -> None:
    """Put pot's anchors at the top of the pf rules, once; back the file up first."""
    if _readable(pf_file) and pf_configured(pf_file.read_text()):
        log.debug("pf already properly configured")
        return
    if os.access(pf_file, os.W_OK):
        say(f"Creating a backup of your {pf_file}")
        _backup(pf_file, say)
        text = without_anchors(pf_file.read_text())
    else:
        pf_file.touch()
        text = pf_file.read_text()
    say(f"auto-magically editing your {pf_file}")
    pf_file.write_text(with_anchors(text))
    say(f"Please, check that your PF configuration file {pf_file} is still valid and reload it!")


def _readable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.R_OK)


# --------------------------------------------------------------------------- de-init


def pot_names(s: Settings) -> list[str]:
    """The folders of POT_FS_ROOT/jails (upstream's pot list), in its order."""
    jails = s.fs_root / "jails"
    if not jails.is_dir():
        return []
    return model.folder_order(
        p.name for p in jails.iterdir() if p.is_dir() and not p.name.startswith(".")
    )


def deinit(
    s: Settings,
    *,
    force: bool,
    pf_file: str,
    stop: StopPot,
    say: Say,
) -> None:
    """Stop running pots (only with force), destroy POT_ZFS_ROOT, take pot's anchors out of
    pf_file ("" skips) and say goodbye.

    Upstream meant to refuse while pots run, but never computed the pot list; we do.
    """
    for pot in pot_names(s):
        if not jail.is_running(pot):
            continue
        if not force:
            raise PotRunning(
                "At least on pot is still running. Use -f to force the stop of all pots"
            )
        log.debug("Stop the pot %s", pot)
        stop(s, pot)
    if zfs.exists(s.zfs_root):
        log.info("Deinstall pot (%s)", s.zfs_root)
        zfs.destroy(s.zfs_root, recursive=True)
    else:
        log.info("no root dataset found (%s)", s.zfs_root)
    say("zfs datasets have been removed")
    if pf_file:
        remove_pf_anchors(Path(pf_file), say)
    for line in FAREWELL:
        say(line)


def remove_pf_anchors(pf_file: Path, say: Say) -> None:
    if pf_file.is_file():
        pf_file.write_text(without_anchors(pf_file.read_text()))
    else:
        log.debug("%s: no such file", pf_file)
    say("pf configuration file should be clean")
    say(f"  - please check {pf_file} and reload it")
