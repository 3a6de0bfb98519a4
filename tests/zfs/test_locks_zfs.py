"""Per-pot locks on real ZFS: a destroy during an export of the same pot waits for it
(upstream's destroy unmounted the pot under the export and failed half way), and lock
files do not pile up in POT_TMP."""

from __future__ import annotations

import time
from pathlib import Path

import killer
import pytest
from potcli import PotCli

pytestmark = pytest.mark.zfs

SNAP = "1700000000"


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    pot_cli.single("web")
    pot_cli.snap("jails/web", SNAP)
    return pot_cli


def _mounted(env: PotCli) -> list[str]:
    out = env.zfs("list", "-H", "-o", "name,mounted", "-r", f"{env.zfs_root}/jails/web")
    return out.splitlines()


def test_destroy_waits_for_an_export_of_the_same_pot(env: PotCli, tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    block = killer.blocking(tmp_path / "wrap", "zfs", "send *", hold=True)
    exporting = killer.start(block, "export", "-p", "web", "-t", "1.0", "-D", str(images))
    killer.wait_for(block, exporting)
    before = _mounted(env)
    destroying = killer.start(block, "destroy", "-p", "web")
    time.sleep(3)
    # the destroy waits before it touches anything
    assert destroying.poll() is None
    assert _mounted(env) == before
    assert env.run("info", "-p", "web")[0] == 0
    killer.release(block)
    out = exporting.communicate(timeout=300)[0].decode()
    assert exporting.returncode == 0, out
    out = destroying.communicate(timeout=300)[0].decode()
    assert destroying.returncode == 0, out
    assert sorted(p.name for p in images.iterdir()) == [
        "web_1.0.xz",
        "web_1.0.xz.meta",
        "web_1.0.xz.skein",
    ]
    assert env.tree("jails") == ["jails"]


def test_lock_files_do_not_pile_up(env: PotCli) -> None:
    for n in range(5):
        assert env.run("set-attribute", "-p", "web", "-A", "persistent", "-V", "NO")[0] == 0
        assert env.run("snapshot", "-p", "web")[0] == 0 or n > 0
        assert env.run("set-status", "-p", "web", "-s", "starting")[0] in (0, 2)
        assert env.run("set-status", "-p", "web", "-s", "doa")[0] in (0, 1, 2)
        assert env.run("stop", "-p", "web")[0] in (0, 1)
    assert env.run("rename", "-p", "web", "-n", "www")[0] == 0
    assert [p.name for p in env.tmp.iterdir() if p.name.startswith("pot-lock-")] == []
    locks = env.tmp / "pot-locks"
    assert not locks.exists() or list(locks.iterdir()) == []
