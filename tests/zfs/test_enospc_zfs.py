"""A full dataset (a ZFS quota smaller than the data) during import and copy-in: one
``###>`` line naming the failure and exit 1, never ``internal error: OSError``; nothing
half made is left as a pot."""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

import pytest
from potcli import PotCli
from potfactory import init_layout, single_pot
from standins.harness import Standins, busybox_root

TYPE_CHECKING = False
if TYPE_CHECKING:
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

SNAP = "1700000000"
SIZE = 6 * 1024 * 1024


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    folder = pot_cli.single("web")
    busybox_root(folder / "m")
    # random bytes: xz cannot make the image smaller than the quota
    (folder / "m" / "big.bin").write_bytes(random.Random(8).randbytes(SIZE))
    pot_cli.snap("jails/web", SNAP)
    return pot_cli


def _one_error_line(out: str) -> None:
    errors = [line for line in out.splitlines() if line.startswith("###>")]
    assert errors, out
    assert "internal error" not in out
    assert "Traceback" not in out


def test_import_into_a_full_cache(env: PotCli, tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert env.run("export", "-p", "web", "-t", "1.0", "-D", str(images))[0] == 0
    env.zfs("set", "quota=2M", f"{env.zfs_root}/cache")
    code, out, _ = env.run("import", "-p", "web", "-t", "1.0", "-U", images.as_uri())
    assert code == 1
    _one_error_line(out)
    assert env.run("ls", "-q") == (0, "web\n", "")
    assert [n for n in env.tree("jails") if "web_1_0" in n or ".import" in n] == []


def test_import_into_a_full_jails_dataset(env: PotCli, tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert env.run("export", "-p", "web", "-t", "1.0", "-D", str(images))[0] == 0
    used = int(env.zfs("get", "-Hp", "-o", "value", "used", f"{env.zfs_root}/jails"))
    env.zfs("set", f"quota={used + 2 * 1024 * 1024}", f"{env.zfs_root}/jails")
    code, out, _ = env.run("import", "-p", "web", "-t", "1.0", "-U", images.as_uri())
    assert code == 1
    _one_error_line(out)
    assert env.run("ls", "-q") == (0, "web\n", "")


@pytest.fixture
def pot_root(pot_env: PotEnv, standins: Standins) -> Path:
    """A pot with a busybox root (the stand-ins' own umount keeps track of mounts)."""
    zfs_root: str = pot_env.zfs_root
    fs_root: Path = pot_env.fs_root
    init_layout(zfs_root, fs_root, pot_env.cache)
    m = single_pot(zfs_root, fs_root, "web") / "m"
    busybox_root(m)
    return m


def test_copy_in_to_a_full_pot(
    pot_env: PotEnv, pot_root: Path, standins: Standins, tmp_path: Path
) -> None:
    source = tmp_path / "big-source.bin"
    source.write_bytes(random.Random(9).randbytes(SIZE))
    dataset = f"{pot_env.zfs_root}/jails/web/m"
    _quota_above_used(dataset, 1024 * 1024)
    code, out, _ = standins.run_pot(
        "copy-in", "-p", "web", "-s", str(source), "-d", "/big-copy.bin"
    )
    assert code == 1
    _one_error_line(out)
    assert standins.mounts() == []


def _quota_above_used(dataset: str, room: int) -> None:
    """quota = used + room; zfs-fuse counts new files late, so again until it accepts."""
    os.sync()
    for _ in range(20):
        used = int(_zfs("get", "-Hp", "-o", "value", "used", dataset))
        argv = ["zfs", "set", f"quota={used + room}", dataset]
        if subprocess.run(argv, check=False, capture_output=True).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"cannot set a quota on {dataset}")


def _zfs(*args: str) -> str:
    r = subprocess.run(["zfs", *args], check=False, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout
