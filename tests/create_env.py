"""Helpers of the create/clone ZFS tests: the CLI, the ZFS tree, a test base, expected files.

The expected pot.conf text is tests/golden.py's (upstream's format, not our writer's).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from potcli import real_umount_first
from potfactory import PotHost, zfs
from standins.harness import Standins

from pot.cli.main import cli

HOST = socket.gethostname()
CRONTAB = (
    "SHELL=/bin/sh\n"
    "*/11\t*\t*\t*\t*\toperator\t/usr/libexec/save-entropy\n"
    "1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a\n"
    "0\t3\t*\t*\t*\troot\tperiodic daily\n"
)
CRONTAB_IN_A_JAIL = (
    "SHELL=/bin/sh\n"
    "# */11\t*\t*\t*\t*\toperator\t/usr/libexec/save-entropy\n"
    "# 1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a\n"
    "0\t3\t*\t*\t*\troot\tperiodic daily\n"
)
BASE_SNAPSHOT = "1700000000"


# fetch(1)'s closing line of a download: path, size, mean rate, seconds
FETCH_LINE = re.compile(
    r"\S+ {8,}[ 0-9]{4} [ kMGTP]B ([ 0-9]{4} [ kMGTP]Bps|\?\? Bps) +([0-9]{2}[dhm])?[0-9]{2}[smh]"
)


def pot(*args: str) -> tuple[int, str]:
    """Run pot in-process as a user would; exit code and stdout (stderr must hold nothing
    but fetch(1)'s line of a release download)."""
    result = CliRunner().invoke(cli, list(args))
    others = [line for line in result.stderr.splitlines() if not FETCH_LINE.fullmatch(line)]
    assert others == [], result.stderr
    return result.exit_code, result.stdout


class Env(PotHost):
    """An initialised pot on the test pool, with bases and flavours as create needs them."""

    def fscomp(self, pot: str) -> str:
        return (self.fs_root / "jails" / pot / "conf" / "fscomp.conf").read_text()

    def base(self, name: str = "14.1", release: str = "14.1-RELEASE") -> None:
        """A small base as create-base leaves it: three datasets, .osrelease, snapshots."""
        dataset = f"{self.zfs_root}/bases/{name}"
        folder = self.fs_root / "bases" / name
        zfs("create", dataset)
        zfs("create", "-o", f"mountpoint={folder}/usr/local", f"{dataset}/usr.local")
        zfs("create", "-o", f"mountpoint={folder}/opt/custom", f"{dataset}/custom")
        (folder / ".osrelease").write_text(release + "\n")
        (folder / "usr" / "local" / "etc").mkdir(parents=True)
        (folder / "usr" / "local" / "etc" / "pkg.conf").write_text("# pkg\n")
        etc = folder / "opt" / "custom" / "etc"
        etc.mkdir(parents=True)
        (etc / "crontab").write_text(CRONTAB)
        (etc / "rc.conf").write_text("")
        for child in ("", "/usr.local", "/custom"):
            zfs("snapshot", f"{dataset}{child}@{BASE_SNAPSHOT}")

    def flavour(self, name: str, text: str) -> None:
        (self.etc / "flavours" / name).write_text(text)


def freebsd_tools(standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    """The FreeBSD stand-ins (vimage, amd64, em0 192.168.0.10/24, no jail), with the
    host's umount first on PATH: zfs-fuse's zfs runs it to unmount a dataset it destroys."""
    real_umount_first(tmp_path, monkeypatch)
    return standins


def init_tree() -> list[str]:
    return ["", "/bases", "/cache", "/fscomp", "/jails"]


def base_tree(name: str = "14.1") -> list[str]:
    b = f"/bases/{name}"
    return [
        "/bases",
        b,
        f"{b}@{BASE_SNAPSHOT}",
        f"{b}/custom",
        f"{b}/custom@{BASE_SNAPSHOT}",
        f"{b}/usr.local",
        f"{b}/usr.local@{BASE_SNAPSHOT}",
    ]
