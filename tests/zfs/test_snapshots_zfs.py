"""snapshot (snap), revert (rollback) and purge-snapshots on real ZFS, through the CLI."""

from __future__ import annotations

import time

import pytest
from potcli import PotCli

from pot.cli.helptext import HELP
from pot.errors import PotError
from pot.ops import snapshots
from pot.ops.snapshots import Kind, Target

pytestmark = pytest.mark.zfs

ROOT_ERROR = "###>   This operation needs 'root' privilegies\n"


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    pot_cli.single("web")
    return pot_cli


def _take(e: PotCli, pot: str, at: float, *, replace: bool = False) -> str:
    snap = snapshots.take(e.settings, Target(Kind.POT, pot), replace=replace, now=lambda: at)
    return snap.name


# --------------------------------------------------------------------------- snapshot


def test_snapshot_is_recursive_and_named_after_the_epoch_second(env: PotCli) -> None:
    before = int(time.time())
    assert env.run("snapshot", "-p", "web") == (0, "", "")
    after = int(time.time())
    snaps = env.tree("jails/web")
    assert len(snaps) == 4
    stamp = snaps[1].split("@")[1]
    assert before <= int(stamp) <= after
    assert snaps == [
        "jails/web",
        f"jails/web@{stamp}",
        "jails/web/m",
        f"jails/web/m@{stamp}",
    ]


def test_snap_is_an_alias_and_the_clock_is_a_parameter(env: PotCli) -> None:
    assert _take(env, "web", 1569922467.9) == "1569922467"
    assert env.run("snap", "-p", "web", "-v")[0] == 0
    assert env.tree("jails/web")[:2] == ["jails/web", "jails/web@1569922467"]


def test_replace_destroys_the_oldest_after_taking_the_new_one(env: PotCli) -> None:
    _take(env, "web", 1000000001)
    _take(env, "web", 1000000002)
    assert _take(env, "web", 1000000003, replace=True) == "1000000003"
    assert env.tree("jails/web") == [
        "jails/web",
        "jails/web@1000000002",
        "jails/web@1000000003",
        "jails/web/m",
        "jails/web/m@1000000002",
        "jails/web/m@1000000003",
    ]


def test_replace_without_snapshots_only_takes_one(env: PotCli) -> None:
    _take(env, "web", 1000000001, replace=True)
    assert env.tree("jails/web") == [
        "jails/web",
        "jails/web@1000000001",
        "jails/web/m",
        "jails/web/m@1000000001",
    ]


def test_a_second_snapshot_in_the_same_second_is_reported(env: PotCli) -> None:
    _take(env, "web", 1000000001)
    with pytest.raises(PotError) as failed:
        _take(env, "web", 1000000001, replace=True)
    assert failed.value.lines == (
        "Snapshot of web failed: cannot create snapshot"
        f" '{env.zfs_root}/jails/web@1000000001': dataset already exists",
    )
    # replace never destroyed the old one: the new snapshot had failed first
    assert "jails/web@1000000001" in env.tree("jails/web")


def test_snapshot_of_a_running_pot_is_refused(env: PotCli) -> None:
    env.start("web")
    assert env.run("snapshot", "-p", "web") == (
        1,
        "###>  The pot web is still running. Snapshot is possible only for stopped pots\n",
        "",
    )
    assert env.tree("jails/web") == ["jails/web", "jails/web/m"]


def test_snapshot_of_an_fscomp_is_not_recursive(env: PotCli) -> None:
    env.fscomp("data")
    env.zfs("create", f"{env.zfs_root}/fscomp/data/sub")
    assert env.run("snapshot", "-f", "data") == (0, "", "")
    names = env.tree("fscomp/data")
    assert len(names) == 3
    assert names[0] == "fscomp/data"
    assert names[1].startswith("fscomp/data@")
    assert names[2] == "fscomp/data/sub"


def test_an_fscomp_must_be_mounted_where_pot_expects_it(env: PotCli) -> None:
    env.zfs("create", "-o", f"mountpoint={env.fs_root}/elsewhere", f"{env.zfs_root}/fscomp/odd")
    assert env.run("snapshot", "-f", "odd") == (
        1,
        "###>  odd is not a valid fscomp\n" + HELP["snapshot"],
        "",
    )
    assert env.run("snapshot", "-f", "missing")[1] == (
        "###>  missing is not a valid fscomp\n" + HELP["snapshot"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "one of -p|-f has to be used"),
        (("-p", "web", "-f", "data"), "-p|-f are exclusive"),
        (("-p", "web", "-p", "web"), "-p|-f are exclusive"),
        (("-p", ""), "-p|-f options need an argument"),
    ],
)
@pytest.mark.parametrize("command", ["snapshot", "revert", "purge-snapshots"])
def test_option_errors(env: PotCli, command: str, args: tuple[str, ...], message: str) -> None:
    assert env.run(command, *args) == (1, f"###>  {message}\n" + HELP[command], "")


