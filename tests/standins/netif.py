"""ifconfig(8) of FreeBSD 14 over the simulated interface table.

Interfaces live in ``state["ifaces"]`` in creation (index) order. An interface moved
into a VNET jail keeps its entry with ``vnet`` set to the jail's name and disappears
from the host's view, as on FreeBSD. Addresses are applied after all other
parameters of a call, as ifconfig does; everything else is applied in order, so an
error leaves earlier changes in place (again as on FreeBSD).
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from standins.state import Json, ToolError, getopt, host, out

USAGE = """usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface
		address_family [address [dest_address]] [parameters]
       ifconfig [-j jail] interface create
       ifconfig [-j jail] -a [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v]
		[address_family]
       ifconfig [-j jail] -l [-d] [-u] [address_family]
       ifconfig [-j jail] [-L] [-C] [-g groupname] [-d] [-m] [-u] [-v]"""

CLONERS = ("epair", "bridge", "lo", "tap")
ADDRESS_FAMILIES = ("inet", "inet6", "link", "ether", "lladdr")

_IFF = (
    (0x1, "UP"),
    (0x2, "BROADCAST"),
    (0x4, "DEBUG"),
    (0x8, "LOOPBACK"),
    (0x40, "RUNNING"),
    (0x100, "PROMISC"),
    (0x800, "SIMPLEX"),
    (0x8000, "MULTICAST"),
    (0x1000000, "LOWER_UP"),
)
_ND6 = (
    (0x1, "PERFORMNUD"),
    (0x2, "ACCEPT_RTADV"),
    (0x4, "PREFER_SOURCE"),
    (0x8, "IFDISABLED"),
    (0x10, "DONT_SET_IFROUTE"),
    (0x20, "AUTO_LINKLOCAL"),
    (0x40, "NO_RADR"),
    (0x80, "NO_PREFER_IFACE"),
    (0x100, "NO_DAD"),
)
# member flags of if_bridge, in the order ifconfig prints them (IFBIFBITS)
_BRIDGE_MEMBER = (
    (0x1, "LEARNING"),
    (0x2, "DISCOVER"),
    (0x4, "STP"),
    (0x8, "SPAN"),
    (0x10, "STICKY"),
    (0x800, "PRIVATE"),
    (0x20, "EDGE"),
    (0x40, "AUTOEDGE"),
    (0x80, "PTP"),
    (0x100, "AUTOPTP"),
)
_ND6_WORDS = {
    "accept_rtadv": "ACCEPT_RTADV",
    "ifdisabled": "IFDISABLED",
    "auto_linklocal": "AUTO_LINKLOCAL",
    "nud": "PERFORMNUD",
    "no_radr": "NO_RADR",
    "prefer_source": "PREFER_SOURCE",
    "no_prefer_iface": "NO_PREFER_IFACE",
    "no_dad": "NO_DAD",
}
# parameters that are accepted and have no visible effect here; value = argument count
_NO_EFFECT = {
    "arp": 0,
    "-arp": 0,
    "promisc": 0,
    "-promisc": 0,
    "debug": 0,
    "-debug": 0,
    "monitor": 0,
    "-monitor": 0,
    "staticarp": 0,
    "-staticarp": 0,
    "rxcsum": 0,
    "-rxcsum": 0,
    "txcsum": 0,
    "-txcsum": 0,
    "tso": 0,
    "-tso": 0,
    "lro": 0,
    "-lro": 0,
    "vlanmtu": 0,
    "-vlanmtu": 0,
    "vlanhwtag": 0,
    "-vlanhwtag": 0,
    "autoconf": 0,
    "-autoconf": 0,
    "anycast": 0,
    "-anycast": 0,
    "tentative": 0,
    "-tentative": 0,
    "deprecated": 0,
    "-deprecated": 0,
    "defaultif": 0,
    "-defaultif": 0,
    "metric": 1,
    "media": 1,
    "mediaopt": 1,
    "-mediaopt": 1,
    "broadcast": 1,
    "vltime": 1,
    "pltime": 1,
}
# bridge parameters: name -> (argument count, member flag it sets or clears)
_BRIDGE_PARAMS: dict[str, tuple[int, int]] = {
    "addm": (1, 0),
    "deletem": (1, 0),
    "private": (1, 0x800),
    "-private": (1, 0x800),
    "learn": (1, 0x1),
    "-learn": (1, 0x1),
    "discover": (1, 0x2),
    "-discover": (1, 0x2),
    "stp": (1, 0x4),
    "-stp": (1, 0x4),
    "span": (1, 0x8),
    "-span": (1, 0x8),
    "sticky": (1, 0x10),
    "-sticky": (1, 0x10),
    "edge": (1, 0x20),
    "-edge": (1, 0x20),
    "autoedge": (1, 0x40),
    "-autoedge": (1, 0x40),
    "ptp": (1, 0x80),
    "-ptp": (1, 0x80),
    "autoptp": (1, 0x100),
    "-autoptp": (1, 0x100),
    "maxaddr": (1, 0),
    "timeout": (1, 0),
    "priority": (1, 0),
    "hellotime": (1, 0),
    "fwddelay": (1, 0),
    "maxage": (1, 0),
    "proto": (1, 0),
    "holdcnt": (1, 0),
    "ifpriority": (2, 0),
    "ifpathcost": (2, 0),
    "ifmaxaddr": (2, 0),
}


# ---------------------------------------------------------------- the table


def add_host_interface(
    st: Json, name: str, *, inet: str | None = None, kind: str = "ether"
) -> Json:
    """Add a physical interface (test set-up), already up with an optional address."""
    iface = _new(st, name, kind, unit=None, cloned=False)
    iface["up"] = True
    if inet:
        net = ipaddress.ip_interface(inet)
        family = "inet" if net.version == 4 else "inet6"
        iface[family].append({"addr": str(net.ip), "prefix": net.network.prefixlen})
    return iface


def _new(st: Json, name: str, kind: str, *, unit: int | None, cloned: bool) -> Json:
    index = st["next_ifindex"]
    st["next_ifindex"] = index + 1
    groups = {"epair": ["epair"], "bridge": ["bridge"], "loopback": ["lo"], "tap": ["tap"]}
    iface: Json = {
        "name": name,
        "kind": kind,
        "unit": unit,
        "cloned": cloned,
        "index": index,
        "up": False,
        "descr": None,
        "groups": list(groups.get(kind, [])),
        "inet": [],
        "inet6": [],
        "nd6": _default_nd6(kind),
        "members": [],
        "vnet": None,
        "peer": None,
        "mtu": 16384 if kind == "loopback" else 1500,
        "ether": _mac(kind, index),
    }
    st["ifaces"].append(iface)
    return iface


def _default_nd6(kind: str) -> list[str]:
    if kind == "loopback":
        return ["PERFORMNUD", "AUTO_LINKLOCAL"]
    if kind == "bridge":
        return ["PERFORMNUD", "IFDISABLED"]
    return ["PERFORMNUD", "IFDISABLED", "AUTO_LINKLOCAL"]


def _mac(kind: str, index: int) -> str:
    if kind == "loopback":
        return ""
    return f"58:9c:fc:10:{index // 256 % 256:02x}:{index % 256:02x}"


def host_ifaces(st: Json) -> list[Json]:
    return [i for i in st["ifaces"] if i["vnet"] is None]


def lookup(st: Json, name: str) -> Json | None:
    """The host-side interface of that name (None when absent or inside a jail)."""
    for iface in host_ifaces(st):
        if iface["name"] == name:
            return iface
    return None


def require(st: Json, name: str) -> Json:
    iface = lookup(st, name)
    if iface is None:
        raise ToolError(f"ifconfig: interface {name} does not exist")
    return iface


def move_to_jail(st: Json, name: str, jail: str) -> None:
    require(st, name)["vnet"] = jail


def release_jail(st: Json, jail: str) -> None:
    """A removed VNET jail gives its interfaces back to the host."""
    for iface in st["ifaces"]:
        if iface["vnet"] == jail:
            iface["vnet"] = None


def add_alias(st: Json, name: str, addr: str) -> None:
    """jail(8)'s ``ip4.addr=<if>|<addr>``: an alias with a host mask."""
    iface = require(st, name)
    ip = ipaddress.ip_interface(addr)
    family = "inet" if ip.version == 4 else "inet6"
    prefix = ip.network.prefixlen if "/" in addr else (32 if ip.version == 4 else 128)
    entry = {"addr": str(ip.ip), "prefix": prefix}
    if all(a["addr"] != entry["addr"] for a in iface[family]):
        iface[family].append(entry)


def remove_alias(st: Json, name: str, addr: str) -> None:
    iface = lookup(st, name)
    if iface is None:
        return
    ip = str(ipaddress.ip_interface(addr).ip)
    for family in ("inet", "inet6"):
        iface[family] = [a for a in iface[family] if a["addr"] != ip]


# ---------------------------------------------------------------- the command


def run(tool: str, args: list[str]) -> int:
    opts, rest = getopt(tool, args, "adf:g:G:klmnuvCLj:", USAGE)
    flags = {k for k, _ in opts}
    values = dict(opts)
    if "j" in flags:
        raise ToolError("ifconfig: -j is not simulated by the stand-in", rc=70)
    fmt = _format(values.get("f"))
    if "C" in flags:
        out("bridge epair lo tap\n")
        return 0
    if "l" in flags:
        with host(write=False) as st:
            return _list_names(st, flags, rest)
    if "g" in flags and not rest:
        with host(write=False) as st:
            names = [i["name"] for i in host_ifaces(st) if values["g"] in _groups(i)]
        out("".join(n + "\n" for n in names))
        return 0
    if "a" in flags or not rest:
        with host(write=False) as st:
            shown = [i for i in host_ifaces(st) if _selected(i, flags)]
            out("".join(render(i, st, fmt, rest[0] if rest else None) for i in shown))
        return 0
    with host() as st:
        return _interface_command(st, rest[0], rest[1:], fmt)


