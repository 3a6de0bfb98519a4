from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.zfs


def test_pool_is_private_and_usable(zpool: str, zroot: str) -> None:
    subprocess.run(["zfs", "create", zroot], check=True)
    out = subprocess.run(
        ["zfs", "list", "-H", "-o", "name", "-r", zpool],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.splitlines() == [zpool, zroot]
