"""What ``pot info`` and ``pot last-run-stats`` report about a pot or a private bridge.

Values are read from pot.conf with upstream's readers (the generic one for most keys,
so several lines of a key come out joined by newlines, as the shell's ``$(...)`` does),
which keeps the output byte-identical to upstream's for any file.
"""

from __future__ import annotations

import time

from pot import jail, model, potconf, rootpath, zfs
from pot.errors import ConfigError, PotError, UsageError, worded
from pot.ops import common
from pot.potconf import PotConf
from pot.record import record
from pot.rootpath import PotFile
from pot.settings import Settings

# last-run-stats and info -r are run every second by nomad-pot-driver: the address
# helpers (ipaddress, pathlib) are loaded by the parts of info that show addresses.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress

LAST_RUN_STATS = ".last_run_stats"
# what last-run-stats prints when the pot has not run yet
NO_STATS = "{}\n"
# date(1)'s default output format, which upstream's ``date -r`` prints
_DATE_FORMAT = "%a %b %e %H:%M:%S %Z %Y"


@record
class PotInfo:
    """The facts of ``pot info -p``; the verbose-only parts are None unless asked for."""

    name: str
    type: str
    base: str
    level: str
    potbase: str | None  # level 2 pots only
    network_type: str
    ip: str | None  # None for inherit
    bridge: str | None  # private-bridge only
    export_ports: str
    active: bool
    attributes: tuple[tuple[str, str], ...]
    jail_attributes: tuple[tuple[str, str], ...]
    cpus: str
    memory: str
    datasets: tuple[str, ...] | None = None
    snapshots: tuple[str, ...] | None = None


@record
class AddressUse:
    """One line of potnet's ``show -b``: an address of the bridge and what holds it."""

    address: str
    use: str


# --------------------------------------------------------------------------- checks


def require_pot(s: Settings, pot: str, *, quiet: bool = False) -> None:
    """Upstream's ``NO <p> is not a pot`` (+ help); with quiet only the help, as upstream."""
    if common.is_pot(s, pot):
        return
    if quiet:
        raise UsageError()
    raise UsageError(worded("NO", f"{pot} is not a pot"))


def require_bridge(s: Settings, bridge: str, *, quiet: bool = False) -> None:
    """A bridge is a file under ``POT_FS_ROOT/bridges``; else ``NO <b> is not a bridge``."""
    if bridge and (model.bridges_dir(s) / bridge).exists():
        return
    raise PotError(*(() if quiet else (worded("NO", f"{bridge} is not a bridge"),)))


def is_running(pot: str) -> bool:
    return jail.is_running(pot)


# --------------------------------------------------------------------------- info block


def pot_info(s: Settings, pot: str, *, verbose: bool = False) -> PotInfo:
    """The info block's facts; with ``verbose`` also datasets and snapshots (one zfs call)."""
    conf = common.read_conf(s, pot)
    network_type = _get(conf, "network_type")
    level = _get(conf, "pot.level")
    return PotInfo(
        name=pot,
        type=_get(conf, "pot.type"),
        base=_get(conf, "pot.base"),
        level=level,
        potbase=_get(conf, "pot.potbase") if _is_level_2(level) else None,
        network_type=network_type,
        ip=None if network_type == "inherit" else conf.raw("ip") or "",
        bridge=_get(conf, "bridge") if network_type == "private-bridge" else None,
        export_ports=conf.get_export_ports() or "",
        active=jail.is_running(pot),
        attributes=tuple(
            (spec.name, _get(conf, spec.key) or "NO") for spec in potconf.POT_ATTRIBUTES
        ),
        jail_attributes=tuple(
            (spec.name, _get(conf, spec.key) or spec.default or "NO")
            for spec in potconf.JAIL_ATTRIBUTES
        ),
        cpus=_get(conf, "pot.rss.cpus"),
        memory=_get(conf, "pot.rss.memory"),
        datasets=_datasets(s, pot, conf) if verbose else None,
        snapshots=tuple(zfs.snapshot_tree(model.pot_dataset(s, pot))) if verbose else None,
    )


def _get(conf: PotConf, key: str) -> str:
    return conf.get(key) or ""


def _is_level_2(level: str) -> bool:
    # upstream compares with -eq, so 02 is level 2 too
    return level.isdigit() and int(level) == 2


def _datasets(s: Settings, pot: str, conf: PotConf) -> tuple[str, ...]:
    """``<pot>/m`` for single pots, then ``<mountpoint> => <dataset>`` per fscomp.conf line."""
    lines = [f"{pot}/m"] if _get(conf, "pot.type") == "single" else []
    # upstream strips the configured strings, as written in pot.conf (no normalisation)
    jails_prefix = s.get("POT_FS_ROOT") + "/jails/"
    zfs_prefix = s.zfs_root + "/"
    for entry in _fscomp_entries(model.fscomp_conf_path(s, pot)):
        mountpoint = entry.mountpoint.removeprefix(jails_prefix)
        lines.append(f"{mountpoint} => {entry.source.removeprefix(zfs_prefix)}")
    return tuple(lines)


