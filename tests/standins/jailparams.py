"""The parameters jail(8) of FreeBSD 14 accepts, and how it parses ``name[=value]``.

Taken from jail(8) (FreeBSD 14 manual): the kernel's core parameters, the ``allow.*``
permissions, the module parameters (linux, sysv*, zfs) and jail(8)'s own
pseudo-parameters (``exec.*``, ``mount.*``, ``vnet.interface`` ...). Booleans take a
``no`` prefix on their last component (``nopersist``, ``allow.noset_hostname``) or the
values true/false; jailsys parameters (``vnet``, ``ip4``, ``sysvshm`` ...) take
inherit/new/disable and mean ``new`` when bare.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from standins.state import ToolError

ALLOW = (
    "set_hostname",
    "sysvipc",
    "raw_sockets",
    "chflags",
    "mount",
    "mount.devfs",
    "quotas",
    "read_msgbuf",
    "socket_af",
    "mlock",
    "reserved_ports",
    "unprivileged_proc_debug",
    "suser",
    "mount.fdescfs",
    "mount.fusefs",
    "mount.nullfs",
    "mount.procfs",
    "mount.linprocfs",
    "mount.linsysfs",
    "mount.tmpfs",
    "mount.zfs",
    "vmm",
    "nfsd",
    "extattr",
    "adjtime",
    "settime",
    "routing",
)

# kernel parameters: what jls shows. Types: bool int str sys ip4 ip6 ro
KERNEL: dict[str, str] = {
    "jid": "int",
    "name": "str",
    "path": "str",
    "ip4.addr": "ip4",
    "ip4.saddrsel": "bool",
    "ip4": "sys",
    "ip6.addr": "ip6",
    "ip6.saddrsel": "bool",
    "ip6": "sys",
    "vnet": "sys",
    "host.hostname": "str",
    "host.domainname": "str",
    "host.hostuuid": "str",
    "host.hostid": "int",
    "host": "sys",
    "securelevel": "int",
    "devfs_ruleset": "int",
    "children.max": "int",
    "children.cur": "ro",
    "enforce_statfs": "int",
    "persist": "bool",
    "cpuset.id": "ro",
    "dying": "ro",
    "parent": "ro",
    "osrelease": "str",
    "osreldate": "int",
    "linux": "sys",
    "linux.osname": "str",
    "linux.osrelease": "str",
    "linux.oss_version": "int",
    "sysvmsg": "sys",
    "sysvsem": "sys",
    "sysvshm": "sys",
    "meta": "str",
    "env": "str",
    "zfs.mount_snapshot": "int",
    **{f"allow.{name}": "bool" for name in ALLOW},
}

# jail(8)'s pseudo-parameters: never passed to the kernel. Types: cmd (repeatable
# command), multi (repeatable value), bool, int, str
PSEUDO: dict[str, str] = {
    "exec.prepare": "cmd",
    "exec.prestart": "cmd",
    "exec.created": "cmd",
    "exec.start": "cmd",
    "command": "cmd",
    "exec.poststart": "cmd",
    "exec.prestop": "cmd",
    "exec.stop": "cmd",
    "exec.poststop": "cmd",
    "exec.release": "cmd",
    "exec.clean": "bool",
    "exec.jail_user": "str",
    "exec.system_jail_user": "bool",
    "exec.system_user": "str",
    "exec.timeout": "int",
    "exec.consolelog": "str",
    "exec.fib": "int",
    "stop.timeout": "int",
    "interface": "str",
    "vnet.interface": "multi",
    "ip_hostname": "bool",
    "mount": "multi",
    "mount.fstab": "str",
    "mount.devfs": "bool",
    "mount.fdescfs": "bool",
    "mount.procfs": "bool",
    "allow.dying": "bool",
    "depend": "multi",
    "zfs.dataset": "multi",
}

# may not change on a running jail (jail -m): CTLFLAG_RDTUN in the kernel
CREATE_ONLY = frozenset({"path", "vnet", "osrelease", "osreldate", "sysvmsg", "sysvsem", "sysvshm"})

SYS_VALUES = {"disable": "disable", "new": "new", "inherit": "inherit", "0": "disable"}
SYS_VALUES.update({"1": "new", "2": "inherit"})


def kind(name: str) -> str | None:
    return KERNEL.get(name) or PSEUDO.get(name)


@dataclass
class Params:
    """Parsed parameters of one jail: kernel values and pseudo-parameter values."""

    kernel: dict[str, Any] = field(default_factory=dict)
    pseudo: dict[str, Any] = field(default_factory=dict)
    # every ip4.addr / ip6.addr entry as (interface or "", address[/mask])
    aliases: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        value = self.kernel.get("name")
        return str(value) if value is not None else None

    def flag(self, name: str) -> bool:
        return bool(self.pseudo.get(name, False))

    def commands(self, name: str) -> list[Any]:
        return list(self.pseudo.get(name, []))


def parse_args(args: list[str]) -> Params:
    """Command-line parameters; ``command=`` swallows the rest of the arguments."""
    params = Params()
    for i, arg in enumerate(args):
        if arg == "command" or arg.startswith("command="):
            words = ([arg[8:]] if arg.startswith("command=") else []) + args[i + 1 :]
            params.pseudo.setdefault("command", []).append(words)
            break
        key, sep, value = arg.partition("=")
        add(params, key, value if sep else None)
    return params


def add(params: Params, raw_name: str, value: str | None) -> None:
    """Validate one ``name[=value]`` and store it (repeatable parameters accumulate)."""
    name, negated = _resolve(raw_name)
    typ = kind(name)
    assert typ is not None
    where = params.kernel if name in KERNEL else params.pseudo
    if typ == "ro":
        raise ToolError(f"{name}: cannot set read-only parameter")
    if negated:
        if value is not None:
            raise ToolError(f'{raw_name}: unknown parameter value "{value}"')
        where[name] = False if typ == "bool" else "inherit" if name == "vnet" else "disable"
        return
    if typ in ("ip4", "ip6"):
        _addresses(params, name, typ, value)
    elif typ in ("cmd", "multi"):
        where.setdefault(name, []).append(_required(name, value))
    else:
        where[name] = _scalar(name, typ, value)


def _resolve(raw: str) -> tuple[str, bool]:
    if kind(raw) is not None:
        return raw, False
    head, dot, last = raw.rpartition(".")
    if last.startswith("no"):
        plain = f"{head}{dot}{last[2:]}"
        if kind(plain) in ("bool", "sys"):
            return plain, True
    raise ToolError(f"unknown parameter: {raw}")


def _required(name: str, value: str | None) -> str:
    if value is None:
        raise ToolError(f"{name}: no value specified")
    return value


def _scalar(name: str, typ: str, value: str | None) -> Any:
    if typ == "bool":
        if value is None or value.lower() == "true":
            return True
        if value.lower() == "false":
            return False
        try:
            return int(value) != 0
        except ValueError:
            raise ToolError(f'{name}: unknown boolean value "{value}"') from None
    if typ == "sys":
        if value is None:
            return "new"
        if value.lower() not in SYS_VALUES:
            raise ToolError(f'{name}: unknown jailsys value "{value}"')
        return SYS_VALUES[value.lower()]
    text = _required(name, value)
    if typ == "int":
        try:
            return int(text, 0)
        except ValueError:
            raise ToolError(f'{name}: non-integer value "{text}"') from None
    return text


def _addresses(params: Params, name: str, typ: str, value: str | None) -> None:
    family = 4 if typ == "ip4" else 6
    addrs = params.kernel.setdefault(name, [])
    for entry in _required(name, value).split(","):
        nic, bar, rest = entry.partition("|")
        if not bar:
            nic, rest = "", entry
        addr = rest.split()[0] if rest.split() else ""
        bare = addr.split("/")[0]
        try:
            ok = ipaddress.ip_address(bare).version == family
        except ValueError:
            ok = False
        if not ok:
            raise ToolError(f"{name}: not an IPv{family} address: {bare}")
        addrs.append(bare)
        params.aliases.append((nic, addr))


def export(name: str, value: Any) -> str:
    """A value as jls prints it (jailparam_export)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def sort_key(name: str) -> tuple[bool, str]:
    """jls orders "all" parameters with top-level names first, then alphabetically."""
    return ("." in name, name)