def _selected(iface: Json, flags: set[str]) -> bool:
    if "u" in flags and not iface["up"]:
        return False
    return not ("d" in flags and iface["up"])


def _list_names(st: Json, flags: set[str], rest: list[str]) -> int:
    family = rest[0] if rest else None
    if family is not None and family not in ADDRESS_FAMILIES:
        raise ToolError(f"ifconfig: unknown address family: {family}")
    names = []
    for iface in host_ifaces(st):
        if not _selected(iface, flags):
            continue
        if family in ("inet", "inet6") and not iface[family]:
            continue
        if family in ("ether", "link", "lladdr") and not iface["ether"]:
            continue
        names.append(iface["name"])
    out(" ".join(names) + "\n")
    return 0


def _interface_command(st: Json, name: str, params: list[str], fmt: dict[str, str]) -> int:
    if params and params[0] == "create":
        iface = _create(st, name)
        _Configure(st, iface, fmt, printname=True).apply(params[1:])
        return 0
    if len(params) == 2 and params[0] == "-vnet":
        _reclaim(st, name, params[1])
        return 0
    iface = require(st, name)
    if not params:
        out(render(iface, st, fmt, None))
        return 0
    if len(params) == 1 and params[0] in ADDRESS_FAMILIES:
        out(render(iface, st, fmt, params[0]))
        return 0
    _Configure(st, iface, fmt, printname=False).apply(params)
    return 0


def _create(st: Json, name: str) -> Json:
    cloner = name.rstrip("0123456789")
    unit_text = name[len(cloner) :]
    if cloner not in CLONERS:
        raise ToolError(f"ifconfig: SIOCIFCREATE2 ({name}): Invalid argument")
    used = {_unit(i) for i in st["ifaces"] if i["kind"] == _kind(cloner)}
    if unit_text:
        unit = int(unit_text)
        if unit in used or lookup(st, name) is not None:
            raise ToolError(f"ifconfig: SIOCIFCREATE2 ({name}): File exists")
    else:
        unit = next(u for u in range(len(used) + 1) if u not in used)
    if cloner == "epair":
        a = _new(st, f"epair{unit}a", "epair", unit=unit, cloned=True)
        b = _new(st, f"epair{unit}b", "epair", unit=unit, cloned=True)
        a["peer"], b["peer"] = b["name"], a["name"]
        a["ether"], b["ether"] = _epair_mac(unit, "a"), _epair_mac(unit, "b")
        return a
    return _new(st, f"{cloner}{unit}", _kind(cloner), unit=unit, cloned=True)


