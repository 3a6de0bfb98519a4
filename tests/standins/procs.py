"""pkill(1)/pgrep(1) with FreeBSD's ``-j jail``, daemon(8), script(1) and sockstat(1).

Processes are the host's, read from /proc; a process is in a jail when its root
directory is the jail's path. daemon(8) really starts its command, detached, and
records the PID so the test fixture can stop it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from standins.state import ToolError, getopt, host, out, pids_rooted_at

PGREP_USAGE = """usage: pgrep [-LSfilanoqvx] [-d delim] [-F pidfile] [-G gid]
             [-M core] [-N system] [-P ppid] [-U uid] [-c class] [-g pgrp]
             [-j jail] [-s sid] [-t tty] [-u euid] pattern ..."""
PKILL_USAGE = """usage: pkill [-signal] [-ILfilnovx] [-F pidfile] [-G gid]
             [-M core] [-N system] [-P ppid] [-U uid] [-c class] [-g pgrp]
             [-j jail] [-s sid] [-t tty] [-u euid] pattern ..."""
DAEMON_USAGE = """usage: daemon [-cfHrS] [-p child_pidfile] [-P supervisor_pidfile]
              [-t title] [-u user] [-m output_mask] [-o output_file]
              [-s syslog_priority] [-T syslog_tag] [-l syslog_facility]
              [-R restart_delay_secs] command arguments ..."""


def run(tool: str, args: list[str]) -> int:
    if tool == "daemon":
        return _daemon(args)
    if tool == "script":
        return _script(args)
    if tool == "sockstat":
        return _sockstat(args)
    return _pgrep(tool, args)


# ---------------------------------------------------------------- pgrep / pkill


def _pgrep(tool: str, args: list[str]) -> int:
    signum = int(signal.SIGTERM)
    if tool == "pkill" and args and args[0].startswith("-") and _is_signal(args[0][1:]):
        signum = _signal(args[0][1:])
        args = args[1:]
    usage = PKILL_USAGE if tool == "pkill" else PGREP_USAGE
    opts, patterns = getopt(tool, args, "DF:G:ILM:N:P:SU:ac:d:fg:ij:lnoqs:t:u:vx", usage, rc=2)
    flags = {k for k, _ in opts}
    values = dict(opts)
    if not patterns and not flags & {"F", "j", "G", "P", "U", "g", "s", "t", "u"}:
        raise ToolError(*usage.splitlines(), rc=2)
    try:
        regexes = [re.compile(p) for p in patterns]
    except re.error as exc:
        raise ToolError(
            f"{tool}: Cannot compile regular expression `{patterns}' ({exc})", rc=2
        ) from None
    pids = _candidates(tool, values)
    matched = [pid for pid in pids if _match(pid, regexes, flags)]
    if "n" in flags and matched:
        matched = [max(matched, key=_start_time)]
    if "o" in flags and matched:
        matched = [min(matched, key=_start_time)]
    if tool == "pkill":
        for pid in matched:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
    elif "q" not in flags:
        delim = values.get("d", "\n")
        shown = [
            f"{pid} {_name(pid, full='f' in flags)}" if "l" in flags else str(pid)
            for pid in matched
        ]
        if shown:
            out(delim.join(shown) + "\n")
    return 0 if matched else 1


def _is_signal(text: str) -> bool:
    try:
        _signal(text)
    except ToolError:
        return False
    return True


def _signal(text: str) -> int:
    if text.isdigit():
        return int(text)
    name = text.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    if name == "SIGINFO":
        return int(signal.SIGPWR)  # no SIGINFO on Linux; a harmless stand-in
    try:
        return int(getattr(signal, name))
    except AttributeError:
        raise ToolError(f"pkill: unknown signal {text}", rc=2) from None


def _candidates(tool: str, values: dict[str, str]) -> list[int]:
    me = {os.getpid(), os.getppid()}
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in me]
    if "F" in values:
        pids = [p for p in pids if p == _pidfile(tool, values["F"])]
    if "j" in values:
        pids = [p for p in pids if p in _jailed(tool, values["j"])]
    if "P" in values:
        parents = {int(x) for x in values["P"].split(",")}
        pids = [p for p in pids if _ppid(p) in parents]
    return pids


def _pidfile(tool: str, path: str) -> int:
    try:
        text = Path(path).read_text().strip()
    except OSError as exc:
        raise ToolError(f"{tool}: Cannot open pidfile `{path}': {exc.strerror}", rc=3) from None
    if not text.isdigit():
        raise ToolError(f"{tool}: Invalid pidfile `{path}'", rc=3)
    return int(text)


def _jailed(tool: str, key: str) -> set[int]:
    from standins import jails

    with host(write=False) as st:
        if key in ("any", "none"):
            roots = [j["root"] for j in st["jails"].values()]
        else:
            record = jails.find(st, key)
            if record is None:
                raise ToolError(f"{tool}: {jails.not_found(key)}", rc=2)
            roots = [record["root"]]
    inside = {pid for root in roots for pid in pids_rooted_at(root)}
    if key == "none":
        everything = {int(p) for p in os.listdir("/proc") if p.isdigit()}
        return everything - inside
    return inside


def _match(pid: int, regexes: list[re.Pattern[str]], flags: set[str]) -> bool:
    if not regexes:
        return True
    text = _name(pid, full="f" in flags)
    if not text:
        return False
    if "x" in flags:
        hit = any(r.fullmatch(text) for r in regexes)
    else:
        hit = any(r.search(text) for r in regexes)
    return hit != ("v" in flags)


def _name(pid: int, *, full: bool) -> str:
    try:
        if full:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            return raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _start_time(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return 0


# ---------------------------------------------------------------- daemon


def _daemon(args: list[str]) -> int:
    opts, command = getopt("daemon", args, "cfHSm:o:p:P:rR:s:l:t:T:u:", DAEMON_USAGE)
    values = dict(opts)
    if not command:
        raise ToolError(*DAEMON_USAGE.splitlines())
    quiet = "f" in values
    output: int | IO[bytes] | None = subprocess.DEVNULL if quiet else None
    if "o" in values:
        output = open(values["o"], "ab")  # noqa: SIM115 - handed to the child
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    except OSError as exc:
        raise ToolError(f"daemon: execvp: {command[0]}: {exc.strerror}") from None
    if "p" in values:
        Path(values["p"]).write_text(f"{child.pid}\n")
    with host() as st:
        st["daemons"].append(child.pid)
    return 0


# ---------------------------------------------------------------- script


SCRIPT_USAGE = """usage: script [-aeFfkqrw] [-t time] [file [command ...]]
       script -p [-deq] [-T fmt] [file]"""


def _script(args: list[str]) -> int:
    """FreeBSD's ``script [-q] file command ...`` (pot exec -t): the command's status.

    The command runs on the caller's terminal rather than a new pty, and its output is
    copied to file only when file is not /dev/null.
    """
    opts, rest = getopt("script", args, "adeFfkpqrT:t:w", SCRIPT_USAGE)
    flags = {k for k, _ in opts}
    if flags & {"p", "r"}:
        raise ToolError("script: -p and -r are not simulated by the stand-in", rc=70)
    typescript = rest[0] if rest else "typescript"
    command = rest[1:] or [os.environ.get("SHELL", "/bin/sh"), "-i"]
    if typescript == "/dev/null":
        try:
            return subprocess.call(command)
        except OSError as exc:
            raise ToolError(f"script: {command[0]}: {exc.strerror}") from None
    with open(typescript, "ab" if "a" in flags else "wb") as log:
        try:
            done = subprocess.run(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
            )
        except OSError as exc:
            raise ToolError(f"script: {command[0]}: {exc.strerror}") from None
        log.write(done.stdout)
        sys.stdout.buffer.write(done.stdout)
        sys.stdout.flush()
    return done.returncode


# ---------------------------------------------------------------- sockstat


def _sockstat(args: list[str]) -> int:
    opts, _rest = getopt(
        "sockstat",
        args,
        "46CcIiLlnqSsUuvwj:p:P:",
        "usage: sockstat [-46CciLlnqSsUuvw] [-j jid] [-p ports] [-P protocols]",
    )
    flags = {k for k, _ in opts}
    values = dict(opts)
    ports = _port_ranges(values.get("p"))
    families = [f for f in ("4", "6") if f in flags] or ["4", "6"]
    rows = []
    for family in families:
        for proto in ("tcp", "udp"):
            rows += _sockets(proto, family, listening="l" in flags)
    if "q" not in flags:
        out("USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n")
    for proto, local, port in rows:
        if ports and not any(low <= port <= high for low, high in ports):
            continue
        out(f"?        ?          ?     ?  {proto:<6} {local:<21} *:*\n")
    return 0


def _port_ranges(text: str | None) -> list[tuple[int, int]]:
    if not text:
        return []
    ranges = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges


def _sockets(proto: str, family: str, *, listening: bool) -> list[tuple[str, str, int]]:
    suffix = "" if family == "4" else "6"
    rows = []
    with contextlib.suppress(OSError):
        lines = Path(f"/proc/net/{proto}{suffix}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if listening and proto == "tcp" and state != "0A":
                continue
            address, port_hex = local.split(":")
            port = int(port_hex, 16)
            shown = "*" if set(address) == {"0"} else _address(address, family)
            rows.append((f"{proto}{family}", f"{shown}:{port}", port))
    return rows


def _address(hexaddr: str, family: str) -> str:
    raw = bytes.fromhex(hexaddr)
    if family == "4":
        return ".".join(str(b) for b in reversed(raw))
    import ipaddress

    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))
