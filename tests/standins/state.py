"""The simulated FreeBSD host: one JSON document, read and written under an flock.

Several stand-ins run at the same time when tests start pots concurrently, so every
read-modify-write of the state holds ``<state dir>/.lock``. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STATE_ENV = "POT_STANDIN_STATE"
LOG_ENV = "POT_STANDIN_LOG"
BIN_ENV = "POT_STANDIN_BIN"

# root's PATH on a FreeBSD host; what a jailed command inherits instead of the test PATH
FREEBSD_PATH = "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"
# the "default" login class of FreeBSD 14 (login.conf): path, setenv, lang, charset
LOGIN_CLASS_ENV = {"BLOCKSIZE": "K", "MM_CHARSET": "UTF-8", "LANG": "C.UTF-8"}

Json = dict[str, Any]


class ToolError(Exception):
    """A tool's failure: the lines it writes on stderr and its exit status."""

    def __init__(self, *lines: str, rc: int = 1) -> None:
        super().__init__(*lines)
        self.lines = lines
        self.rc = rc


def state_dir() -> Path:
    value = os.environ.get(STATE_ENV)
    if not value:
        raise ToolError(f"standin: {STATE_ENV} is not set", rc=70)
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_state(extif: str = "em0", extif_inet: str = "192.168.0.10/24") -> Json:
    """A fresh host: lo0 and one external NIC, pf loaded but empty, no jails."""
    st: Json = {
        "version": 1,
        "next_jid": 1,
        "next_ifindex": 1,
        "jails": {},
        "jail_paths": [],
        "ifaces": [],
        "pf": {"enabled": False, "main": {"nat": [], "rules": [], "anchors": []}, "anchors": {}},
        "rctl": [],
        "cpusets": {},
        "mounts": [],
        "sysctl": {},
        "rc_conf": {},
        "modules": ["zfs", "pf", "if_bridge", "if_epair", "nullfs", "tmpfs", "fdescfs"],
        "urls": {},
        "daemons": [],
        "shm": [],
        "freebsd_version": {"kernel": "14.1-RELEASE-p5", "userland": "14.1-RELEASE-p6"},
    }
    from standins import netif

    netif.add_host_interface(st, extif, inet=extif_inet)
    lo0 = netif.add_host_interface(st, "lo0", inet="127.0.0.1/8", kind="loopback")
    lo0["inet6"].append({"addr": "::1", "prefix": 128})
    return st


@contextlib.contextmanager
def host(
    *, write: bool = True, folder: Path | None = None, keep_partial: bool = False
) -> Iterator[Json]:
    """The state, locked for the duration; written back when the body succeeds.

    With ``keep_partial`` it is written back even when the body raises: for steps
    that change the real system (mounts) before they can fail, so the record of what
    was done survives for the roll-back. Jails without ``persist`` whose processes
    are all gone are removed first, and that is saved even by readers, as the
    kernel would have done it in between.
    """
    folder = folder or state_dir()
    with locked(folder / ".lock"):
        path = folder / "state.json"
        st = json.loads(path.read_text()) if path.exists() else default_state()
        reaped = False
        if any(not j["persist"] for j in st["jails"].values()):
            from standins import jails

            reaped = jails.reap(st)
        try:
            yield st
        except BaseException:
            if keep_partial:
                save(path, st)
            raise
        if write or reaped:
            save(path, st)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def save(path: Path, st: Json) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(st, indent=1, sort_keys=True))
    os.replace(tmp, path)


def override_file(name: str) -> Path:
    return state_dir() / name


# ---------------------------------------------------------------- processes and jails


def pids_rooted_at(path: str) -> list[int]:
    """Host processes whose root directory is path: the processes "in" that jail.

    path must be resolved already (jail records keep the real path): resolving it here
    would stat it, and a stat of a zfs-fuse path can hang while the daemon waits for
    us (zfs-fuse runs umount from PATH, which is a stand-in in the tests).
    """
    target = path
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            root = os.readlink(f"/proc/{entry}/root")
        except OSError:
            continue
        if root == target:
            found.append(int(entry))
    return found


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_CLONE_NEWUTS = 0x04000000
_CLONE_NEWNET = 0x40000000
_SIOCSIFFLAGS = 0x8914
_IFF_UP_LOOPBACK_RUNNING = 0x1 | 0x8 | 0x40