def _reclaim(st: Json, name: str, jail: str) -> None:
    """``ifconfig <if> -vnet <jail>``: take an interface back from a VNET jail."""
    from standins import jails

    record = jails.find(st, jail)
    if record is None:
        raise ToolError(f'ifconfig: jail "{jail}" not found')
    for iface in st["ifaces"]:
        if iface["name"] == name and iface["vnet"] == record["name"]:
            iface["vnet"] = None
            return
    raise ToolError("ifconfig: SIOCSIFRVNET: No such file or directory")


def _unit(iface: Json) -> int | None:
    """The cloner unit an interface holds (a renamed one keeps it; lo0 is unit 0)."""
    if iface["unit"] is not None:
        unit: int = iface["unit"]
        return unit
    digits = iface["name"][len(iface["name"].rstrip("0123456789")) :]
    return int(digits) if digits else None


def _kind(cloner: str) -> str:
    return {"lo": "loopback"}.get(cloner, cloner)


def _epair_mac(unit: int, side: str) -> str:
    return f"02:f0:{unit // 256:02x}:{unit % 256:02x}:7c:0{side}"


def destroy(st: Json, iface: Json) -> None:
    """Destroy a cloned interface (both ends of an epair) and detach it from bridges."""
    if not iface["cloned"]:
        raise ToolError("ifconfig: SIOCIFDESTROY: Invalid argument")
    gone = {iface["name"]}
    if iface["peer"]:
        gone.add(iface["peer"])
    st["ifaces"] = [i for i in st["ifaces"] if i["name"] not in gone]
    for bridge in st["ifaces"]:
        bridge["members"] = [m for m in bridge["members"] if m["name"] not in gone]


