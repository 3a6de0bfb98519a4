"""ops.mounts on a multi pot: fscomp.conf entries mounted in order (nullfs of datasets
and directories, zfs remount, tmpfs), unmounted in reverse, legacy lines converted.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from potfactory import init_layout
from standins.harness import Standins

from pot.errors import PotError
from pot.ops import mounts
from pot.settings import Settings

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

REAL_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _zfs(*args: str) -> str:
    # the real PATH: zfs-fuse unmounts with umount(8), which is a stand-in on the test PATH
    env = dict(os.environ, PATH=REAL_PATH)
    return subprocess.run(
        ["zfs", *args], check=True, capture_output=True, text=True, env=env
    ).stdout


class Multi:
    """A level-1 multi pot ``p`` on the base ``b``, with a host directory mounted in."""

    def __init__(self, s: Settings, data: Path) -> None:
        z, fs = s.zfs_root, s.fs_root
        self.s = s
        self.data = data
        self.base = fs / "bases" / "b"
        self.m = fs / "jails" / "p" / "m"
        _zfs("create", f"{z}/bases/b")
        _zfs("create", "-o", f"mountpoint={self.base}/usr/local", f"{z}/bases/b/usr.local")
        for d in ("tmp", "data", "etc", "opt/custom"):
            (self.base / d).mkdir(parents=True)
        _zfs("create", f"{z}/jails/p")
        _zfs("create", f"{z}/jails/p/custom")
        _zfs("unmount", f"{z}/jails/p/custom")
        self.m.mkdir()
        conf = fs / "jails" / "p" / "conf"
        conf.mkdir()
        (conf / "pot.conf").write_text("pot.level=1\npot.type=multi\npot.attr.no-tmpfs=NO\n")
        self.fscomp = conf / "fscomp.conf"
        self.fscomp.write_text(
            f"{z}/bases/b / ro\n"
            f"{z}/bases/b/usr.local {self.m}/usr/local ro\n"
            f"{data} /data\n"
            f"{z}/jails/p/custom /opt/custom zfs-remount\n"
        )


@pytest.fixture
def multi(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> Multi:
    init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    data = tmp_path / "data"
    data.mkdir()
    (data / "hello").write_text("hi\n")
    return Multi(pot_env.settings(), data)


def test_mount_and_unmount_a_multi_pot(multi: Multi, standins: Standins) -> None:
    z, m = multi.s.zfs_root, multi.m
    mounts.mount_pot(multi.s, "p")
    # the legacy line made the whole file relative (a trailing blank without option)
    assert multi.fscomp.read_text() == (
        f"{z}/bases/b / ro\n"
        f"{z}/bases/b/usr.local /usr/local ro\n"
        f"{multi.data} /data \n"
        f"{z}/jails/p/custom /opt/custom zfs-remount\n"
    )
    assert [c for c in standins.calls() if c[0] != "jls"] == [
        ["mount_nullfs", "-o", "ro", str(multi.base), str(m)],
        ["mount_nullfs", "-o", "ro", f"{multi.base}/usr/local", f"{m}/usr/local"],
        ["mount_nullfs", "-o", "rw", str(multi.data), f"{m}/data"],
        ["mount", "-t", "tmpfs", "tmpfs", f"{m}/tmp"],
    ]
    assert (m / "data" / "hello").read_text() == "hi\n"
    assert _zfs("get", "-H", "-o", "value", "mountpoint", f"{z}/jails/p/custom") == (
        f"{m}/opt/custom\n"
    )
    standins.clear_calls()
    mounts.umount_pot(multi.s, "p")
    assert [c for c in standins.calls() if c[0] == "umount"] == [
        ["umount", "-f", f"{m}/tmp"],
        ["umount", "-f", f"{m}/data"],
        ["umount", "-f", f"{m}/usr/local"],
        ["umount", "-f", str(m)],
    ]
    # a remounted dataset goes to <pot dir>/<its last name component>, as upstream
    pot_dir = multi.s.fs_root / "jails" / "p"
    assert _zfs("get", "-H", "-o", "value", "mountpoint", f"{z}/jails/p/custom") == (
        f"{pot_dir}/custom\n"
    )
    assert standins.mounts() == []


def test_a_failed_mount_undoes_the_others(multi: Multi, standins: Standins) -> None:
    multi.data.rename(multi.data.with_name("gone"))
    with pytest.raises(PotError) as exc:
        mounts.mount_pot(multi.s, "p")
    assert exc.value.lines == (f"Error mounting {multi.data} on {multi.m}/data",)
    assert standins.mounts() == []


def test_mount_targets_never_leave_the_pot(multi: Multi, standins: Standins) -> None:
    (multi.base / "data").rmdir()
    (multi.base / "data").symlink_to("../../../../..")
    with pytest.raises(PotError) as exc:
        mounts.mount_pot(multi.s, "p")
    assert exc.value.lines == ("The mount point /data leads outside the pot p",)
    assert ["mount_nullfs", "-o", "rw"] not in [c[:3] for c in standins.calls()]
    assert standins.mounts() == []