def enter_jail(path: str, hostname: str | None) -> None:
    """Make the calling process "jailed": own network and UTS namespaces, then chroot.

    The private network namespace keeps the jail's own tools (busybox ifconfig in a
    test root, for instance) away from the host's interfaces; only its loopback is up.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUTS | _CLONE_NEWNET) == 0:
        _loopback_up()
        if hostname:
            socket.sethostname(hostname)
    os.chroot(path)
    os.chdir("/")


def _loopback_up() -> None:
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh", b"lo", _IFF_UP_LOOPBACK_RUNNING)
        fcntl.ioctl(s.fileno(), _SIOCSIFFLAGS, request)


def host_path_for_jail(environ: dict[str, str]) -> str:
    """The PATH a jailed command inherits: the test PATH means FreeBSD's usual one."""
    ours = os.environ.get(BIN_ENV, "")
    parts = [p for p in environ.get("PATH", "").split(":") if p and p != ours]
    return ":".join(parts) or FREEBSD_PATH


def inherited_env() -> dict[str, str]:
    """The caller's environment as a jailed command sees it (no stand-in plumbing)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POT_STANDIN_")}
    env["PATH"] = host_path_for_jail(env)
    return env


def login_env(user: PasswdEntry, term: str | None) -> dict[str, str]:
    """A clean login environment (jexec -l, exec.clean) for user."""
    env = dict(LOGIN_CLASS_ENV)
    env["PATH"] = FREEBSD_PATH + f":{user.home}/bin"
    env["USER"] = user.name
    env["HOME"] = user.home
    env["SHELL"] = user.shell or "/bin/sh"
    if term is not None:
        env["TERM"] = term
    return env


class PasswdEntry:
    def __init__(self, fields: list[str]) -> None:
        self.name = fields[0]
        self.uid = int(fields[2])
        self.gid = int(fields[3])
        self.home = fields[5]
        self.shell = fields[6] if len(fields) > 6 else "/bin/sh"


def lookup_user(root: str, name: str | None, uid: int = 0) -> PasswdEntry | None:
    """A user of <root>/etc/passwd by name (or by uid when name is None)."""
    passwd = Path(root) / "etc" / "passwd"
    try:
        lines = passwd.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split(":")
        if len(fields) < 7 or line.startswith("#"):
            continue
        if (name is not None and fields[0] == name) or (name is None and fields[2] == str(uid)):
            return PasswdEntry(fields)
    if name is None and uid == 0:
        # a root without a passwd file still has root, as the kernel has
        return PasswdEntry(["root", "*", "0", "0", "", "/root", "/bin/sh"])
    return None


# ---------------------------------------------------------------- argument parsing


def getopt(
    tool: str, args: list[str], optstring: str, usage: str, *, rc: int = 1
) -> tuple[list[tuple[str, str]], list[str]]:
    """BSD getopt(3): options up to the first operand or ``--``; errors as BSD prints them."""
    opts: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        j = 1
        while j < len(arg):
            letter = arg[j]
            pos = optstring.find(letter)
            if pos < 0 or letter == ":":
                raise ToolError(f"{tool}: illegal option -- {letter}", *usage.splitlines(), rc=rc)
            if pos + 1 < len(optstring) and optstring[pos + 1] == ":":
                value = arg[j + 1 :]
                if not value:
                    i += 1
                    if i >= len(args):
                        raise ToolError(
                            f"{tool}: option requires an argument -- {letter}",
                            *usage.splitlines(),
                            rc=rc,
                        )
                    value = args[i]
                opts.append((letter, value))
                break
            opts.append((letter, ""))
            j += 1
        i += 1
    return opts, args[i:]


def out(text: str) -> None:
    """Write to stdout (stand-ins are the only printers here)."""
    import sys

    sys.stdout.write(text)
    sys.stdout.flush()