@pytest.mark.parametrize("command", ["snapshot", "revert", "purge-snapshots"])
def test_not_a_pot(env: PotCli, command: str) -> None:
    assert env.run(command, "-p", "nope") == (
        1,
        "###>   Pot nope not found\n###>  nope is not a pot!\n" + HELP[command],
        "",
    )


def test_root_is_checked_after_the_pot(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("snapshot", "-p", "web") == (1, ROOT_ERROR, "")
    assert env.run("revert", "-p", "web") == (1, ROOT_ERROR, "")
    assert env.run("snapshot", "-p", "nope")[1].startswith("###>   Pot nope not found\n")
    assert env.tree("jails/web") == ["jails/web", "jails/web/m"]


# --------------------------------------------------------------------------- revert


def test_revert_restores_every_dataset_from_its_latest_snapshot(env: PotCli) -> None:
    m = env.fs_root / "jails" / "web" / "m"
    (m / "etc" / "motd").write_text("first\n")
    _take(env, "web", 1000000001)
    (m / "etc" / "motd").write_text("second\n")
    _take(env, "web", 1000000002)
    (m / "etc" / "motd").write_text("changed\n")
    (m / "etc" / "new").write_text("new\n")
    conf_before = (env.fs_root / "jails" / "web" / "conf" / "pot.conf").read_text()
    (env.fs_root / "jails" / "web" / "conf" / "pot.conf").write_text("broken\n")

    code, _, err = env.run("rollback", "-vv", "-p", "web")

    assert code == 0
    rollbacks = [line for line in err.splitlines() if "CMD > zfs rollback" in line]
    assert rollbacks == [
        f"=====>  CMD > zfs rollback {env.zfs_root}/jails/web/m@1000000002",
        f"=====>  CMD > zfs rollback {env.zfs_root}/jails/web@1000000002",
    ]
    assert (m / "etc" / "motd").read_text() == "second\n"
    assert not (m / "etc" / "new").exists()
    assert (env.fs_root / "jails" / "web" / "conf" / "pot.conf").read_text() == conf_before


def test_revert_skips_datasets_without_snapshot(env: PotCli) -> None:
    _take(env, "web", 1000000001)
    env.zfs("create", f"{env.zfs_root}/jails/web/extra")
    assert env.run("revert", "-p", "web") == (
        0,
        f"===>  {env.zfs_root}/jails/web/extra has not snapshot - no possible rollback\n",
        "",
    )


def test_revert_of_a_running_pot_is_refused(env: PotCli) -> None:
    env.start("web")
    assert env.run("revert", "-p", "web") == (
        1,
        "###>  The pot web is still running. Revert is possible only for stopped pots\n",
        "",
    )


def test_revert_of_an_fscomp(env: PotCli) -> None:
    env.fscomp("data")
    folder = env.fs_root / "fscomp" / "data"
    (folder / "f").write_text("old\n")
    env.snap("fscomp/data", "1000000001", recursive=False)
    (folder / "f").write_text("new\n")
    assert env.run("revert", "-f", "data") == (0, "", "")
    assert (folder / "f").read_text() == "old\n"


# --------------------------------------------------------------------------- purge


def test_purge_keeps_the_latest_snapshot(env: PotCli) -> None:
    for stamp in ("1000000003", "1000000001", "1000000002"):
        env.snap("jails/web", stamp)
    assert env.run("purge-snapshots", "-p", "web") == (0, "", "")
    assert env.tree("jails/web") == [
        "jails/web",
        "jails/web@1000000003",
        "jails/web/m",
        "jails/web/m@1000000003",
    ]


def test_purge_all_and_needs_neither_root_nor_a_stopped_pot(
    env: PotCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for stamp in ("1000000001", "1000000002"):
        env.snap("jails/web", stamp)
    env.start("web")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("purge-snapshots", "-a", "-p", "web") == (0, "", "")
    assert env.tree("jails/web") == ["jails/web", "jails/web/m"]


def test_purge_of_an_fscomp_needs_root(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    env.fscomp("data")
    for stamp in ("1000000001", "1000000002"):
        env.snap("fscomp/data", stamp, recursive=False)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("purge-snapshots", "-f", "data") == (1, ROOT_ERROR, "")
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert env.run("purge-snapshots", "-f", "data") == (0, "", "")
    assert env.tree("fscomp/data") == ["fscomp/data", "fscomp/data@1000000002"]
