"""jail(8), jls(8) and jexec(8) of FreeBSD 14, with real processes in a chroot.

A jail is a record in ``state["jails"]``; its processes are the host processes whose
root directory is the jail's path (``/proc/<pid>/root``), so membership needs no
bookkeeping and survives any crash. jexec becomes the jailed command (same PID, as on
FreeBSD) after entering private network and UTS namespaces and chroot(2). A jail
without ``persist`` disappears when its last process exits, as the kernel does it.

What jail(8) knows only from its command line or configuration file (``exec.*``,
``mount.*``, ``ip4.addr=<if>|<addr>`` aliases) is used when given and forgotten
afterwards: ``jail -r name`` without ``-f`` unmounts nothing, exactly like FreeBSD.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from standins import jailconf, jailparams, mounts, netif
from standins.jailparams import Params
from standins.state import (
    Json,
    PasswdEntry,
    ToolError,
    enter_jail,
    getopt,
    host,
    inherited_env,
    login_env,
    lookup_user,
    out,
    pids_rooted_at,
    process_alive,
)

JAIL_USAGE = """usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            -[cmr] param=value ... [command=command ...]
       jail [-dqv] [-f file] [-e separator] -[cmr] [jail]
       jail [-qv] [-f file] -[rR] ['*' | jail ...]
       jail [-dhilqv] [-J jid_file] [-u username] [-U username]
            [-n jailname] [-s securelevel]
            path hostname [ip[,...]] command ..."""
JLS_USAGE = "usage: jls [-dhNnqv] [-j jail] [param ...]"
JEXEC_USAGE = "usage: jexec [-l] [-u username | -U username] jail [command ...]"

DEFAULT_STOP_TIMEOUT = 10
# what jls reports for kernel parameters a jail was created without
_DEFAULTS: dict[str, Any] = {
    "ip4.saddrsel": True,
    "ip6.saddrsel": True,
    "host.domainname": "",
    "host.hostuuid": "00000000-0000-0000-0000-000000000000",
    "host.hostid": 0,
    "securelevel": -1,
    "devfs_ruleset": 0,
    "children.max": 0,
    "children.cur": 0,
    "enforce_statfs": 2,
    "persist": False,
    "dying": False,
    "parent": 0,
    "osreldate": 1401000,
    "linux": "new",
    "linux.osname": "Linux",
    "linux.osrelease": "5.15.0",
    "linux.oss_version": 198656,
    "sysvmsg": "disable",
    "sysvsem": "disable",
    "sysvshm": "disable",
    "meta": "",
    "env": "",
    "zfs.mount_snapshot": 0,
    "allow.set_hostname": True,
    "allow.reserved_ports": True,
    "allow.suser": True,
}


def run(tool: str, args: list[str]) -> int:
    handlers: dict[str, Callable[[list[str]], int]] = {
        "jail": _jail,
        "jls": _jls,
        "jexec": _jexec,
    }
    return handlers[tool](args)


# ---------------------------------------------------------------- the jail table


def find(st: Json, key: str) -> Json | None:
    """A running jail by jid (a positive number) or by name."""
    if key.isdigit() and int(key) > 0:
        return next((j for j in st["jails"].values() if j["jid"] == int(key)), None)
    record: Json | None = st["jails"].get(key)
    return record


def not_found(key: str) -> str:
    return f"jail {key} not found" if key.isdigit() and int(key) > 0 else f'jail "{key}" not found'


def reap(st: Json) -> bool:
    """Jails without ``persist`` end with their last process (kernel behaviour)."""
    reaped = False
    for record in list(st["jails"].values()):
        if record["persist"]:
            continue
        creator = record.get("creating")
        if creator and process_alive(creator):
            continue
        if not pids_rooted_at(record["root"]):
            _drop(st, record)
            reaped = True
    return reaped


def _drop(st: Json, record: Json) -> None:
    netif.release_jail(st, record["name"])
    st["cpusets"].pop(str(record["jid"]), None)
    st["jails"].pop(record["name"], None)


def value(st: Json, record: Json, name: str) -> Any:
    """A kernel parameter of a running jail as jls reports it."""
    params = record["params"]
    special: dict[str, Any] = {
        "jid": record["jid"],
        "name": record["name"],
        "path": record["path"],
        "persist": record["persist"],
        "cpuset.id": record["jid"] + 1,
        "host.hostname": params.get("host.hostname", socket.gethostname()),
        "osrelease": params.get("osrelease", st["freebsd_version"]["kernel"]),
        "ip4.addr": params.get("ip4.addr", []),
        "ip6.addr": params.get("ip6.addr", []),
        "vnet": params.get("vnet", "inherit"),
        "host": params.get("host", "new" if "host.hostname" in params else "inherit"),
        "ip4": params.get("ip4", "new" if params.get("ip4.addr") else "disable"),
        "ip6": params.get("ip6", "new" if params.get("ip6.addr") else "disable"),
    }
    if name in special:
        return special[name]
    if name in params:
        return params[name]
    return _DEFAULTS.get(name, False)


# ---------------------------------------------------------------- jail(8)


def _jail(args: list[str]) -> int:
    opts, rest = getopt("jail", args, "cde:f:hiJ:lmn:p:qrRs:u:U:v", JAIL_USAGE)
    flags = {k for k, _ in opts}
    values = dict(opts)
    if "e" in flags or "J" in flags:
        raise ToolError("jail: -e and -J are not simulated by the stand-in", rc=70)
    ops = flags & {"c", "m", "r", "R"}
    if not ops:
        if len(rest) < 4 or not rest[0].startswith("/"):
            raise ToolError(*JAIL_USAGE.splitlines())
        raise ToolError("jail: the four-argument form is not simulated by the stand-in", rc=70)
    quiet = bool(flags & {"q", "i"})
    if ops <= {"r", "R"}:
        if not rest or (any("=" in a for a in rest) and "R" not in flags):
            raise ToolError(*JAIL_USAGE.splitlines())
        conf = None if "R" in flags else values.get("f")
        return _remove_all(rest, conf, quiet=quiet)
    if "r" in ops or "R" in ops:
        raise ToolError("jail: restarting (-rc, -mr) is not simulated by the stand-in", rc=70)
    if len(rest) <= 1 and not any("=" in a for a in rest):
        raise ToolError("jail: jails from jail.conf are not simulated by the stand-in", rc=70)
    params = _command_line_params(opts, rest)
    if ops == {"m"}:
        return _modify(params, quiet=quiet)
    if ops == {"c", "m"}:
        with host(write=False) as st:
            exists = params.name is not None and find(st, params.name) is not None
        if exists:
            return _modify(params, quiet=quiet)
    return _Creation(params, quiet=quiet, print_jid="i" in flags).run()


def _command_line_params(opts: list[tuple[str, str]], rest: list[str]) -> Params:
    try:
        params = jailparams.parse_args(rest)
        for letter, optval in opts:
            option_params: dict[str, list[tuple[str, str | None]]] = {
                "l": [("exec.clean", None)],
                "n": [("name", optval)],
                "s": [("securelevel", optval)],
                "u": [("exec.jail_user", optval), ("exec.system_jail_user", None)],
                "U": [("exec.jail_user", optval), ("exec.system_jail_user", "false")],
                "h": [("ip_hostname", None)],
                "d": [("allow.dying", None)],
            }
            for key, val in option_params.get(letter, []):
                jailparams.add(params, key, val)
    except ToolError as exc:
        name = next((a[5:] for a in rest if a.startswith("name=")), None)
        prefix = f"jail: {name}: " if name else "jail: "
        raise ToolError(*(prefix + line for line in exc.lines)) from None
    return params


class _Creation:
    """``jail -c``: jail(8)'s start sequence, undone in reverse when a step fails."""

    def __init__(self, params: Params, *, quiet: bool, print_jid: bool) -> None:
        self.params = params
        self.quiet = quiet
        self.print_jid = print_jid
        self.label = params.name or ""
        self.path = str(params.kernel.get("path", "/"))
        self.undo: list[Callable[[Json], None]] = []
        self.record: Json | None = None

    def warn(self, message: str) -> str:
        return f"jail: {self.label}: {message}" if self.label else f"jail: {message}"

    def run(self) -> int:
        try:
            self._check()
            self._state(self._aliases)
            self._state(self._mounts)
            self._host_commands("exec.prestart")
            self._state(self._create)
            self._state(self._vnet_interfaces)
            self._host_commands("exec.created")
            self._jail_commands()
            self._host_commands("exec.poststart")
        except ToolError as exc:
            self._rollback()
            raise ToolError(*exc.lines) from None
        self._finish()
        return 0

    def _state(self, step: Callable[[Json], None]) -> None:
        # keep_partial: a mount done before a later one failed must be rolled back too
        with host(keep_partial=True) as st:
            step(st)

    def _check(self) -> None:
        with host(write=False) as st:
            if self.params.name is not None and find(st, self.params.name) is not None:
                raise ToolError(f'jail: "{self.params.name}" already exists')
        if not self.path.startswith("/"):
            raise ToolError(self.warn(f"path {self.path}: not an absolute pathname"))
        if not os.path.exists(self.path):
            raise ToolError(self.warn(f"path {self.path}: No such file or directory"))
        if not os.path.isdir(self.path):
            raise ToolError(self.warn(f"path {self.path}: Not a directory"))
        starts = ("exec.start", "command", "exec.poststart")
        if not self.params.kernel.get("persist") and not any(
            self.params.pseudo.get(k) for k in starts
        ):
            raise ToolError(self.warn("new jail must persist or attach"))
        if "." in self.label:
            raise ToolError("jail: hierarchical jails are not simulated by the stand-in", rc=70)

    def _aliases(self, st: Json) -> None:
        for nic, addr in alias_plan(self.params):
            if netif.lookup(st, nic) is None:
                family = "inet6" if ":" in addr else "inet"
                raise ToolError(
                    f"ifconfig: interface {nic} does not exist",
                    self.warn(f"/sbin/ifconfig {nic} {family} {addr} alias: failed"),
                )
            netif.add_alias(st, nic, addr)
            self.undo.append(functools.partial(_remove_alias, nic=nic, addr=addr))

    def _mounts(self, st: Json) -> None:
        for fstype, source, target, options in mount_plan(self.params, self.path):
            try:
                mounts.mount_fs(st, fstype, source, target, options)
            except ToolError as exc:
                opts = f" -o{','.join(options)}" if options else ""
                command = f"/sbin/mount -t {fstype}{opts} {source} {target}"
                raise ToolError(*exc.lines, self.warn(f"{command}: failed")) from None
            self.undo.append(functools.partial(_quiet_unmount, target=target))

    def _create(self, st: Json) -> None:
        name = self.params.name
        if name is not None and find(st, name) is not None:
            raise ToolError(f'jail: "{name}" already exists')
        jid = int(self.params.kernel.get("jid", 0)) or st["next_jid"]
        if any(j["jid"] == jid for j in st["jails"].values()):
            raise ToolError(self.warn(f"jail {jid} already exists"))
        st["next_jid"] = max(st["next_jid"], jid + 1)
        kernel = {k: v for k, v in self.params.kernel.items() if k not in ("jid", "name", "path")}
        record: Json = {
            "jid": jid,
            "name": name or str(jid),
            "path": self.path,
            "root": os.path.realpath(self.path),
            "persist": bool(kernel.pop("persist", False)),
            "params": kernel,
            "created": time.time(),
            "creating": os.getpid(),
        }
        st["jails"][record["name"]] = record
        if record["root"] not in st["jail_paths"]:
            st["jail_paths"].append(record["root"])
        self.record = record
        self.undo.append(functools.partial(_remove_now, name=record["name"]))

    def _vnet_interfaces(self, st: Json) -> None:
        assert self.record is not None
        for nic in self.params.pseudo.get("vnet.interface", []):
            command = self.warn(f"/sbin/ifconfig {nic} vnet {self.record['jid']}: failed")
            if netif.lookup(st, nic) is None:
                raise ToolError(f"ifconfig: interface {nic} does not exist", command)
            if self.params.kernel.get("vnet") != "new":
                raise ToolError("ifconfig: SIOCSIFVNET: Invalid argument", command)
            netif.move_to_jail(st, nic, self.record["name"])

    def _host_commands(self, key: str) -> None:
        for command in self.params.commands(key):
            status = subprocess.call(["/bin/sh", "-c", command])
            if status != 0:
                raise ToolError(self.warn(f"{command}: failed"))

    def _jail_commands(self) -> None:
        assert self.record is not None
        for command in self.params.commands("exec.start"):
            run_in_jail(self.record, self.params, ["/bin/sh", "-c", command], command)
        for words in self.params.commands("command"):
            run_in_jail(self.record, self.params, words, " ".join(words))

    def _rollback(self) -> None:
        with host() as st:
            for step in reversed(self.undo):
                with contextlib.suppress(ToolError):
                    step(st)

    def _finish(self) -> None:
        assert self.record is not None
        name = self.record["name"]
        with host() as st:
            record = st["jails"].get(name)
            if record is not None:
                record["creating"] = None
        if self.params.commands("command") and not self.record["persist"]:
            # the jail ended with its command; jail(8) undoes what it set up for it
            _stop(name, self.params, quiet=True)
            _release(self.params, self.path)
        if self.print_jid:
            out(f"{self.record['jid']}\n")
        elif not self.quiet and self.params.name:
            # jail(8) notes "created" only for named jails (unless -v)
            out(f"{name}: created\n")