def _fscomp_entries(path: PotFile) -> list[potconf.FsCompEntry]:
    try:
        return potconf.read_fscomp(path)
    except ConfigError:
        return []  # upstream's read loop on a missing file reads nothing


# --------------------------------------------------------------------------- -s


def snapshot_names(s: Settings, pot: str) -> list[str]:
    """Names (after ``@``) of the snapshots of the pot's own dataset, oldest first."""
    return common.snapshots(s, pot)


def snapshot_date(name: str) -> str:
    """What ``date -r <name>`` prints (local time); "" for a name that is not a number."""
    try:
        seconds = int(name)
        return time.strftime(_DATE_FORMAT, time.localtime(seconds))
    except (ValueError, OverflowError, OSError):
        return ""


# --------------------------------------------------------------------------- -E


def environment(s: Settings, pot: str) -> list[tuple[str, str]]:
    """The ``-E`` variables in upstream's order: name, address(es), bridge, jail id."""
    conf = common.read_conf(s, pot)
    network_type = _get(conf, "network_type")
    out = [("_POT_NAME", pot)]
    if network_type == "alias":
        out += _alias_variables(s, conf)
    else:
        out.append(("_POT_IP", conf.raw("ip") or ""))
    if network_type == "private-bridge":
        out.append(("_POT_BRIDGE", _get(conf, "bridge")))
    jid = jail.jid(pot)
    if jid is not None:
        out.append(("_POT_JID", str(jid)))
    return out


def alias_addresses(s: Settings, conf: PotConf) -> list[tuple[str, str]]:
    """(nic, ip) of an alias pot's ``ip`` entries: IPv4 ones, then IPv6 ones, per its stack.

    An entry is ``nic|ip`` or a bare ``ip`` on POT_EXTIF; entries that are no valid
    address of the family are left out, as upstream's ``potnet ip4check``/``ip6check``.
    """
    stack = _get(conf, "pot.stack") or s.network_stack
    from pot.net import addresses

    entries = addresses.alias_entries(s, conf.raw("ip") or "")
    v4 = [e for e in entries if addresses.ip_version(e[1]) == 4] if stack != "ipv6" else []
    v6 = [e for e in entries if addresses.ip_version(e[1]) == 6] if stack != "ipv4" else []
    return v4 + v6


def _alias_variables(s: Settings, conf: PotConf) -> list[tuple[str, str]]:
    """``_POT_IP``, then ``_POT_IP_<n>``/``_POT_NIC_<n>`` per address and the two lists.

    Upstream means one number per address; with two addresses of one family it numbers
    a comma-joined pair instead (a bug its tests do not reach); we number each one.
    """
    out: list[tuple[str, str]] = []
    pairs = alias_addresses(s, conf)
    for index, (nic, ip) in enumerate(pairs):
        if index == 0:
            out.append(("_POT_IP", ip))
        out += [(f"_POT_IP_{index}", ip), (f"_POT_NIC_{index}", nic)]
    # a backslash-escaped space, so that the line survives the eval it is made for
    out.append(("_POT_IP_LIST", "\\ ".join(f"_POT_IP_{i}" for i in range(len(pairs)))))
    out.append(("_POT_NIC_LIST", "\\ ".join(f"_POT_NIC_{i}" for i in range(len(pairs)))))
    return out


# --------------------------------------------------------------------------- -B


def bridge_addresses(s: Settings, bridge: str) -> list[AddressUse] | None:
    """potnet's ``show -b``: the bridge's network, broadcast and gateway addresses and
    the bridge-type pots inside its subnet, by address; None when the file is malformed
    (potnet finds no bridge of that name then).
    """
    import ipaddress

    from pot.net import addresses

    found = addresses.bridges(s).get(bridge)
    if found is None:
        return None
    uses: dict[ipaddress.IPv4Address, str] = {
        found.net.network_address: f"{bridge} bridge - network ",
        found.net.broadcast_address: f"{bridge} bridge - broadcast ",
        found.gateway: f"{bridge} bridge - gateway ",
    }
    for pot in addresses.pot_addresses(s):
        if pot.network_type not in ("public-bridge", "private-bridge"):
            continue
        try:
            address = ipaddress.IPv4Address(pot.ip)
        except ValueError:
            continue
        if address in found.net:
            uses[address] = pot.pot
    return [AddressUse(str(address), uses[address]) for address in sorted(uses)]


# --------------------------------------------------------------------------- last-run-stats


def last_run_stats(s: Settings, pot: str) -> str:
    """``conf/.last_run_stats`` as it is (``{ "ExitCode": N }``), or ``{}`` before any run."""
    if not pot:
        raise UsageError("A pot name is mandatory")
    common.check_pot(s, pot, f"{pot} is not a pot")
    try:
        return rootpath.read_text(model.pot_file(s, pot, f"conf/{LAST_RUN_STATS}"))
    except OSError:
        return NO_STATS