class _Configure:
    """One ``ifconfig <if> param...`` call: parameters in order, addresses last."""

    def __init__(self, st: Json, iface: Json, fmt: dict[str, str], *, printname: bool) -> None:
        self.st = st
        self.iface = iface
        self.fmt = fmt
        self.printname = printname
        self.family = "inet"
        self.address: str | None = None
        self.netmask: str | None = None
        self.alias: bool | None = None  # True alias, False -alias/delete, None plain
        self.destroyed = False

    def apply(self, params: list[str]) -> None:
        i = 0
        while i < len(params):
            i = self._one(params, i)
        if self.address is not None:
            self._address()
        if self.printname and not self.destroyed:
            out(self.iface["name"] + "\n")

    def _one(self, params: list[str], i: int) -> int:
        word = params[i]
        if word in ("inet", "inet6", "link"):
            self.family = word
            return i + 1
        if word in ("up", "down"):
            self._up(word == "up")
            return i + 1
        if word == "alias":
            self.alias = True
            return i + 1
        if word in ("-alias", "delete"):
            self.alias = False
            return i + 1
        if word == "destroy":
            destroy(self.st, self.iface)
            self.destroyed = True
            return len(params)
        if word.lstrip("-") in _ND6_WORDS:
            self._nd6(word)
            return i + 1
        if word in ("-description", "-descr"):
            self.iface["descr"] = None
            return i + 1
        if word in _NO_EFFECT:
            return i + 1 + _NO_EFFECT[word]
        if word in _BRIDGE_PARAMS:
            count, flag = _BRIDGE_PARAMS[word]
            self._bridge(word, params[i + 1 : i + 1 + count], flag)
            return i + 1 + count
        handler = _WITH_ARGUMENT.get(word)
        if handler is not None:
            if i + 1 >= len(params):
                raise ToolError(f"ifconfig: '{word}' requires argument")
            handler(self, params[i + 1])
            return i + 2
        self._address_word(word)
        return i + 1

    # ---- simple parameters

    def _up(self, up: bool) -> None:
        self.iface["up"] = up

    def _nd6(self, word: str) -> None:
        flag = _ND6_WORDS[word.lstrip("-")]
        flags = [f for f in self.iface["nd6"] if f != flag]
        if not word.startswith("-"):
            flags.append(flag)
        self.iface["nd6"] = flags

    def _name(self, new: str) -> None:
        if any(i["name"] == new for i in self.st["ifaces"]):
            raise ToolError("ifconfig: ioctl SIOCSIFNAME (set name): File exists")
        old = self.iface["name"]
        for other in self.st["ifaces"]:
            if other["peer"] == old:
                other["peer"] = new
            for member in other["members"]:
                if member["name"] == old:
                    member["name"] = new
        self.iface["name"] = new
        self.printname = True

    def _descr(self, text: str) -> None:
        self.iface["descr"] = text

    def _group(self, group: str) -> None:
        if group[-1:].isdigit():
            raise ToolError(f"ifconfig: {group}: group names may not end in a digit")
        if group not in self.iface["groups"]:
            self.iface["groups"].append(group)

    def _ungroup(self, group: str) -> None:
        self.iface["groups"] = [g for g in self.iface["groups"] if g != group]

    def _mtu(self, value: str) -> None:
        if not value.isdigit():
            raise ToolError(f"ifconfig: {value}: bad value")
        self.iface["mtu"] = int(value)

    def _netmask(self, value: str) -> None:
        self.netmask = value

    def _prefixlen(self, value: str) -> None:
        self.netmask = "/" + value

    def _lladdr(self, value: str) -> None:
        self.iface["ether"] = value

    def _vnet(self, jail: str) -> None:
        from standins import jails

        record = jails.find(self.st, jail)
        if record is None:
            raise ToolError(f'ifconfig: jail "{jail}" not found')
        self.iface["vnet"] = record["name"]

    def _unvnet(self, jail: str) -> None:
        raise ToolError(f"ifconfig: SIOCSIFRVNET: Invalid argument ({jail})")

    # ---- bridges

    def _bridge(self, word: str, operands: list[str], flag: int) -> None:
        if len(operands) < 1:
            raise ToolError(f"ifconfig: '{word}' requires argument")
        if self.iface["kind"] != "bridge":
            raise ToolError(f"ifconfig: {_bridge_ioctl(word)} {operands[0]}: Invalid argument")
        if word == "addm":
            self._addm(operands[0])
        elif word == "deletem":
            self._member(word, operands[0])
            members = self.iface["members"]
            self.iface["members"] = [m for m in members if m["name"] != operands[0]]
        elif flag:
            member = self._member(word, operands[0])
            member["flags"] = (
                member["flags"] & ~flag if word.startswith("-") else member["flags"] | flag
            )

    def _addm(self, name: str) -> None:
        if lookup(self.st, name) is None:
            raise ToolError(f"ifconfig: BRDGADD {name}: No such file or directory")
        for bridge in self.st["ifaces"]:
            if any(m["name"] == name for m in bridge["members"]):
                reason = "File exists" if bridge is self.iface else "Device busy"
                raise ToolError(f"ifconfig: BRDGADD {name}: {reason}")
        self.iface["members"].append({"name": name, "flags": 0x1 | 0x2 | 0x40 | 0x100})

    def _member(self, word: str, name: str) -> Json:
        for member in self.iface["members"]:
            if member["name"] == name:
                result: Json = member
                return result
        raise ToolError(f"ifconfig: {_bridge_ioctl(word)} {name}: Invalid argument")

    # ---- addresses

    def _address_word(self, word: str) -> None:
        if self.family not in ("inet", "inet6") or self.address is not None:
            raise ToolError(f"ifconfig: {word}: bad value")
        try:
            ip = ipaddress.ip_interface(word)
        except ValueError:
            raise ToolError(f"ifconfig: {word}: bad value") from None
        if (ip.version == 4) != (self.family == "inet"):
            raise ToolError(f"ifconfig: {word}: bad value")
        self.address = word

    def _address(self) -> None:
        assert self.address is not None
        entry = _parse_address(self.address, self.netmask, self.family)
        addrs: list[Json] = self.iface[self.family]
        present = [a for a in addrs if a["addr"] == entry["addr"]]
        if self.alias is False:
            if not present:
                raise ToolError("ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address")
            self.iface[self.family] = [a for a in addrs if a["addr"] != entry["addr"]]
            return
        if present:
            if self.alias:
                raise ToolError("ifconfig: ioctl (SIOCAIFADDR): File exists")
            present[0]["prefix"] = entry["prefix"]
        elif self.alias or self.family == "inet6" or not addrs:
            addrs.append(entry)
        else:
            addrs[0] = entry  # without "alias" the first address is replaced
        if self.family == "inet6":
            self.iface["nd6"] = [f for f in self.iface["nd6"] if f != "IFDISABLED"]
        self.iface["up"] = True


_WITH_ARGUMENT = {
    "name": _Configure._name,
    "descr": _Configure._descr,
    "description": _Configure._descr,
    "group": _Configure._group,
    "-group": _Configure._ungroup,
    "mtu": _Configure._mtu,
    "netmask": _Configure._netmask,
    "prefixlen": _Configure._prefixlen,
    "ether": _Configure._lladdr,
    "lladdr": _Configure._lladdr,
    "vnet": _Configure._vnet,
    "-vnet": _Configure._unvnet,
}


def _bridge_ioctl(word: str) -> str:
    if word == "addm":
        return "BRDGADD"
    if word == "deletem":
        return "BRDGDEL"
    return "BRDGGIFFLGS"


def _parse_address(text: str, netmask: str | None, family: str) -> Json:
    if "/" in text:
        ip = ipaddress.ip_interface(text)
        return {"addr": str(ip.ip), "prefix": ip.network.prefixlen}
    addr = ipaddress.ip_address(text)
    if netmask is not None:
        return {"addr": str(addr), "prefix": _prefix_of(netmask, text)}
    if family == "inet6":
        return {"addr": str(addr), "prefix": 64}
    first = int(str(addr).split(".")[0])
    classful = 8 if first < 128 else 16 if first < 192 else 24
    return {"addr": str(addr), "prefix": classful}


def _prefix_of(netmask: str, address: str) -> int:
    if netmask.startswith("/"):
        return int(netmask[1:])
    try:
        value = (
            int(netmask, 16) if netmask.startswith("0x") else int(ipaddress.IPv4Address(netmask))
        )
    except ValueError:
        raise ToolError(f"ifconfig: {netmask}: bad value") from None
    bits = bin(value).count("1")
    if value != ((1 << 32) - 1) ^ ((1 << (32 - bits)) - 1):
        raise ToolError(f"ifconfig: {netmask}: bad value")
    return bits


# ---------------------------------------------------------------- listing


def _format(option: str | None) -> dict[str, str]:
    """IFCONFIG_FORMAT (pot exports addr:default) overridden by -f."""
    fmt: dict[str, str] = {}
    for source in (os.environ.get("IFCONFIG_FORMAT", ""), option or ""):
        for item in source.split(","):
            key, _, value = item.partition(":")
            if not key:
                continue
            if key not in ("addr", "ether", "inet", "inet6"):
                raise ToolError(f"ifconfig: Unknown format type: {key}")
            fmt[key] = value
    return fmt


def _groups(iface: Json) -> list[str]:
    return ["all", *iface["groups"]]


def _bits(value: int, table: tuple[tuple[int, str], ...]) -> str:
    names = ",".join(name for bit, name in table if value & bit)
    return f"{value:x}<{names}>"


def _if_flags(iface: Json) -> int:
    flags = 0x8000
    if iface["kind"] == "loopback":
        flags |= 0x8
    else:
        flags |= 0x2 | 0x800
    if iface["up"]:
        flags |= 0x1 | 0x40
        if iface["kind"] != "bridge":
            flags |= 0x1000000
    return flags


