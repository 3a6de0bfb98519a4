"""Addresses of pots: parsing (``ip_version``, ``nic|ip`` alias entries), and our
replacement for potnet: reservation, allocation and validation.

Reserved are the network and broadcast of POT_NETWORK, POT_GATEWAY, POT_DNS_IP (when
inside POT_NETWORK or set in pot.conf), the ``ip=`` of every bridge-type pot whether it
runs or not, and every address of every private bridge's subnet. Allocation must run
under the global lock, with the new pot's pot.conf written before the lock is released,
so that two concurrent creates never get the same address (upstream races here when
potnet is asked outside the lock). Pure Python: no process is started here.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pot import rootpath
from pot.errors import ConfigError, PotError
from pot.record import record
from pot.settings import Settings

IPv4 = ipaddress.IPv4Address
_BRIDGE_TYPES = frozenset({"public-bridge", "private-bridge"})


def ip_version(text: str) -> int | None:
    """4 or 6 when potnet's ip4check/ip6check accept the text, else None.

    A zone index (``fe80::1%em0``) is refused, as potnet does; so is anything
    :mod:`ipaddress` refuses (leading zeros in IPv4 too).
    """
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return None


def alias_entry(word: str, default_nic: str) -> tuple[str, str]:
    """``(nic, address)`` of one word of an alias pot's ``ip``: ``nic|address``, or a bare
    address on ``default_nic``. Upstream cuts fields 1 and 2 at ``|``: a third is ignored."""
    if "|" not in word:
        return default_nic, word
    fields = word.split("|")
    return fields[0], fields[1]


def alias_entries(s: Settings, ip: str) -> list[tuple[str, str]]:
    """``(nic, address)`` of each word of an alias pot's ``ip``; the nic defaults to
    POT_EXTIF."""
    return [alias_entry(word, s.get("POT_EXTIF")) for word in ip.split()]


@record
class Bridge:
    """A private bridge definition file (POT_FS_ROOT/bridges/<name>)."""

    name: str
    net: ipaddress.IPv4Network
    gateway: IPv4


@record
class PotAddress:
    """The network facts of one pot, as potnet reads them from its pot.conf."""

    pot: str
    network_type: str
    ip: str


def _value(line: str) -> str:
    # potnet's own rule: the text between the first and the second "="
    parts = line.split("=")
    return parts[1].strip() if len(parts) > 1 else ""


def network(s: Settings) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(s.get("POT_NETWORK"), strict=False)
    except ValueError as exc:
        value = s.get("POT_NETWORK")
        raise ConfigError(f"POT_NETWORK is not a valid IPv4 network: {value}") from exc


def pot_addresses(s: Settings) -> list[PotAddress]:
    """network_type and ip of every pot, in name order."""
    out: list[PotAddress] = []
    jails = s.fs_root / "jails"
    if not jails.is_dir():
        return out
    for folder in sorted(jails.iterdir()):
        text = _pot_conf_text(folder)
        if text is None:
            continue
        ntype = ip = ""
        for line in text.splitlines():
            if line.startswith("network_type="):
                ntype = _value(line)
            elif line.startswith("ip="):
                ip = line[3:].strip()
        out.append(PotAddress(folder.name, ntype, ip))
    return out


def _pot_conf_text(folder: Path) -> str | None:
    """A pot's pot.conf, None when missing or not a regular file reached through no link
    (a link could name a host file, or a fifo that never ends).
    """
    try:
        raw = rootpath.read_bytes(rootpath.PotFile(folder, "conf/pot.conf", folder.name))
    except (OSError, PotError):
        return None
    return raw.decode("utf-8", "replace")


def bridges(s: Settings) -> dict[str, Bridge]:
    """Every well-formed bridge file; files lacking name, net or gateway are ignored."""
    folder = s.fs_root / "bridges"
    found: dict[str, Bridge] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        bridge = _read_bridge(path)
        if bridge is not None:
            found[bridge.name] = bridge
    return found


def _read_bridge(path: Path) -> Bridge | None:
    fields: dict[str, str] = {}
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        key = line.split("=", 1)[0].strip()
        fields[key] = _value(line).split()[0] if _value(line) else ""
    try:
        net = ipaddress.IPv4Network(fields["net"], strict=False)
        gateway = IPv4(fields["gateway"])
        name = fields["name"]
    except (KeyError, ValueError):
        return None
    return Bridge(name, net, gateway) if gateway in net else None


def _bridge_pot_ips(s: Settings) -> set[IPv4]:
    used: set[IPv4] = set()
    for pot in pot_addresses(s):
        if pot.network_type in _BRIDGE_TYPES:
            try:
                used.add(IPv4(pot.ip))
            except ValueError:
                continue  # potnet panics here; we ignore the broken pot instead
    return used


def reserved(s: Settings) -> set[IPv4]:
    net = network(s)
    out = {net.network_address, net.broadcast_address}
    for key in ("POT_GATEWAY", "POT_DNS_IP"):
        try:
            address = IPv4(s.get(key))
        except ValueError:
            continue
        if key == "POT_GATEWAY" or address in net:
            out.add(address)
    out |= _bridge_pot_ips(s)
    for bridge in bridges(s).values():
        out.update(bridge.net)  # the whole subnet belongs to the bridge
    return out


def next_address(s: Settings, bridge: str | None = None) -> IPv4 | None:
    """The lowest free host address of POT_NETWORK, or of the private bridge's subnet."""
    if bridge is not None:
        b = bridges(s).get(bridge)
        if b is None:
            return None
        taken = _bridge_pot_ips(s) | {b.gateway}
        return next((a for a in b.net.hosts() if a not in taken), None)
    taken = reserved(s)
    return next((a for a in network(s).hosts() if a not in taken), None)


