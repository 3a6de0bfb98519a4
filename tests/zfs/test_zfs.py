"""pot.zfs against real ZFS (zfs-fuse on Linux), inside the private test pool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pot import zfs
from pot.errors import CommandFailed
from pot.zfs import Caps

pytestmark = pytest.mark.zfs


def everything(root: str) -> str:
    """The full `zfs list -H -o name -t all -r ROOT` text, as zfs_autobackup's tests compare."""
    return subprocess.run(
        ["zfs", "list", "-H", "-o", "name", "-t", "all", "-r", root],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def names(root: str, *rel: str) -> str:
    return "".join(f"{root}{r}\n" for r in rel)


@pytest.fixture
def root(zroot: str, pool_mountpoint: Path) -> tuple[str, Path]:
    """A created dataset of the test pool with its mountpoint."""
    zfs.create(zroot)
    return zroot, pool_mountpoint / zroot.split("/", 1)[1]


def test_create_list_tree_children(root: tuple[str, Path], tmp_path: Path) -> None:
    name, mnt = root
    zfs.create(f"{name}/a/b", parents=True)
    zfs.create(f"{name}/c", props={"mountpoint": str(tmp_path / "c"), "compression": "off"})
    zfs.set_prop(f"{name}/a", ":pot.tag", "1.0")
    assert everything(name) == names(name, "", "/a", "/a/b", "/c")
    tree = zfs.list_tree(name)
    assert list(tree) == [name, f"{name}/a", f"{name}/a/b", f"{name}/c"]
    assert tree[f"{name}/a"].mountpoint == str(mnt / "a")
    assert tree[f"{name}/a"].mounted is True
    assert dict(tree[f"{name}/a"].props) == {":pot.tag": "1.0", ":pot.snap": ""}
    assert tree[f"{name}/c"].mountpoint == str(tmp_path / "c")
    assert zfs.get(f"{name}/c", "compression") == "off"
    assert zfs.children(name) == [f"{name}/a", f"{name}/c"]
    assert zfs.exists(f"{name}/a/b") is True
    assert zfs.exists(f"{name}/nope") is False
    assert zfs.list_tree(f"{name}/nope") == {}
    assert zfs.children(f"{name}/nope") == []
    zfs.inherit(f"{name}/a", ":pot.tag")
    assert zfs.get(f"{name}/a", ":pot.tag") == ""


def test_snapshots_in_creation_order(root: tuple[str, Path]) -> None:
    name, _ = root
    zfs.create(f"{name}/m")
    # names that sort differently from their creation order
    for snap in ("b", "a", "c"):
        zfs.snapshot(name, snap, recursive=snap != "a")
    assert zfs.snapshots(name) == [f"{name}@b", f"{name}@a", f"{name}@c"]
    assert zfs.snapshots(f"{name}/m") == [f"{name}/m@b", f"{name}/m@c"]
    # creation has a resolution of one second: across datasets only per-dataset order is sure
    every = zfs.snapshots(name, recursive=True)
    assert [s for s in every if s.startswith(f"{name}@")] == zfs.snapshots(name)
    assert [s for s in every if s.startswith(f"{name}/m@")] == zfs.snapshots(f"{name}/m")
    assert len(every) == 5
    tree = [f"{name}@b", f"{name}@a", f"{name}@c", f"{name}/m@b", f"{name}/m@c"]
    assert zfs.snapshot_tree(name) == tree
    assert zfs.exists(f"{name}@a") is True


def test_clone_rollback_rename_destroy(root: tuple[str, Path]) -> None:
    name, mnt = root
    zfs.create(f"{name}/src")
    (mnt / "src" / "f").write_text("one")
    zfs.snapshot(f"{name}/src", "1")
    (mnt / "src" / "f").write_text("two")
    zfs.snapshot(f"{name}/src", "2")
    zfs.snapshot(f"{name}/src", "3")

    zfs.clone(f"{name}/src@1", f"{name}/cl", props={":pot.tag": "x"})
    assert zfs.list_tree(f"{name}/cl")[f"{name}/cl"].origin == f"{name}/src@1"
    assert zfs.get(f"{name}/cl", ":pot.tag") == "x"

    with pytest.raises(CommandFailed) as failed:
        zfs.rollback(f"{name}/src@2")
    assert "more recent snapshots exist" in failed.value.stderr
    zfs.rollback(f"{name}/src@2", recursive=True)
    assert everything(name) == names(name, "", "/cl", "/src", "/src@1", "/src@2")

    # zfs-fuse keeps a file system busy for a long while after a file in it was read,
    # so the clone is read only after the rename
    zfs.rename(f"{name}/cl", f"{name}/renamed")
    assert (mnt / "renamed" / "f").read_text() == "one"
    zfs.destroy(f"{name}/renamed")
    zfs.destroy(f"{name}/src@2")
    assert everything(name) == names(name, "", "/src", "/src@1")
    with pytest.raises(CommandFailed) as failed:
        zfs.destroy(name)
    assert "has children" in failed.value.stderr
    zfs.destroy(name, recursive=True)
    assert zfs.exists(name) is False


def test_mount_unmount_used(root: tuple[str, Path]) -> None:
    name, mnt = root
    zfs.create(f"{name}/d")
    zfs.create(f"{name}/d/e")
    zfs.unmount(f"{name}/d")
    tree = zfs.list_tree(name)
    assert [tree[f"{name}/d"].mounted, tree[f"{name}/d/e"].mounted] == [False, False]
    zfs.mount(f"{name}/d")
    assert zfs.get(f"{name}/d", "mounted") == "yes"
    assert zfs.get(f"{name}/d/e", "mounted") == "no"
    assert zfs.used(f"{name}/d")[-1] in "KMG"
    assert mnt.is_dir()


def _round_trip(name: str, mnt: Path, *, unmounted: bool) -> None:
    zfs.create(f"{name}/a")
    zfs.create(f"{name}/a/m")
    (mnt / "a" / "m" / "f").write_text("payload")
    zfs.snapshot(f"{name}/a", "1", recursive=True)
    with (
        zfs.send(f"{name}/a@1") as src,
        zfs.receive(f"{name}/b", unmounted=unmounted, props={":pot.tag": "t1"}) as dst,
    ):
        shutil.copyfileobj(src, dst)
    assert everything(name) == names(name, "", "/a", "/a@1", "/a/m", "/a/m@1") + names(
        name, "/b", "/b@1", "/b/m", "/b/m@1"
    )
    tree = zfs.list_tree(name)
    assert tree[f"{name}/b"].props[":pot.tag"] == "t1"
    assert [tree[f"{name}/b"].mounted, tree[f"{name}/b/m"].mounted] == [not unmounted] * 2
    if unmounted:
        zfs.mount(f"{name}/b")
        zfs.mount(f"{name}/b/m")
    assert (mnt / "b" / "m" / "f").read_text() == "payload"


@pytest.mark.parametrize(
    "caps",
    [
        # zfs-fuse accepts -u although its usage text does not show it
        Caps(receive_u=True, receive_o=False, list_p=False),
        Caps(receive_u=False, receive_o=False, list_p=False),
    ],
    ids=["receive-u", "fallback"],
)
def test_send_receive_round_trip_unmounted(
    root: tuple[str, Path], caps: Caps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zfs, "capabilities", lambda: caps)
    _round_trip(*root, unmounted=True)


def test_send_receive_round_trip_mounted(root: tuple[str, Path]) -> None:
    _round_trip(*root, unmounted=False)


def test_receive_of_a_broken_stream_fails(root: tuple[str, Path]) -> None:
    name, _ = root
    with pytest.raises(CommandFailed), zfs.receive(f"{name}/b") as dst:
        dst.write(b"not a zfs stream")
    assert everything(name) == names(name, "")


def test_capabilities_of_zfs_fuse() -> None:
    zfs.forget_capabilities()
    assert zfs.capabilities() == Caps(receive_u=False, receive_o=False, list_p=False, lz4=False)