def render(iface: Json, st: Json, fmt: dict[str, str], family: str | None) -> str:
    """ifconfig's listing of one interface, FreeBSD 14 layout."""
    lines = [f"{iface['name']}: flags={_bits(_if_flags(iface), _IFF)} metric 0 mtu {iface['mtu']}"]
    if family in ("inet", "inet6"):
        lines += _address_lines(iface, fmt, family)
        return "\n".join(lines) + "\n"
    if iface["descr"]:
        lines.append(f"\tdescription: {iface['descr']}")
    if iface["kind"] in ("ether", "epair"):
        lines.append("\toptions=8<VLAN_MTU>")
    if iface["ether"]:
        lines.append(f"\tether {_ether(iface['ether'], fmt)}")
    if family is None:
        lines += _address_lines(iface, fmt, "inet") + _address_lines(iface, fmt, "inet6")
    if iface["kind"] == "bridge":
        lines += _bridge_lines(iface, st)
    if iface["groups"]:
        lines.append("\tgroups: " + " ".join(iface["groups"]))
    lines += _media_lines(iface)
    nd6 = sum(bit for bit, name in _ND6 if name in iface["nd6"])
    lines.append(f"\tnd6 options={_bits(nd6, _ND6)}")
    return "\n".join(lines) + "\n"


def _address_lines(iface: Json, fmt: dict[str, str], family: str) -> list[str]:
    lines = []
    for entry in iface[family]:
        if family == "inet":
            lines.append("\t" + _inet(iface, entry, fmt.get("inet", "default")))
        else:
            style = fmt.get("inet6", "default")
            if style == "cidr":
                lines.append(f"\tinet6 {entry['addr']}/{entry['prefix']}")
            else:
                lines.append(f"\tinet6 {entry['addr']} prefixlen {entry['prefix']}")
    return lines


def _inet(iface: Json, entry: Json, style: str) -> str:
    net = ipaddress.ip_interface(f"{entry['addr']}/{entry['prefix']}")
    if style == "cidr":
        text = f"inet {entry['addr']}/{entry['prefix']}"
    elif style == "dotted":
        text = f"inet {entry['addr']} netmask {net.netmask}"
    else:
        text = f"inet {entry['addr']} netmask 0x{int(net.netmask):08x}"
    if iface["kind"] != "loopback":
        text += f" broadcast {net.network.broadcast_address if entry['prefix'] < 32 else net.ip}"
    return text


def _ether(mac: str, fmt: dict[str, str]) -> str:
    style = fmt.get("ether", "colon")
    if style == "dash":
        return mac.replace(":", "-")
    if style == "dotted":
        raw = mac.replace(":", "")
        return ".".join(raw[i : i + 4] for i in range(0, 12, 4))
    return mac


def _bridge_lines(iface: Json, st: Json) -> list[str]:
    lines = [
        "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15",
        "\tmaxage 20 holdcnt 6 proto rstp maxaddr 2000 timeout 1200",
        "\troot id 00:00:00:00:00:00 priority 32768 ifcost 0 port 0",
    ]
    indexes = {i["name"]: i["index"] for i in st["ifaces"]}
    for member in iface["members"]:
        lines.append(f"\tmember: {member['name']} flags={_bits(member['flags'], _BRIDGE_MEMBER)}")
        port = indexes.get(member["name"], 0)
        lines.append(f"\t        port {port} priority 128 path cost 2000")
    return lines


def _media_lines(iface: Json) -> list[str]:
    status = "active" if iface["up"] else "no carrier"
    if iface["kind"] == "epair":
        return ["\tmedia: Ethernet 10Gbase-T (10Gbase-T <full-duplex>)", f"\tstatus: {status}"]
    if iface["kind"] == "ether":
        return ["\tmedia: Ethernet autoselect (1000baseT <full-duplex>)", f"\tstatus: {status}"]
    return []


def describe(iface: Json) -> dict[str, Any]:
    """A compact view for test assertions."""
    return {
        "up": iface["up"],
        "inet": [f"{a['addr']}/{a['prefix']}" for a in iface["inet"]],
        "inet6": [f"{a['addr']}/{a['prefix']}" for a in iface["inet6"]],
        "members": [m["name"] for m in iface["members"]],
        "private": [m["name"] for m in iface["members"] if m["flags"] & 0x800],
        "groups": list(iface["groups"]),
        "descr": iface["descr"],
        "vnet": iface["vnet"],
    }
