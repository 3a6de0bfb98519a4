"""The test side of the stand-ins: a PATH of stand-ins and allowed tools, and helpers.

``Standins.create(folder)`` writes one wrapper per FreeBSD tool (see
``standin.TOOLS``) plus symlinks to the few real tools pot and the tests may use, and
a fresh simulated host. ``activate(monkeypatch)`` makes that folder the whole PATH, so
a test can never reach the host's own mount, umount or ifconfig.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from standins import mounts, netif
from standins.standin import TOOLS
from standins.state import BIN_ENV, LOG_ENV, STATE_ENV, Json, default_state, host, locked, save

# real tools on the test PATH: what pot (hooks, images, flavours) and tests may run
REAL_TOOLS = (
    "sh",
    "env",
    "echo",
    "true",
    "false",
    "cat",
    "cp",
    "mkdir",
    "rm",
    "rmdir",
    "ln",
    "ls",
    "chmod",
    "chown",
    "mv",
    "tar",
    "xz",
    "sed",
    "grep",
    "find",
    "awk",
    "date",
    "touch",
    "basename",
    "dirname",
    "id",
    "printf",
    "test",
    "head",
    "tail",
    "sort",
    "uniq",
    "wc",
    "tr",
    "cut",
    "cmp",
    "tee",
    "realpath",
    "readlink",
    "mktemp",
    "sleep",
    "kill",
    "nohup",
    "unshare",
    "chroot",
    "zfs",
    "zpool",
)
# the applets of a test jail root (busybox_root)
APPLETS = (
    "sh",
    "echo",
    "touch",
    "cat",
    "ls",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "ln",
    "chmod",
    "sleep",
    "env",
    "id",
    "test",
    "[",
    "printf",
    "hostname",
    "true",
    "false",
    "pwd",
    "grep",
    "sed",
    "head",
    "tail",
    "wc",
    "kill",
    "uname",
    "date",
)
_HOST_PATH_TOOLS = frozenset({"zfs", "zpool"})
_HOST_PATH_WRAPPER = """#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec {real} "$@"
"""
_WRAPPER = """#!{python}
import sys
sys.path.insert(0, {tests!r})
from standins.standin import main
sys.exit(main({tool!r}))
"""


class Standins:
    """A prepared stand-in PATH and simulated host, with helpers for assertions."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.bin = folder / "bin"
        self.state_dir = folder / "state"
        self.log = folder / "calls.jsonl"

    # ---------------------------------------------------------------- set-up

    @classmethod
    def create(
        cls, folder: Path, *, extif: str = "em0", extif_inet: str = "192.168.0.10/24"
    ) -> Standins:
        """Write the wrappers, the tool links and a fresh host with lo0 and ``extif``."""
        self = cls(folder)
        self.bin.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        tests_dir = str(Path(__file__).resolve().parent.parent)
        for tool in TOOLS:
            wrapper = self.bin / tool
            wrapper.write_text(_WRAPPER.format(python=sys.executable, tests=tests_dir, tool=tool))
            wrapper.chmod(0o755)
        for tool in REAL_TOOLS:
            real = shutil.which(tool)
            if real is None or (self.bin / tool).exists():
                continue
            if tool in _HOST_PATH_TOOLS:
                # zfs-fuse's zfs runs umount(8) itself: it must get Linux's, at once; a
                # slow stand-in in between can deadlock the daemon (kernel attr cache expires)
                (self.bin / tool).write_text(_HOST_PATH_WRAPPER.format(real=real))
                (self.bin / tool).chmod(0o755)
            else:
                (self.bin / tool).symlink_to(real)
        save(self.state_dir / "state.json", default_state(extif, extif_inet))
        return self

    def environ(self) -> dict[str, str]:
        return {
            "PATH": str(self.bin),
            STATE_ENV: str(self.state_dir),
            LOG_ENV: str(self.log),
            BIN_ENV: str(self.bin),
        }

    def activate(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for key, value in self.environ().items():
            monkeypatch.setenv(key, value)

    # ---------------------------------------------------------------- calls

    def calls(self, tool: str | None = None) -> list[list[str]]:
        """Every recorded call as ``[tool, *args]``, in order; only ``tool``'s if given."""
        result = []
        for line in self.log.read_text().splitlines():
            entry = json.loads(line)
            if tool is None or entry["tool"] == tool:
                result.append([entry["tool"], *entry["argv"]])
        return result

    def clear_calls(self) -> None:
        self.log.write_text("")

    # ---------------------------------------------------------------- failure injection

    def set_rc(self, tool: str, rc: int) -> None:
        """Every later call of tool prints nothing (unless set_out) and exits rc."""
        (self.state_dir / f"{tool}.rc").write_text(f"{rc}\n")

    def set_out(self, tool: str, text: str) -> None:
        (self.state_dir / f"{tool}.out").write_text(text)

    def set_err(self, tool: str, text: str) -> None:
        (self.state_dir / f"{tool}.err").write_text(text)

    def clear_override(self, tool: str) -> None:
        for ext in ("rc", "out", "err"):
            (self.state_dir / f"{tool}.{ext}").unlink(missing_ok=True)

    def fail(
        self,
        tool: str,
        *prefix: str,
        rc: int = 1,
        out: str = "",
        err: str = "",
        times: int | None = None,
    ) -> None:
        """Answer calls of tool whose arguments start with prefix (``times`` times)."""
        path = self.state_dir / "overrides.json"
        with locked(path.with_suffix(".lock")):
            rules = json.loads(path.read_text()) if path.exists() else []
            rules.append(
                {
                    "tool": tool,
                    "prefix": list(prefix),
                    "rc": rc,
                    "out": out,
                    "err": err,
                    "times": times,
                }
            )
            path.write_text(json.dumps(rules))

    # ---------------------------------------------------------------- the host

    def state(self) -> Json:
        """A snapshot of the simulated host."""
        with host(write=False, folder=self.state_dir) as st:
            return st

    @contextlib.contextmanager
    def edit(self) -> Iterator[Json]:
        """Change the simulated host (set-up); written back at the end of the block."""
        with host(folder=self.state_dir) as st:
            yield st

    def add_interface(self, name: str, inet: str | None = None) -> None:
        with self.edit() as st:
            netif.add_host_interface(st, name, inet=inet)

    def set_sysctl(self, name: str, value: str) -> None:
        with self.edit() as st:
            st["sysctl"][name] = value

    def serve(self, url: str, path: Path) -> None:
        """Let fetch(1) download url: it copies path."""
        with self.edit() as st:
            st["urls"][url] = str(path)

    def jails(self) -> dict[str, Json]:
        running: dict[str, Json] = self.state()["jails"]
        return running

    def interfaces(self) -> dict[str, dict[str, Any]]:
        """Host and jailed interfaces in a compact form (netif.describe)."""
        return {i["name"]: netif.describe(i) for i in self.state()["ifaces"]}

    def mounts(self) -> list[tuple[str, str, str]]:
        """(fstype, source, target) of every recorded mount, oldest first."""
        return [(m["fstype"], m["source"], m["target"]) for m in self.state()["mounts"]]

    # ---------------------------------------------------------------- the CLI

    def run_pot(self, *args: str, input: str | None = None) -> tuple[int, str, str]:
        return run_pot(*args, input=input)

    # ---------------------------------------------------------------- teardown

    def cleanup(self) -> None:
        """Stop what tests left running in jails or as daemons; undo their mounts."""
        path = self.state_dir / "state.json"
        if not path.exists():
            return
        with locked(self.state_dir / ".lock"):
            st = json.loads(path.read_text())
            for root in st["jail_paths"]:
                _kill_rooted(root)
            for pid in st["daemons"]:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            failures = mounts.unmount_all(st)
            save(path, st)
        assert not failures, failures


def _kill_rooted(root: str) -> None:
    from standins.state import pids_rooted_at

    for _ in range(50):
        pids = pids_rooted_at(root)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


# ---------------------------------------------------------------- helpers for tests


def run_pot(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run ``pot args...`` in-process: (exit status, stdout, stderr)."""

    from pot.cli.main import cli

    runner = _runner()
    result = runner.invoke(cli, list(args), input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _runner() -> Any:
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner()


def busybox() -> Path | None:
    """A statically linked busybox (apt-get install busybox-static), or None."""
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        path = Path(candidate)
        if path.is_file() and _is_static(path):
            return path
    return None


def _is_static(path: Path) -> bool:
    """An ELF file without a program interpreter (PT_INTERP) needs no libraries."""
    with path.open("rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return False
        phoff = struct.unpack_from("<Q", header, 0x20)[0]
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != 3 for i in range(phnum))


def busybox_root(path: Path, *, applets: tuple[str, ...] = APPLETS) -> Path:
    """A tiny FreeBSD-shaped jail root: busybox applets in /bin, users, /dev, /tmp."""
    source = busybox()
    if source is None:
        pytest.skip("a static busybox is needed (apt-get install busybox-static)")
    for folder in ("bin", "dev", "etc", "root", "tmp", "usr/bin", "usr/local/bin", "var/run"):
        (path / folder).mkdir(parents=True, exist_ok=True)
    (path / "tmp").chmod(0o1777)
    shutil.copy2(source, path / "bin" / "busybox")
    for applet in applets:
        link = path / "bin" / applet
        if not link.exists():
            link.symlink_to("busybox")
    (path / "etc" / "passwd").write_text(
        "root:*:0:0:Charlie &:/root:/bin/sh\n"
        "www:*:80:80:World Wide Web Owner:/nonexistent:/usr/sbin/nologin\n"
        "nobody:*:65534:65534:Unprivileged user:/nonexistent:/usr/sbin/nologin\n"
    )
    (path / "etc" / "group").write_text("wheel:*:0:root\nwww:*:80:\nnogroup:*:65533:\n")
    (path / "bin" / "freebsd-version").write_text(
        '#!/bin/sh\nUSERLAND_VERSION="14.1-RELEASE-p6"\necho $USERLAND_VERSION\n'
    )
    (path / "bin" / "freebsd-version").chmod(0o755)
    return path


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll predicate until true or timeout (for processes started in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
