"""sysctl, rctl, cpuset, sysrc, service, logger, kldload, kldstat, freebsd-version,
chflags, top and posixshmcontrol of FreeBSD 14, over the simulated host."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from standins.state import Json, ToolError, getopt, host, out, pids_rooted_at

# name -> (default value, writable); values are strings as sysctl prints them
SYSCTLS: dict[str, tuple[str, bool]] = {
    "hw.machine": ("amd64", False),
    "hw.machine_arch": ("amd64", False),
    "hw.ncpu": ("4", False),
    "hw.clockrate": ("2400", False),
    "hw.physmem": ("8556843008", False),
    "kern.ostype": ("FreeBSD", False),
    "kern.osrelease": ("14.1-RELEASE-p5", False),
    "kern.osreldate": ("1401000", False),
    "kern.hostname": ("pottest", True),
    "kern.boottime": ("{ sec = 1700000000, usec = 0 } Tue Nov 14 22:13:20 2023", False),
    "kern.features.vimage": ("1", False),
    "kern.features.inet": ("1", False),
    "kern.features.inet6": ("1", False),
    "kern.features.racct": ("1", False),
    "kern.features.rctl": ("1", False),
    "kern.racct.enable": ("0", False),
    "net.inet.ip.forwarding": ("0", True),
    "net.inet6.ip6.forwarding": ("0", True),
    "net.inet.ip.portrange.reservedhigh": ("1023", True),
    "net.inet.ip.portrange.first": ("49152", True),
    "net.inet.ip.portrange.last": ("65535", True),
    "security.jail.jailed": ("0", False),
    "security.jail.vnet": ("0", False),
    "security.jail.enforce_statfs": ("2", True),
    "security.jail.set_hostname_allowed": ("1", True),
    "security.jail.socket_unixiproute_only": ("1", True),
    "security.jail.sysvipc_allowed": ("0", True),
    "security.jail.allow_raw_sockets": ("0", True),
    "security.jail.chflags_allowed": ("0", True),
    "security.jail.mount_allowed": ("0", True),
    "security.jail.children.max": ("999999", False),
    "security.jail.children.cur": ("0", False),
    "security.jail.param.allow.mount.nullfs": ("0", False),
}
TUNABLES = frozenset({"kern.racct.enable"})

SYSCTL_USAGE = """usage: sysctl [-bdeFhiJNnoqTtWx]  [ -B <bufsize> ] [-f filename] name[=value] ...
       sysctl [-bdeFhiJNnoqTtWx] [ -B <bufsize> ] -a"""
RCTL_USAGE = "usage: rctl [ -h ] [-a rule | -l filter | -r filter | -u filter | filter]"
CPUSET_USAGE = """usage: cpuset [-l cpu-list] [-n policy:domain-list] [-s setid] cmd ...
       cpuset [-l cpu-list] [-n policy:domain-list] [-s setid] -p pid
       cpuset [-c] [-l cpu-list] [-n policy:domain-list] -C -p pid
       cpuset [-c] [-l cpu-list] [-n policy:domain-list]
              [-j jailid | -p pid | -t tid | -s setid | -x irq]
       cpuset -g [-cir]
              [-d domain | -j jailid | -p pid | -t tid | -s setid | -x irq]"""
SERVICE_USAGE = (
    "usage: service [-j <jail name or id>] [-v] [-E var=value] <rc.d script> start|stop|etc."
)
LOGGER_USAGE = """usage: logger [-46Ais] [-f file] [-h host] [-P port] [-p pri] [-t tag]
              [-S addr:port] [message ...]"""
TOP_USAGE = """usage: top [-CHIPSTabijnPqStuvz] [-d count] [-J jail] [-m cpu | io] [-o field]
           [-p pid] [-s time] [-U username] [number]"""
RC_DEFAULTS = {
    "pf_enable": "NO",
    "pf_rules": "/etc/pf.conf",
    "pf_flags": "",
    "pflog_enable": "NO",
    "gateway_enable": "NO",
    "jail_enable": "NO",
    "syslogd_enable": "YES",
    "syslogd_flags": "-s",
    "sshd_enable": "NO",
    "zfs_enable": "NO",
    "defaultrouter": "NO",
    "ifconfig_lo0": "inet 127.0.0.1",
    "rtsold_enable": "NO",
}
SERVICES = ("syslogd", "pf", "pflog", "sshd", "jail", "pot", "pot_early", "zfs", "netif", "routing")
MODULES = ("pf", "pflog", "if_bridge", "if_epair", "zfs", "nullfs", "tmpfs", "fdescfs", "linprocfs")
RESOURCES = (
    "cputime",
    "datasize",
    "stacksize",
    "coredumpsize",
    "memoryuse",
    "memorylocked",
    "maxproc",
    "openfiles",
    "vmemoryuse",
    "pseudoterminals",
    "swapuse",
    "nthr",
    "msgqqueued",
    "msgqsize",
    "nmsgq",
    "nsem",
    "nsemop",
    "nshm",
    "shmsize",
    "wallclock",
    "pcpu",
    "readbps",
    "writebps",
    "readiops",
    "writeiops",
)
_SUBJECTS = ("process", "user", "loginclass", "jail")
_ACTIONS = re.compile(r"^(deny|log|devctl|throttle|sig[a-z]+)$")
_SUFFIX = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def run(tool: str, args: list[str]) -> int:
    handlers: dict[str, Callable[[list[str]], int]] = {
        "sysctl": _sysctl,
        "rctl": _rctl,
        "cpuset": _cpuset,
        "sysrc": _sysrc,
        "service": _service,
        "logger": _logger,
        "kldload": _kldload,
        "kldstat": _kldstat,
        "freebsd-version": _freebsd_version,
        "chflags": _chflags,
        "top": _top,
        "posixshmcontrol": _posixshmcontrol,
    }
    return handlers[tool](args)


# ---------------------------------------------------------------- sysctl


def sysctl_value(st: Json, name: str) -> str | None:
    if name == "security.jail.children.cur":
        return str(len(st["jails"]))
    if name in st["sysctl"]:
        return str(st["sysctl"][name])
    if name in SYSCTLS:
        return SYSCTLS[name][0]
    return None


def _sysctl(args: list[str]) -> int:
    opts, rest = getopt("sysctl", args, "abB:deFf:hiJNnoqTtWx", SYSCTL_USAGE)
    flags = {k for k, _ in opts}
    if "a" in flags:
        rest = [""]
    if not rest:
        raise ToolError(*SYSCTL_USAGE.splitlines())
    status = 0
    with host() as st:
        for arg in rest:
            try:
                _sysctl_one(st, arg, flags)
            except ToolError as exc:
                if "q" not in flags:
                    for line in exc.lines:
                        sys.stderr.write(line + "\n")
                status = 1
    return status


def _sysctl_one(st: Json, arg: str, flags: set[str]) -> None:
    name, sep, new = arg.partition("=")
    names = sorted(set(SYSCTLS) | set(st["sysctl"]))
    if name and name not in names:
        children = [n for n in names if n.startswith(name + ".")]
        if not children or sep:
            raise ToolError(f"sysctl: unknown oid '{name}'")
        names = children
    elif name:
        names = [name]
    if sep:
        _sysctl_set(st, name, new, flags)
        return
    for each in names:
        shown = sysctl_value(st, each)
        if "N" in flags:
            out(each + "\n")
        elif "n" in flags:
            out(f"{shown}\n")
        else:
            out(f"{each}: {shown}\n")


def _sysctl_set(st: Json, name: str, new: str, flags: set[str]) -> None:
    if name in TUNABLES:
        raise ToolError(
            f"sysctl: oid '{name}' is a read only tunable",
            "sysctl: Tunable values are set in /boot/loader.conf",
        )
    if name in SYSCTLS and not SYSCTLS[name][1]:
        raise ToolError(f"sysctl: oid '{name}' is read only")
    old = sysctl_value(st, name)
    if old is not None and old.lstrip("-").isdigit() and not new.lstrip("-").isdigit():
        raise ToolError(f"sysctl: invalid integer '{new}'")
    st["sysctl"][name] = new
    # -q only silences warnings; the change is always reported on stdout
    out(f"{old} -> {new}\n" if "n" in flags else f"{name}: {old} -> {new}\n")


# ---------------------------------------------------------------- rctl


def _rctl(args: list[str]) -> int:
    opts, rest = getopt("rctl", args, "a:hl:nr:u:", RCTL_USAGE)
    flags = {k for k, _ in opts}
    values = dict(opts)
    human = "h" in flags
    with host() as st:
        if sysctl_value(st, "kern.racct.enable") != "1":
            action = _rctl_action(values)
            raise ToolError(
                f"rctl: {action}: RACCT/RCTL present, but disabled; "
                "enable using kern.racct.enable=1 tunable"
            )
        if "a" in values:
            rule = _normalise_rule(values["a"])
            if rule not in st["rctl"]:
                st["rctl"].append(rule)
        elif "r" in values:
            st["rctl"] = [r for r in st["rctl"] if not _matches(r, values["r"])]
        elif "u" in values:
            out(_usage(st, values["u"], human=human))
        else:
            wanted = values.get("l") or (rest[0] if rest else "")
            rules = [r for r in st["rctl"] if _matches(r, wanted)]
            out("".join(_show_rule(r, human=human) + "\n" for r in rules))
    return 0


def _rctl_action(values: dict[str, str]) -> str:
    if "a" in values:
        return f"failed to add rule '{values['a']}'"
    if "r" in values:
        return f"failed to remove rule '{values['r']}'"
    if "u" in values:
        return f"failed to get resource utilisation for '{values['u']}'"
    return "failed to get rules"


def _normalise_rule(rule: str) -> str:
    fields = rule.split(":")
    if len(fields) != 4 or "=" not in fields[3]:
        raise ToolError(f"rctl: failed to add rule '{rule}': Invalid argument")
    subject, ident, resource, action_amount = fields
    action, _, amount = action_amount.partition("=")
    amount, _, per = amount.partition("/")
    if (
        subject not in _SUBJECTS
        or not ident
        or resource not in RESOURCES
        or not _ACTIONS.match(action)
    ):
        raise ToolError(f"rctl: failed to add rule '{rule}': Invalid argument")
    number = _expand_number(amount)
    if number is None:
        raise ToolError(f"rctl: failed to add rule '{rule}': Invalid argument")
    return f"{subject}:{ident}:{resource}:{action}={number}" + (f"/{per}" if per else "")


def _expand_number(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)([kmgtpKMGTP]?)[bB]?", text)
    if match is None:
        return None
    return int(match.group(1)) * _SUFFIX.get(match.group(2).lower(), 1)


def _matches(rule: str, pattern: str) -> bool:
    if not pattern:
        return True
    mine, theirs = rule.split(":"), pattern.split(":")
    return all(not want or want == have for have, want in zip(mine, theirs, strict=False))


def _humanize(number: int) -> str:
    for suffix, size in (("P", 1 << 50), ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20)):
        if number >= size:
            value = number / size
            return f"{value:.1f}{suffix}" if value < 10 else f"{value:.0f}{suffix}"
    if number >= 1 << 10:
        return f"{number // 1024}K"
    return str(number)


def _show_rule(rule: str, *, human: bool) -> str:
    if not human:
        return rule
    head, _, amount = rule.rpartition("=")
    number, _, per = amount.partition("/")
    return f"{head}={_humanize(int(number))}" + (f"/{per}" if per else "")


def _usage(st: Json, subject: str, *, human: bool) -> str:
    kind, _, ident = subject.partition(":")
    if kind != "jail":
        raise ToolError("rctl: only jail subjects are simulated by the stand-in", rc=70)
    from standins import jails

    record = jails.find(st, ident)
    if record is None:
        raise ToolError(
            f"rctl: failed to get resource utilisation for '{subject}': No such process"
        )
    usage = dict.fromkeys(RESOURCES, 0)
    pids = pids_rooted_at(record["root"])
    usage["maxproc"] = len(pids)
    usage["memoryuse"] = sum(_status_kb(pid, "VmRSS") for pid in pids) * 1024
    usage["vmemoryuse"] = sum(_status_kb(pid, "VmSize") for pid in pids) * 1024
    usage["nthr"] = sum(_status_kb(pid, "Threads") for pid in pids)
    usage["wallclock"] = int(time.time() - record["created"])
    lines = []
    for name, amount in usage.items():
        lines.append(f"{name}={_humanize(amount) if human else amount}")
    return "".join(line + "\n" for line in lines)


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


# ---------------------------------------------------------------- cpuset


def _cpuset(args: list[str]) -> int:
    opts, _rest = getopt("cpuset", args, "Ccd:gij:l:n:p:rs:t:x:", CPUSET_USAGE)
    values = dict(opts)
    if "j" not in values:
        raise ToolError("cpuset: only the -j forms are simulated by the stand-in", rc=70)
    with host() as st:
        from standins import jails

        record = jails.find(st, values["j"])
        if record is None:
            raise ToolError(f"cpuset: {jails.not_found(values['j'])}")
        ncpu = int(sysctl_value(st, "hw.ncpu") or "1")
        jid = str(record["jid"])
        if "g" in values:
            cpus = st["cpusets"].get(jid, list(range(ncpu)))
            out(f"jail {jid} mask: {', '.join(str(c) for c in cpus)}\n")
            out(f"jail {jid} domain policy: first-touch mask: 0\n")
        elif "l" in values:
            st["cpusets"][jid] = _cpu_list(values["l"], ncpu)
        else:
            raise ToolError(*CPUSET_USAGE.splitlines())
    return 0


def _cpu_list(text: str, ncpu: int) -> list[int]:
    if text == "all":
        return list(range(ncpu))
    cpus: set[int] = set()
    for part in text.split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ToolError(f"cpuset: invalid list '{text}'", rc=65)
        for cpu in range(int(low), int(high if dash else low) + 1):
            if cpu >= ncpu:
                raise ToolError(f"cpuset: setaffinity: Invalid argument ({cpu})")
            cpus.add(cpu)
    return sorted(cpus)


# ---------------------------------------------------------------- sysrc


def _sysrc(args: list[str]) -> int:
    opts, rest = getopt(
        "sysrc", args, "aAcdDeEf:FhiIjJ:nNqR:vxX", "usage: sysrc [OPTIONS] name[=value] ..."
    )
    flags = {k for k, _ in opts}
    conf = dict(opts).get("f")
    if not rest:
        raise ToolError("sysrc: name[=value] required (use -a to list)", rc=1)
    if conf is None:
        with host() as st:
            return _sysrc_all(rest, st["rc_conf"], flags, None)
    values = _read_rc(Path(conf))
    status = _sysrc_all(rest, values, flags, conf)
    return status


def _sysrc_all(items: list[str], values: dict[str, str], flags: set[str], conf: str | None) -> int:
    status = 0
    for item in items:
        name, sep, new = item.partition("=")
        append = name.endswith("+")
        name = name.rstrip("+")
        if "x" in flags:
            values.pop(name, None)
            if conf is not None:
                _write_rc(Path(conf), name, None)
            continue
        old = values.get(name, RC_DEFAULTS.get(name))
        if not sep:
            if old is None:
                if "i" not in flags and "q" not in flags:
                    sys.stderr.write(f"sysrc: unknown variable '{name}'\n")
                status = 1 if "i" not in flags else status
                continue
            out(f"{old}\n" if "n" in flags else f"{name}: {old}\n")
            continue
        if append and old:
            new = f"{old} {new}"
        values[name] = new
        if conf is not None:
            _write_rc(Path(conf), name, new)
        if "q" not in flags:
            out(f"{new}\n" if "n" in flags else f"{name}: {old or ''} -> {new}\n")
    return status


def _read_rc(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        match = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2).strip().strip('"').strip("'")
    return values


def _write_rc(path: Path, name: str, new: str | None) -> None:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        lines = []
    pattern = re.compile(rf"^\s*{re.escape(name)}=")
    entry = None if new is None else f'{name}="{new}"'
    kept = []
    replaced = False
    for line in lines:
        if pattern.match(line):
            if entry is not None and not replaced:
                kept.append(entry)
            replaced = True
            continue
        kept.append(line)
    if entry is not None and not replaced:
        kept.append(entry)
    path.write_text("".join(line + "\n" for line in kept))


# ---------------------------------------------------------------- small ones


def _service(args: list[str]) -> int:
    _opts, rest = getopt("service", args, "ejlrRvE:", SERVICE_USAGE)
    if not rest:
        raise ToolError(SERVICE_USAGE)
    name = rest[0]
    if name not in SERVICES:
        raise ToolError(
            f"{name} does not exist in /etc/rc.d or the local startup",
            "directories (/usr/local/etc/rc.d), or is not executable",
        )
    if len(rest) < 2:
        raise ToolError(f"/etc/rc.d/{name}: unknown directive ''.")
    return 0


_FACILITIES = (
    "auth",
    "authpriv",
    "console",
    "cron",
    "daemon",
    "ftp",
    "kern",
    "lpr",
    "mail",
    "news",
    "ntp",
    "security",
    "syslog",
    "user",
    "uucp",
    *(f"local{i}" for i in range(8)),
)
_LEVELS = (
    "alert",
    "crit",
    "debug",
    "emerg",
    "err",
    "error",
    "info",
    "notice",
    "panic",
    "warning",
    "warn",
)


def _logger(args: list[str]) -> int:
    opts, _rest = getopt("logger", args, "46Af:H:h:iP:p:Sst:", LOGGER_USAGE)
    priority = dict(opts).get("p", "user.notice")
    facility, dot, level = priority.partition(".")
    if not dot:
        facility, level = "user", facility
    if facility not in _FACILITIES:
        raise ToolError(f"logger: unknown facility name: {facility}")
    if level not in _LEVELS:
        raise ToolError(f"logger: unknown priority name: {level}")
    return 0


def _kldload(args: list[str]) -> int:
    opts, rest = getopt("kldload", args, "nqv", "usage: kldload [-nqv] file ...")
    flags = {k for k, _ in opts}
    if not rest:
        raise ToolError("usage: kldload [-nqv] file ...")
    with host() as st:
        for module in rest:
            name = Path(module).name.removesuffix(".ko")
            if name not in MODULES:
                raise ToolError(f"kldload: can't load {module}: No such file or directory")
            if name in st["modules"]:
                if "n" in flags:
                    continue
                raise ToolError(f"kldload: can't load {module}: module already loaded or in kernel")
            st["modules"].append(name)
    return 0


def _kldstat(args: list[str]) -> int:
    opts, _rest = getopt(
        "kldstat",
        args,
        "dhi:m:n:qv",
        "usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]",
    )
    values = dict(opts)
    with host(write=False) as st:
        wanted = values.get("m") or values.get("n")
        if wanted is not None and Path(wanted).name.removesuffix(".ko") not in st["modules"]:
            if "q" not in values:
                sys.stderr.write(
                    f"kldstat: can't find module {wanted}: No such file or directory\n"
                )
            return 1
        if "q" in values:
            return 0
        out("Id Refs Address                Size Name\n")
        for i, name in enumerate(st["modules"], start=1):
            out(f"{i:2d} {1:4d} 0xffffffff82{i:06x} {4096 * i:8x} {name}.ko\n")
    return 0


def _freebsd_version(args: list[str]) -> int:
    opts, rest = getopt("freebsd-version", args, "kruj:", "usage: freebsd-version [-kru] [-j jail]")
    if rest:
        raise ToolError("usage: freebsd-version [-kru] [-j jail]")
    letters = [k for k, _ in opts]
    with host(write=False) as st:
        versions = st["freebsd_version"]
        lines = []
        if "k" in letters:
            lines.append(versions["kernel"])
        if "r" in letters:
            lines.append(sysctl_value(st, "kern.osrelease") or versions["kernel"])
        if "u" in letters or not letters:
            lines.append(versions["userland"])
        if "j" in letters:
            lines.append(_jail_userland(st, dict(opts)["j"]))
    out("".join(line + "\n" for line in lines))
    return 0


def _jail_userland(st: Json, key: str) -> str:
    from standins import jails

    record = jails.find(st, key)
    if record is None:
        raise ToolError(f"freebsd-version: jail {key} not found")
    try:
        text = (Path(record["root"]) / "bin" / "freebsd-version").read_text()
    except OSError:
        raise ToolError("freebsd-version: unable to locate USERLAND_VERSION in the jail") from None
    match = re.search(r'^USERLAND_VERSION="?([^"\n]+)"?', text, re.MULTILINE)
    if match is None:
        raise ToolError("freebsd-version: unable to locate USERLAND_VERSION in the jail")
    return match.group(1)


_FILE_FLAGS = {
    "arch",
    "archived",
    "nodump",
    "opaque",
    "sappnd",
    "sappend",
    "schg",
    "schange",
    "simmutable",
    "snapshot",
    "sunlnk",
    "sunlink",
    "uappnd",
    "uappend",
    "uarch",
    "uarchive",
    "uchg",
    "uchange",
    "uimmutable",
    "uhidden",
    "hidden",
    "uoffline",
    "offline",
    "urdonly",
    "rdonly",
    "readonly",
    "usparse",
    "sparse",
    "usystem",
    "system",
    "ureparse",
    "reparse",
    "uunlnk",
    "uunlink",
    "dump",
}


def _chflags(args: list[str]) -> int:
    usage = "usage: chflags [-fhvx] [-R [-H | -L | -P]] flags file ..."
    _opts, rest = getopt("chflags", args, "fhvxRHLP", usage)
    if len(rest) < 2:
        raise ToolError(usage)
    flags_arg, files = rest[0], rest[1:]
    if not re.fullmatch(r"[0-7]+", flags_arg):
        for word in flags_arg.split(","):
            plain = word[2:] if word.startswith("no") and word != "nodump" else word
            if plain not in _FILE_FLAGS:
                raise ToolError(f"chflags: invalid flag: {word}")
    status = 0
    for name in files:
        if not os.path.lexists(name):
            sys.stderr.write(f"chflags: {name}: No such file or directory\n")
            status = 1
    return status


def _top(args: list[str]) -> int:
    getopt("top", args, "CHIPSTabij:J:m:n:o:p:s:tUuvzd:", TOP_USAGE)
    out("last pid: 12345;  load averages:  0.10,  0.12,  0.09  up 0+01:00:00  12:00:00\n")
    return 0


def _posixshmcontrol(args: list[str]) -> int:
    if not args or args[0] not in ("ls", "rm", "dump", "stat", "create", "truncate"):
        raise ToolError(
            "Usage: posixshmcontrol create [-m <mode>] [-l <largepage>] <path> ...",
            "       posixshmcontrol rm <path> ...",
            "       posixshmcontrol ls [-h] [-n] [-j jail]",
            "       posixshmcontrol dump <path> ...",
            "       posixshmcontrol stat [-h] [-n] <path> ...",
            "       posixshmcontrol truncate [-s <newlen>] <path> ...",
        )
    with host() as st:
        if args[0] == "ls":
            out("MODE\t\tOWNER\tGROUP\tSIZE\tPATH\n")
            for path in st["shm"]:
                out(f"rw-------\troot\twheel\t4096\t{path}\n")
        elif args[0] == "rm":
            status = 0
            for path in args[1:]:
                if path in st["shm"]:
                    st["shm"].remove(path)
                else:
                    sys.stderr.write(f"posixshmcontrol: unlink {path}: No such file or directory\n")
                    status = 1
            return status
    return 0
