from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.zfs


def test_pool_is_private_and_usable(zpool: str, zroot: str) -> None:
    # other tests' datasets may still be in the session pool: look at this test's own
    assert zpool.startswith("pottest_")
    subprocess.run(["zfs", "create", zroot], check=True)
    out = subprocess.run(
        ["zfs", "list", "-H", "-o", "name", "-r", zroot],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.splitlines() == [zroot]
    assert zroot.startswith(f"{zpool}/")