def validate(s: Settings, address: str, bridge: str | None = None) -> bool:
    """Whether a bridge-type pot may use the address."""
    try:
        ip = IPv4(address)
    except ValueError:
        return False
    if bridge is not None:
        b = bridges(s).get(bridge)
        if b is None:
            return False
        special = {b.net.network_address, b.net.broadcast_address, b.gateway}
        return ip in b.net and ip not in special and ip not in _bridge_pot_ips(s)
    return ip in network(s) and ip not in reserved(s)


def config_check(s: Settings) -> bool:
    """potnet config-check: gateway inside POT_NETWORK and netmask matching it."""
    try:
        net = network(s)
        gateway = IPv4(s.get("POT_GATEWAY"))
        netmask = IPv4(s.get("POT_NETMASK"))
    except (ConfigError, ValueError):
        return False
    return gateway in net and netmask == net.netmask


def new_net(s: Settings, hosts: int) -> Bridge | None:
    """The first free subnet for ``hosts`` hosts (name left empty); None if none fits."""
    if hosts <= 1:
        raise ConfigError(f"a bridge needs at least 2 hosts, not {hosts}")
    prefix = 30
    while hosts > 2 ** (32 - prefix) - 2:
        prefix -= 1
    taken = reserved(s)
    for subnet in network(s).subnets(new_prefix=prefix):
        if not any(a in taken for a in subnet):
            return Bridge("", subnet, next(subnet.hosts()))
    return None


def etc_hosts(s: Settings, bridge: str | None = None) -> list[tuple[IPv4, str]]:
    """(ip, pot) of every public-bridge pot, or of the private-bridge pots of one bridge."""
    b = bridges(s).get(bridge) if bridge is not None else None
    wanted = "private-bridge" if bridge is not None else "public-bridge"
    out: list[tuple[IPv4, str]] = []
    for pot in pot_addresses(s):
        if pot.network_type != wanted:
            continue
        try:
            ip = IPv4(pot.ip)
        except ValueError:
            continue
        if b is None or ip in b.net:
            out.append((ip, pot.pot))
    return sorted(out)
