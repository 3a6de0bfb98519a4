"""An initialised pot on the test pool, the stand-ins for FreeBSD's tools, and the CLI.

Used by the snapshot, info, show, destroy, rename and prune tests: pots are built on
disk with tests/potfactory.py, "running" pots are jails of the stand-in jail(8).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from potfactory import PotHost
from standins.harness import Standins, run_pot

from pot import potconf

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

# zfs-fuse's `zfs unmount` (and destroy, rename ...) runs umount(8) from PATH; the
# stand-in umount knows only the mounts pot makes itself, so the real one goes first
_SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


class PotCli(PotHost):
    """The test's pot installation: settings, folders, pots, jails and ``pot`` runs."""

    def __init__(self, env: PotEnv, standins: Standins) -> None:
        super().__init__(env)
        self.standins = standins

    def run(self, *args: str) -> tuple[int, str, str]:
        """``pot args...`` in-process: (exit status, stdout, stderr)."""
        return run_pot(*args)

    # ---------------------------------------------------------------- pots

    def with_child(self, name: str, child: str) -> Path:
        """Two single pots, ``child`` made from ``name``: its pot.potbase and pot.depend
        name it and its fscomp.conf (returned) mounts a folder of it (what rename follows)."""
        self.single(name)
        self.single(child)
        self.set(child, "pot.potbase", name)
        self.set(child, "pot.depend", name)
        fscomp = self.fs_root / "jails" / child / "conf" / "fscomp.conf"
        fscomp.write_text(f"{self.fs_root}/jails/{name}/m/data /data\n")
        return fscomp

    def base(self, name: str) -> str:
        """``bases/<name>`` with its usr.local and custom children (no release inside)."""
        dataset = f"{self.zfs_root}/bases/{name}"
        self.zfs("create", dataset)
        for child in ("usr.local", "custom"):
            self.zfs("create", f"{dataset}/{child}")
        return dataset

    def conf(self, pot: str) -> potconf.PotConf:
        return potconf.read(self.fs_root / "jails" / pot / "conf" / "pot.conf")

    def set(self, pot: str, key: str, value: str) -> None:
        """Set a pot.conf key in place (or append it)."""
        path = self.fs_root / "jails" / pot / "conf" / "pot.conf"
        conf = potconf.read(path)
        conf.set(key, value)
        potconf.write(path, conf)

    def start(self, pot: str) -> None:
        """Make the pot "run": a persistent jail of the stand-in jail(8)."""
        path = self.fs_root / "jails" / pot / "m"
        subprocess.run(["jail", "-c", f"name={pot}", f"path={path}", "persist"], check=True)

    def stop(self, pot: str) -> None:
        subprocess.run(["jail", "-r", pot], check=True, capture_output=True)

    # ---------------------------------------------------------------- ZFS

    def tree(self, below: str = "") -> list[str]:
        """Every dataset and snapshot under root/below, relative to the root without the
        leading "/", each dataset followed by its snapshots."""
        names = [name[1:] for name in self.datasets(below)]
        return sorted(names, key=lambda name: name.split("@", 1))

    def snap(self, dataset: str, name: str, *, recursive: bool = True) -> None:
        self.zfs("snapshot", *(["-r"] if recursive else []), f"{self.zfs_root}/{dataset}@{name}")

    def fscomp(self, name: str) -> str:
        """A new fscomp (``fscomp/<name>``), as create-fscomp makes it."""
        dataset = f"{self.zfs_root}/fscomp/{name}"
        self.zfs("create", dataset)
        return dataset


def real_zfs() -> str:
    found = shutil.which("zfs", path=_SYSTEM_PATH)
    assert found is not None
    return found


def real_umount_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host's umount(8) before the stand-ins on PATH (zfs-fuse's zfs runs it)."""
    real = tmp_path / "real-umount"
    real.mkdir()
    umount = shutil.which("umount", path=_SYSTEM_PATH)
    assert umount is not None
    (real / "umount").symlink_to(umount)
    monkeypatch.setenv("PATH", f"{real}{os.pathsep}{os.environ['PATH']}")


def make(
    pot_env: PotEnv, standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PotCli:
    real_umount_first(tmp_path, monkeypatch)
    return PotCli(pot_env, standins)
