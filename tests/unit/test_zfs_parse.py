"""pot.zfs without ZFS: parsers fed recorded -H text, and the argv every function builds."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import IO

import pytest

from pot import proc, zfs
from pot.errors import CommandFailed
from pot.zfs import Caps, Dataset

TREE = (
    "zroot/pot\t/opt/pot\tno\t-\t-\t-\n"
    "zroot/pot/jails\t/opt/pot/jails\tyes\t-\t-\t-\n"
    "zroot/pot/jails/web\t/opt/pot/jails/web\tyes\tzroot/pot/jails/base@1\t1.0\t1700000000\n"
)

# zfs-fuse 0.7: `zfs receive` without arguments, `zfs list -?`
FUSE_RECEIVE = (
    "missing snapshot argument\n"
    "usage:\n"
    "\treceive [-vnF] <filesystem|volume|snapshot>\n"
    "\treceive [-vnF] -d <filesystem>\n"
    "\n"
    "For the property list, run: zfs set|get\n"
)
FUSE_LIST = (
    "invalid option '?'\n"
    "usage:\n"
    "\tlist [-rH][-d max] [-o property[,...]] [-t type[,...]] [-s property] ...\n"
    "\t    [-S property] ... [filesystem|volume|snapshot] ...\n"
    "\n"
    "The following properties are supported:\n"
    "\n"
    "\tPROPERTY       EDIT  INHERIT   VALUES\n"
    "\n"
    "\tcompression     YES      YES   on | off | lzjb | gzip | gzip-[1-9] | zle\n"
    "\tmountpoint      YES      YES   <path> | legacy | none\n"
)
# OpenZFS on FreeBSD 14
BSD_RECEIVE = (
    "missing snapshot argument\n"
    "usage:\n"
    "\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ...\n"
    "\t    <filesystem|volume|snapshot>\n"
    "\treceive [-vMnsFhu] [-o <property>=<value>] ... [-x <property>] ... \n"
    "\t    [-d | -e] <filesystem>\n"
    "\treceive -A <filesystem|volume>\n"
)
BSD_LIST = (
    "invalid option '?'\n"
    "usage:\n"
    "\tlist [-Hp] [-r|-d max] [-o property[,...]] [-s property]...\n"
    "\t    [-S property]... [-t type[,...]] [filesystem|volume|snapshot] ...\n"
    "\n"
    "The following properties are supported:\n"
    "\n"
    "\tPROPERTY       EDIT  INHERIT   VALUES\n"
    "\n"
    "\tcompression     YES      YES   on | off | lzjb | gzip | gzip-[1-9] | zle | lz4 | "
    "zstd | zstd-[1-19] | zstd-fast | zstd-fast-[1-10,20,30,40,50,60,70,80,90,100,500,1000]\n"
)


@dataclass
class Recorder:
    """Stands in for proc.run: records argv, answers from a queue (default: success, "")."""

    calls: list[list[str]] = field(default_factory=list)
    answers: list[proc.Result] = field(default_factory=list)

    def answer(self, stdout: str = "", *, rc: int = 0, stderr: str = "") -> None:
        self.answers.append(proc.Result((), rc, stdout, stderr))

    def run(self, argv: Sequence[str], *, check: bool = True, **_: object) -> proc.Result:
        self.calls.append(list(argv))
        r = self.answers.pop(0) if self.answers else proc.Result((), 0, "", "")
        if check and r.returncode != 0:
            raise CommandFailed(argv, r.returncode, r.stderr)
        return proc.Result(tuple(argv), r.returncode, r.stdout, r.stderr)


@pytest.fixture
def rec(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(proc, "run", recorder.run)
    monkeypatch.setattr(zfs, "BUSY_PAUSES", (0.0,))
    return recorder


# --------------------------------------------------------------------------- parsers


def test_parse_tree_maps_dashes_to_empty_and_mounted_to_bool() -> None:
    tree = zfs.parse_tree(TREE)
    assert list(tree) == ["zroot/pot", "zroot/pot/jails", "zroot/pot/jails/web"]
    assert tree["zroot/pot"] == Dataset(
        "zroot/pot", "/opt/pot", False, "", MappingProxyType({":pot.tag": "", ":pot.snap": ""})
    )
    web = tree["zroot/pot/jails/web"]
    assert web.mounted is True
    assert web.origin == "zroot/pot/jails/base@1"
    assert dict(web.props) == {":pot.tag": "1.0", ":pot.snap": "1700000000"}


def test_parse_tree_without_user_props() -> None:
    tree = zfs.parse_tree("p/a\t/mnt/a\tyes\t-\n", ())
    assert tree == {"p/a": Dataset("p/a", "/mnt/a", True, "", MappingProxyType({}))}


def test_parse_tree_refuses_a_short_row() -> None:
    with pytest.raises(ValueError, match="6 columns expected"):
        zfs.parse_tree("p/a\t/mnt/a\tyes\t-\n")


def test_parse_caps_zfs_fuse() -> None:
    assert zfs.parse_caps(FUSE_RECEIVE, FUSE_LIST) == Caps(False, False, False, lz4=False)


def test_parse_caps_freebsd() -> None:
    assert zfs.parse_caps(BSD_RECEIVE, BSD_LIST) == Caps(True, True, True, lz4=True)


def test_property_values() -> None:
    assert zfs.property_values(FUSE_LIST, "compression") == frozenset(
        {"on", "off", "lzjb", "gzip", "gzip-[1-9]", "zle"}
    )
    assert zfs.property_values(FUSE_LIST, "mountpoint") == frozenset({"<path>", "legacy", "none"})
    assert zfs.property_values(FUSE_LIST, "nonsense") == frozenset()


def test_usage_flags_reads_continuation_lines_only_of_the_subcommand() -> None:
    assert zfs.usage_flags(FUSE_LIST, "list") == frozenset("rHdotsS")
    assert zfs.usage_flags(FUSE_RECEIVE, "receive") == frozenset("vnFd")
    assert zfs.usage_flags(BSD_RECEIVE, "list") == frozenset()


def test_pool_of() -> None:
    assert zfs.pool_of("zroot/pot/jails/a") == "zroot"
    assert zfs.pool_of("zroot@snap") == "zroot"
    assert zfs.pool_of("tank") == "tank"


# --------------------------------------------------------------------------- reads


def test_list_tree_is_one_call(rec: Recorder) -> None:
    rec.answer(TREE)
    tree = zfs.list_tree("zroot/pot")
    assert rec.calls == [
        [
            "zfs",
            "list",
            "-H",
            "-o",
            "name,mountpoint,mounted,origin,:pot.tag,:pot.snap",
            "-r",
            "-t",
            "filesystem",
            "zroot/pot",
        ]
    ]
    assert len(tree) == 3


def test_list_tree_of_missing_root_is_empty(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot open 'zroot/pot': dataset does not exist\n")
    assert zfs.list_tree("zroot/pot", user_props=()) == {}
    assert rec.calls[0][4] == "name,mountpoint,mounted,origin"


def test_list_tree_other_failure_raises(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="internal error: out of memory\n")
    with pytest.raises(CommandFailed, match="out of memory"):
        zfs.list_tree("zroot/pot")


def test_dataset(rec: Recorder) -> None:
    rec.answer("p/a\t/mnt/a\tno\t-\n")
    assert zfs.dataset("p/a", user_props=()) == Dataset("p/a", "/mnt/a", False, "", {})
    assert rec.calls == [
        ["zfs", "list", "-H", "-o", "name,mountpoint,mounted,origin", "-t", "filesystem", "p/a"]
    ]
    rec.answer(rc=1, stderr="cannot open 'p/b': dataset does not exist\n")
    assert zfs.dataset("p/b") is None


def test_exists(rec: Recorder) -> None:
    rec.answer("p/a\n")
    rec.answer(rc=1, stderr="cannot open 'p/b': dataset does not exist\n")
    assert zfs.exists("p/a") is True
    assert zfs.exists("p/b") is False
    assert zfs.exists("") is False
    assert rec.calls == [
        ["zfs", "list", "-H", "-o", "name", "-t", "all", "p/a"],
        ["zfs", "list", "-H", "-o", "name", "-t", "all", "p/b"],
    ]


def test_children_drops_the_parent(rec: Recorder) -> None:
    rec.answer("p/fscomp\np/fscomp/a\np/fscomp/b\n")
    assert zfs.children("p/fscomp") == ["p/fscomp/a", "p/fscomp/b"]
    assert rec.calls == [
        ["zfs", "list", "-H", "-o", "name", "-d", "1", "-t", "filesystem", "p/fscomp"]
    ]


def test_get_and_used(rec: Recorder) -> None:
    rec.answer("-\n")
    rec.answer("1.5M\n")
    assert zfs.get("p/a", "origin") == ""
    assert zfs.used("p/a") == "1.5M"
    assert rec.calls == [
        ["zfs", "get", "-H", "-o", "value", "origin", "p/a"],
        ["zfs", "get", "-H", "-o", "value", "used", "p/a"],
    ]


def test_snapshots(rec: Recorder) -> None:
    rec.answer("p/a@1\np/a@2\n")
    assert zfs.snapshots("p/a") == ["p/a@1", "p/a@2"]
    zfs.snapshots("p/a", recursive=True)
    head = ["zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-s", "creation"]
    assert rec.calls == [[*head, "-d", "1", "p/a"], [*head, "-r", "p/a"]]


def test_snapshot_tree(rec: Recorder) -> None:
    rec.answer("p/j/a@1\np/j/a/m@1\n")
    rec.answer(rc=1, stderr="cannot open 'p/x': dataset does not exist\n")
    assert zfs.snapshot_tree("p/j") == ["p/j/a@1", "p/j/a/m@1"]
    assert zfs.snapshot_tree("p/x") == []
    assert rec.calls[0] == ["zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", "p/j"]


# --------------------------------------------------------------------------- changes


def test_change_argv(rec: Recorder) -> None:
    zfs.set_prop("p/a", ":pot.tag", "1.0")
    zfs.inherit("p/a", ":pot.tag")
    zfs.create("p/a")
    zfs.create("p/b/c", props={"mountpoint": "/x", "compression": "off"}, parents=True)
    zfs.snapshot("p/a", "123")
    zfs.snapshot("p/a", "124", recursive=True)
    zfs.clone("p/a@1", "p/b", props={"mountpoint": "/y"})
    zfs.clone("p/a@1", "p/c")
    zfs.rollback("p/a@1")
    zfs.rollback("p/a@1", recursive=True)
    zfs.destroy("p/a")
    zfs.destroy("p/a", recursive=True, force=True)
    zfs.rename("p/a", "p/b")
    zfs.mount("p/a")
    zfs.unmount("p/a")
    zfs.unmount("p/a", force=True)
    assert rec.calls == [
        ["zfs", "set", ":pot.tag=1.0", "p/a"],
        ["zfs", "inherit", ":pot.tag", "p/a"],
        ["zfs", "create", "p/a"],
        ["zfs", "create", "-p", "-o", "mountpoint=/x", "-o", "compression=off", "p/b/c"],
        ["zfs", "snapshot", "p/a@123"],
        ["zfs", "snapshot", "-r", "p/a@124"],
        ["zfs", "clone", "-o", "mountpoint=/y", "p/a@1", "p/b"],
        ["zfs", "clone", "p/a@1", "p/c"],
        ["zfs", "rollback", "p/a@1"],
        ["zfs", "rollback", "-r", "p/a@1"],
        ["zfs", "destroy", "p/a"],
        ["zfs", "destroy", "-r", "-f", "p/a"],
        ["zfs", "rename", "p/a", "p/b"],
        ["zfs", "mount", "p/a"],
        ["zfs", "unmount", "p/a"],
        ["zfs", "unmount", "-f", "p/a"],
    ]


def test_destroy_retries_once_when_busy_after_an_unmount(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot destroy 'p/a': dataset is busy\n")
    zfs.destroy("p/a", recursive=True)
    assert rec.calls == [
        ["zfs", "destroy", "-r", "p/a"],
        ["zfs", "unmount", "p/a"],
        ["zfs", "destroy", "-r", "p/a"],
    ]


def test_destroy_retries_while_busy_as_often_as_there_are_pauses(
    rec: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zfs, "BUSY_PAUSES", (0.0, 0.0))
    for _ in range(2):
        rec.answer(rc=1, stderr="cannot destroy 'p/a@1': dataset is busy\n")
    zfs.destroy("p/a@1")
    assert rec.calls == [["zfs", "destroy", "p/a@1"]] * 3


def test_retry_after_an_unmount_comes_without_a_pause(
    rec: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    monkeypatch.setattr(zfs, "BUSY_PAUSES", (0.25, 0.5))
    rec.answer(rc=1, stderr="cannot destroy 'p/a': dataset is busy\n")
    zfs.destroy("p/a")
    assert pauses == []
    rec.answer(rc=1, stderr="cannot rename 'p/a': dataset is busy\n")
    rec.answer("p/a\t/m/a\tyes\t-\n")  # the list of what was mounted
    rec.answer()  # unmount
    rec.answer(rc=1, stderr="cannot rename 'p/a': dataset is busy\n")
    zfs.rename("p/a", "p/b")
    assert pauses == [0.25]
    assert rec.calls[-3:] == [
        ["zfs", "rename", "p/a", "p/b"],
        ["zfs", "rename", "p/a", "p/b"],
        ["zfs", "mount", "p/b"],
    ]


def test_destroy_of_a_busy_snapshot_retries_without_unmount(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot destroy 'p/a@1': dataset is busy\n")
    zfs.destroy("p/a@1")
    assert rec.calls == [["zfs", "destroy", "p/a@1"]] * 2


def test_rename_when_busy_unmounts_renames_and_mounts_again(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot rename 'p/a': dataset is busy\n")
    rec.answer("p/a\t/m/a\tyes\t-\np/a/m\t/m/a/m\tyes\t-\np/a/x\t/m/a/x\tno\t-\n")
    zfs.rename("p/a", "p/b")
    assert rec.calls == [
        ["zfs", "rename", "p/a", "p/b"],
        [
            "zfs",
            "list",
            "-H",
            "-o",
            "name,mountpoint,mounted,origin",
            "-r",
            "-t",
            "filesystem",
            "p/a",
        ],
        ["zfs", "unmount", "p/a"],
        ["zfs", "rename", "p/a", "p/b"],
        ["zfs", "mount", "p/b"],
        ["zfs", "mount", "p/b/m"],
    ]


def test_rename_of_a_busy_snapshot_fails(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot rename 'p/a@1': dataset is busy\n")
    with pytest.raises(CommandFailed):
        zfs.rename("p/a@1", "p/a@2")
    assert len(rec.calls) == 1


def test_destroy_gives_up_after_the_retries(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot destroy 'p/a': dataset is busy\n")
    rec.answer(rc=1, stderr="cannot unmount 'p/a': not currently mounted\n")
    rec.answer(rc=1, stderr="cannot destroy 'p/a': dataset is busy\n")  # at once
    rec.answer(rc=1, stderr="cannot destroy 'p/a': dataset is busy\n")  # after the pause
    with pytest.raises(CommandFailed, match="dataset is busy"):
        zfs.destroy("p/a")
    assert len(rec.calls) == 4


def test_destroy_does_not_retry_other_failures(rec: Recorder) -> None:
    rec.answer(rc=1, stderr="cannot destroy 'p/a': filesystem has children\n")
    with pytest.raises(CommandFailed, match="filesystem has children"):
        zfs.destroy("p/a")
    assert len(rec.calls) == 1


# --------------------------------------------------------------------------- streams

FULL = Caps(receive_u=True, receive_o=True, list_p=True)
BARE = Caps(receive_u=False, receive_o=False, list_p=False)


def test_send_argv() -> None:
    assert zfs.send_argv("p/a@1") == ["zfs", "send", "-R", "p/a@1"]
    assert zfs.send_argv("p/a@1", replicate=False) == ["zfs", "send", "p/a@1"]


def test_receive_argv_by_capability() -> None:
    props = {":pot.tag": "1", "mountpoint": "/x"}
    assert zfs.receive_argv("p/b", FULL, unmounted=True, props=props) == [
        "zfs",
        "receive",
        "-u",
        "-o",
        ":pot.tag=1",
        "-o",
        "mountpoint=/x",
        "p/b",
    ]
    assert zfs.receive_argv("p/b", BARE, unmounted=True, props=props) == ["zfs", "receive", "p/b"]
    assert zfs.receive_argv("p/b", FULL, unmounted=False, props={}) == ["zfs", "receive", "p/b"]


@pytest.fixture
def writing(monkeypatch: pytest.MonkeyPatch, rec: Recorder) -> list[tuple[list[str], bytes]]:
    fed: list[tuple[list[str], bytes]] = []

    @contextlib.contextmanager
    def fake(argv: Sequence[str], **_: object) -> Iterator[IO[bytes]]:
        buf = io.BytesIO()
        yield buf
        fed.append((list(argv), buf.getvalue()))
        rec.calls.append(["<stream closed>"])

    monkeypatch.setattr(proc, "writing", fake)
    return fed


def test_receive_with_full_caps_is_one_command(
    monkeypatch: pytest.MonkeyPatch, rec: Recorder, writing: list[tuple[list[str], bytes]]
) -> None:
    monkeypatch.setattr(zfs, "capabilities", lambda: FULL)
    with zfs.receive("p/b", unmounted=True, props={":pot.tag": "1"}) as stream:
        stream.write(b"data")
    assert writing == [(["zfs", "receive", "-u", "-o", ":pot.tag=1", "p/b"], b"data")]
    assert rec.calls == [["<stream closed>"]]


def test_receive_fallback_sets_props_and_unmounts_after_the_stream(
    monkeypatch: pytest.MonkeyPatch, rec: Recorder, writing: list[tuple[list[str], bytes]]
) -> None:
    monkeypatch.setattr(zfs, "capabilities", lambda: BARE)
    with zfs.receive("p/b", unmounted=True, props={":pot.tag": "1", ":pot.snap": "2"}) as s:
        s.write(b"data")
    assert writing == [(["zfs", "receive", "p/b"], b"data")]
    assert rec.calls == [
        ["<stream closed>"],
        ["zfs", "set", ":pot.tag=1", "p/b"],
        ["zfs", "set", ":pot.snap=2", "p/b"],
        ["zfs", "unmount", "p/b"],
    ]


def test_receive_fallback_changes_nothing_when_the_body_fails(
    monkeypatch: pytest.MonkeyPatch, rec: Recorder, writing: list[tuple[list[str], bytes]]
) -> None:
    monkeypatch.setattr(zfs, "capabilities", lambda: BARE)
    with pytest.raises(RuntimeError), zfs.receive("p/b", unmounted=True, props={"a:b": "1"}):
        raise RuntimeError("cut")
    assert rec.calls == []
    assert writing == []


def test_capabilities_probe_runs_once(monkeypatch: pytest.MonkeyPatch, rec: Recorder) -> None:
    zfs.forget_capabilities()
    try:
        rec.answer(rc=2, stderr=BSD_RECEIVE)
        rec.answer(rc=2, stderr=BSD_LIST)
        assert zfs.capabilities() == FULL
        assert zfs.capabilities() == FULL
        assert rec.calls == [["zfs", "receive"], ["zfs", "list", "-?"]]
    finally:
        zfs.forget_capabilities()
