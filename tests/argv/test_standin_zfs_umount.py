from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.zfs


def test_zfs_fuse_unmounts_through_the_real_umount(
    zroot: str, tmp_path: Path, standins: object
) -> None:
    # zfs-fuse runs `umount` from PATH, which is the stand-in folder here
    first, second = tmp_path / "a", tmp_path / "b"
    subprocess.run(["zfs", "create", "-o", f"mountpoint={first}", zroot], check=True)
    r = subprocess.run(
        ["zfs", "set", f"mountpoint={second}", zroot], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    mounted = subprocess.run(
        ["zfs", "get", "-H", "-o", "value", "mounted,mountpoint", zroot],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert mounted == ["yes", str(second)]