def alias_plan(params: Params) -> list[tuple[str, str]]:
    """The (interface, address) aliases jail(8) adds: ``<if>|<addr>`` or ``interface``."""
    default_nic = params.pseudo.get("interface")
    plan = []
    for nic, addr in params.aliases:
        if nic or default_nic:
            plan.append((nic or str(default_nic), addr))
    return plan


def mount_plan(params: Params, path: str) -> list[tuple[str, str, str, list[str]]]:
    """The file systems jail(8) mounts for a jail, in its order."""
    plan = []
    fstab_lines = list(params.pseudo.get("mount", []))
    fstab_file = params.pseudo.get("mount.fstab")
    if fstab_file:
        fstab_lines += [line for line in Path(fstab_file).read_text().splitlines() if line.strip()]
    for line in fstab_lines:
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            options = fields[3].split(",") if len(fields) > 3 else []
            plan.append((fields[2], fields[0], fields[1], options))
    if params.flag("mount.devfs"):
        ruleset = params.kernel.get("devfs_ruleset", 4)
        plan.append(("devfs", ".", f"{path}/dev", [f"ruleset={ruleset}"]))
    if params.flag("mount.fdescfs"):
        plan.append(("fdescfs", ".", f"{path}/dev/fd", []))
    if params.flag("mount.procfs"):
        plan.append(("procfs", ".", f"{path}/proc", []))
    return plan


def _remove_alias(st: Json, *, nic: str, addr: str) -> None:
    netif.remove_alias(st, nic, addr)


def _quiet_unmount(st: Json, target: str) -> None:
    with contextlib.suppress(ToolError):
        mounts.unmount(st, target, force=True)


# ---------------------------------------------------------------- running in a jail


def run_in_jail(record: Json, params: Params, argv: list[str], shown: str) -> None:
    """A jail(8) command (exec.start, command, exec.stop) inside the jail."""
    # jail(8) names the jail in messages only when it has a name parameter
    label = f"jail: {params.name}:" if params.name else "jail:"
    user_name = params.pseudo.get("exec.jail_user")
    user = lookup_user(record["root"], user_name if isinstance(user_name, str) else None)
    if user is None:
        raise ToolError(f"{label} getpwnam {user_name}: no such user")
    clean = params.flag("exec.clean")
    env = login_env(user, os.environ.get("TERM")) if clean else inherited_env()
    hostname = record["params"].get("host.hostname")

    def prepare() -> None:
        enter_jail(record["root"], hostname)
        if clean:
            os.chdir(user.home)
        _become(user)

    timeout = params.pseudo.get("exec.timeout")
    try:
        status = subprocess.call(argv, env=env, preexec_fn=prepare, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ToolError(f"{label} {shown}: timed out") from None
    except (OSError, subprocess.SubprocessError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise ToolError(f"jail: execvp: {argv[0]}: {reason}", f"{label} {shown}: failed") from None
    if status != 0:
        raise ToolError(f"{label} {shown}: failed")


def _become(user: PasswdEntry) -> None:
    if os.getuid() == user.uid and os.getgid() == user.gid:
        return
    os.setgroups([user.gid])
    os.setgid(user.gid)
    os.setuid(user.uid)


# ---------------------------------------------------------------- jail -r / jail -m


def _remove_all(keys: list[str], conf: str | None, *, quiet: bool) -> int:
    sections = _load_conf(conf) if conf else {"": [], "*": []}
    if keys == ["*"]:
        with host(write=False) as st:
            keys = sorted(st["jails"], key=lambda n: st["jails"][n]["jid"])
    status = 0
    for key in keys:
        with host(write=False) as st:
            record = find(st, key)
        if record is None:
            if not quiet:
                sys.stderr.write(f'jail: "{key}" not found\n')
            status = 1
            continue
        params = _conf_params(sections, record["name"])
        try:
            _stop(record["name"], params, quiet=quiet)
        except ToolError as exc:
            for line in exc.lines:
                sys.stderr.write(line + "\n")
            status = 1
    return status


def _load_conf(conf: str) -> dict[str, list[jailconf.Statement]]:
    if conf == "-":
        return jailconf.parse(sys.stdin.read(), "-")
    try:
        text = Path(conf).read_text()
    except OSError as exc:
        raise ToolError(f"jail: {conf}: {exc.strerror}") from None
    return jailconf.parse(text, conf)


def _conf_params(sections: dict[str, list[jailconf.Statement]], name: str) -> Params:
    params = Params()
    params.kernel["name"] = name
    for key, values, append in jailconf.statements_for(sections, name):
        try:
            if values is None:
                jailparams.add(params, key, None)
                continue
            if not append:
                params.pseudo.pop(key, None)
            for item in values:
                jailparams.add(params, key, item)
        except ToolError as exc:
            raise ToolError(*(f"jail: {name}: {line}" for line in exc.lines)) from None
    return params


def _stop(name: str, params: Params, *, quiet: bool) -> None:
    """jail(8)'s stop sequence for a running jail."""
    with host(write=False) as st:
        record = st["jails"].get(name)
    if record is None:
        return
    for command in params.commands("exec.prestop"):
        if subprocess.call(["/bin/sh", "-c", command]) != 0:
            raise ToolError(f"jail: {name}: {command}: failed")
    for command in params.commands("exec.stop"):
        run_in_jail(record, params, ["/bin/sh", "-c", command], command)
    timeout = params.pseudo.get("stop.timeout", DEFAULT_STOP_TIMEOUT)
    terminate(record["root"], timeout)
    with host() as st:
        _remove_now(st, name)
    for command in params.commands("exec.poststop"):
        subprocess.call(["/bin/sh", "-c", command])
    _release(params, record["path"])
    if not quiet:
        out(f"{name}: removed\n")


def _release(params: Params, path: str) -> None:
    """The end of the stop sequence: unmount what jail(8) mounted, drop the aliases."""
    with host() as st:
        for _fstype, _src, target, _opts in reversed(mount_plan(params, path)):
            if mounts.is_mounted(st, target):
                _quiet_unmount(st, target)
        for nic, addr in alias_plan(params):
            netif.remove_alias(st, nic, addr)


def terminate(root: str, timeout: float) -> None:
    """SIGTERM the jail's processes, wait up to timeout, then SIGKILL what is left."""
    if timeout > 0:
        _signal_all(root, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pids_rooted_at(root) and time.monotonic() < deadline:
            time.sleep(0.05)
    _signal_all(root, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while pids_rooted_at(root) and time.monotonic() < deadline:
        time.sleep(0.02)


def _signal_all(root: str, signum: int) -> None:
    for pid in pids_rooted_at(root):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _remove_now(st: Json, name: str) -> None:
    record = st["jails"].get(name)
    if record is None:
        return
    _signal_all(record["root"], signal.SIGKILL)
    _drop(st, record)


def _modify(params: Params, *, quiet: bool) -> int:
    key = params.name or str(params.kernel.get("jid", ""))
    with host() as st:
        record = find(st, key) if key else None
        if record is None:
            raise ToolError(f'jail: "{key}" not found' if key else "jail: no jail specified")
        for name, new in params.kernel.items():
            if name in ("jid", "name"):
                continue
            if name in jailparams.CREATE_ONLY and value(st, record, name) != new:
                raise ToolError(f"jail: {record['name']}: {name} cannot be changed after creation")
            if name == "persist":
                record["persist"] = bool(new)
            else:
                record["params"][name] = new
    if not quiet:
        out(f"{record['name']}: updated\n")
    return 0


# ---------------------------------------------------------------- jls(8)


def _jls(args: list[str]) -> int:
    opts, names = getopt("jls", args, "adj:hNnqsv", JLS_USAGE)
    flags: set[str] = set()
    key = None
    for letter, optval in opts:
        if letter == "j":
            key = optval
        elif letter == "s":
            flags = (flags - {"h", "v"}) | {"n", "q", "s"}
        elif letter == "v":
            flags = (flags - {"h", "n", "s"}) | {"v"}
        elif letter == "h":
            flags = (flags - {"s", "v"}) | {"h"}
        elif letter == "n":
            flags = (flags - {"v"}) | {"n"}
        else:
            flags.add(letter)
    if names:
        flags.discard("v")
    with host(write=False) as st:
        if key is not None:
            record = find(st, key)
            if record is None:
                raise ToolError(f"jls: {not_found(key)}")
            records = [record]
        else:
            records = sorted(st["jails"].values(), key=lambda j: j["jid"])
        out(_jls_text(st, records, flags, names))
    return 0


def _jls_text(st: Json, records: list[Json], flags: set[str], names: list[str]) -> str:
    if not names and "v" in flags:
        return _jls_verbose(st, records)
    if not names and not flags & {"h", "n"}:
        return _jls_default(st, records, named="N" in flags)
    wanted = _param_names(names or ["all"])
    if "s" in flags:
        wanted = [n for n in wanted if jailparams.kind(n) != "ro"]
    lines = [" ".join(wanted)] if "h" in flags else []
    for record in records:
        fields = [_param_field(n, value(st, record, n), flags) for n in wanted]
        lines.append(" ".join(fields))
    return "".join(line + "\n" for line in lines)


def _param_names(names: list[str]) -> list[str]:
    result: list[str] = []
    for name in names:
        if name == "all":
            result += sorted(jailparams.KERNEL, key=jailparams.sort_key)
            continue
        if name not in jailparams.KERNEL:
            raise ToolError(f"jls: unknown parameter: {name}")
        result.append(name)
    return result


def _param_field(name: str, val: Any, flags: set[str]) -> str:
    if "n" in flags and isinstance(val, bool):
        head, dot, last = name.rpartition(".")
        return name if val else f"{head}{dot}no{last}"
    text = jailparams.export(name, val)
    prefix = f"{name}=" if "n" in flags else ""
    if text == "":
        if "q" in flags:
            return prefix + '""'
        return prefix if "n" in flags else "-"
    quote = ""
    if "q" in flags:
        if "'" in text:
            quote = '"'
        elif '"' in text:
            quote = "'"
        elif " " in text or "\t" in text:
            quote = '"'
    return f"{prefix}{quote}{text}{quote}"


def _jls_default(st: Json, records: list[Json], *, named: bool) -> str:
    if named:
        lines = [" JID             IP Address      Hostname                      Path"]
    else:
        lines = ["   JID  IP Address      Hostname                      Path"]
    for record in records:
        ips = value(st, record, "ip4.addr")
        ip = ips[0] if ips else ""
        hostname = str(value(st, record, "host.hostname"))
        tail = f"{ip[:15]:<15} {hostname[:29]:<29} {record['path'][:74]}"
        head = f" {record['name']:<15} " if named else f"{record['jid']:>6}  "
        lines.append(head + tail)
    return "".join(line + "\n" for line in lines)


def _jls_verbose(st: Json, records: list[Json]) -> str:
    lines = [
        "   JID  Hostname                      Path",
        "        Name                          State",
        "        CPUSetID",
        "        IP Address(es)",
    ]
    for record in records:
        hostname = str(value(st, record, "host.hostname"))
        lines.append(f"{record['jid']:>6}  {hostname[:29]:<29} {record['path'][:74]}")
        lines.append(f"        {record['name'][:29]:<29} ACTIVE")
        lines.append(f"        {value(st, record, 'cpuset.id')}")
        for ip in [*value(st, record, "ip4.addr"), *value(st, record, "ip6.addr")]:
            lines.append(f"        {ip}")
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------- jexec(8)


def _jexec(args: list[str]) -> int:
    opts, rest = getopt("jexec", args, "lnu:U:", JEXEC_USAGE)
    values = dict(opts)
    clean = "l" in values
    if not rest or ("u" in values and "U" in values):
        raise ToolError(*JEXEC_USAGE.splitlines())
    host_user = (
        _host_user(values.get("u")) if ("u" in values or (clean and "U" not in values)) else None
    )
    with host(write=False) as st:
        record = find(st, rest[0])
        if record is None:
            raise ToolError(f"jexec: {not_found(rest[0])}")
    user = host_user
    if "U" in values:
        user = lookup_user(record["root"], values["U"])
        if user is None:
            raise ToolError(f"jexec: {values['U']}: no such user")
    env = _jexec_env(user, clean=clean, named="u" in values or "U" in values)
    try:
        enter_jail(record["root"], record["params"].get("host.hostname"))
    except OSError as exc:
        raise ToolError(f"jexec: jail_attach({record['jid']}): {exc.strerror}") from None
    if user is not None and ("u" in values or "U" in values or clean):
        if clean:
            try:
                os.chdir(user.home)
            except OSError as exc:
                raise ToolError(f"jexec: chdir: {user.home}: {exc.strerror}") from None
        if "u" in values or "U" in values:
            _become(user)
    command = rest[1:] or [env.get("SHELL", "/bin/sh"), "-i"]
    _exec(command, env)
    return 1  # not reached


def _host_user(name: str | None) -> PasswdEntry:
    try:
        entry = pwd.getpwnam(name) if name is not None else pwd.getpwuid(os.getuid())
    except KeyError:
        raise ToolError(f"jexec: {name}: no such user") from None
    return PasswdEntry(
        [entry.pw_name, "*", str(entry.pw_uid), str(entry.pw_gid), "", entry.pw_dir, entry.pw_shell]
    )


def _jexec_env(user: PasswdEntry | None, *, clean: bool, named: bool) -> dict[str, str]:
    if user is None or not (clean or named):
        return inherited_env()
    if clean:
        return login_env(user, os.environ.get("TERM"))
    env = inherited_env()
    env.update({"USER": user.name, "HOME": user.home, "SHELL": user.shell or "/bin/sh"})
    return env


def _exec(command: list[str], env: dict[str, str]) -> None:
    """execvp(3) as FreeBSD's libc does it, including the /bin/sh fallback."""
    sys.stdout.flush()
    sys.stderr.flush()
    name = command[0]
    candidates = [name] if "/" in name else [f"{d or '.'}/{name}" for d in env["PATH"].split(":")]
    error: OSError | None = None
    for path in candidates:
        try:
            os.execve(path, command, env)
        except OSError as exc:
            if exc.errno == 8:  # ENOEXEC: no #! line, run it with the shell
                os.execve("/bin/sh", ["sh", path, *command[1:]], env)
            if error is None or exc.errno == 13:
                error = exc
    reason = error.strerror if error is not None else "No such file or directory"
    raise ToolError(f"jexec: execvp: {name}: {reason}")
