"""SIGKILL at known steps of create, clone, import, export, snapshot, revert and destroy
(rename: test_rename_zfs.py): the rerun of the same command, or destroy, succeeds with
no manual zfs command, and ``ls``/``info``/``start`` never take a half-made pot for good.

The kill is deterministic: a wrapper of zfs (or tar) first on PATH blocks the chosen
call, and the whole ``pot`` process group is killed once it is reached (tests/killer.py).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import killer
import pytest
from basebuild import Mirror
from potcli import PotCli

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.zfs

SNAP = "1700000000"


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    folder = pot_cli.single("web")
    (folder / "m" / "etc" / "motd").write_text("hello\n")
    pot_cli.snap("jails/web", SNAP)
    return pot_cli


def _wrap(tmp_path: Path, pattern: str, tool: str = "zfs") -> killer.Block:
    return killer.blocking(tmp_path / "wrap", tool, pattern)


def _destroy_busy(dataset: str) -> None:
    """``zfs destroy -r -f``, again while zfs-fuse still says the dataset is busy."""
    for _ in range(10):
        argv = ["zfs", "destroy", "-r", "-f", dataset]
        r = subprocess.run(argv, check=False, capture_output=True, text=True)
        if r.returncode == 0:
            return
        time.sleep(1)
    raise AssertionError(r.stderr)


def _unfinished_is_no_pot(env: PotCli, pot: str) -> None:
    """``ls`` leaves it out; info and start refuse it."""
    assert pot not in env.run("ls", "-q")[1].splitlines()
    code, out, _ = env.run("info", "-p", pot)
    assert code == 1 and out.startswith(f"###>  NO {pot} is not a pot\n"), out
    code, out, _ = env.run("start", pot)
    assert code == 1 and f"The pot {pot} is incomplete" in out, out


# --------------------------------------------------------------------------- clone


@pytest.mark.parametrize("pattern", ["clone *", "inherit *"])
def test_clone_killed_then_run_again(env: PotCli, tmp_path: Path, pattern: str) -> None:
    killer.kill_at(_wrap(tmp_path, pattern), "clone", "-p", "copy", "-P", "web")
    _unfinished_is_no_pot(env, "copy")
    assert env.run("clone", "-p", "copy", "-P", "web")[0] == 0
    assert env.run("ls", "-q") == (0, "copy\nweb\n", "")
    assert env.run("info", "-p", "copy")[0] == 0
    assert (
        env.zfs("get", "-H", "-o", "value", ":pot.incomplete", f"{env.zfs_root}/jails/copy")
        == "-\n"
    )


def test_clone_killed_then_destroyed(env: PotCli, tmp_path: Path) -> None:
    killer.kill_at(_wrap(tmp_path, "clone *"), "clone", "-p", "copy", "-P", "web")
    assert env.run("destroy", "-p", "copy")[0] == 0
    assert env.tree("jails") == [
        "jails",
        "jails/web",
        f"jails/web@{SNAP}",
        "jails/web/m",
        f"jails/web/m@{SNAP}",
    ]
    assert sorted(os.listdir(env.fs_root / "jails")) == ["web"]


# --------------------------------------------------------------------------- export, import


def test_export_killed_leaves_parts_the_next_export_removes(env: PotCli, tmp_path: Path) -> None:
    out = tmp_path / "images"
    out.mkdir()
    killer.kill_at(_wrap(tmp_path, "send *"), "export", "-p", "web", "-t", "1.0", "-D", str(out))
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] != []
    (out / ".other_1.0.xz.0123abcd.part").write_text("not ours\n")
    assert env.run("export", "-p", "web", "-t", "1.0", "-D", str(out))[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".other_1.0.xz.0123abcd.part",
        "web_1.0.xz",
        "web_1.0.xz.meta",
        "web_1.0.xz.skein",
    ]


@pytest.mark.parametrize("pattern", ["receive *", "rename *"])
def test_import_killed_then_run_again(env: PotCli, tmp_path: Path, pattern: str) -> None:
    out = tmp_path / "images"
    out.mkdir()
    assert env.run("export", "-p", "web", "-t", "1.0", "-D", str(out))[0] == 0
    url = out.as_uri()
    killer.kill_at(_wrap(tmp_path, pattern), "import", "-p", "web", "-t", "1.0", "-U", url)
    assert env.run("ls", "-q") == (0, "web\n", "")
    assert env.run("import", "-p", "web", "-t", "1.0", "-U", url)[0] == 0
    assert env.run("ls", "-q") == (0, "web\nweb_1_0\n", "")
    assert [n for n in env.tree("jails") if ".import" in n] == []


# ------------------------------------------------------- snapshot, revert, destroy


def test_snapshot_killed_then_run_again(env: PotCli, tmp_path: Path) -> None:
    killer.kill_at(_wrap(tmp_path, "snapshot *"), "snapshot", "-p", "web")
    assert env.run("snapshot", "-p", "web") == (0, "", "")
    assert len([n for n in env.tree("jails/web") if "@" in n]) == 4


def test_revert_killed_half_way_then_run_again(env: PotCli, tmp_path: Path) -> None:
    motd = env.fs_root / "jails" / "web" / "m" / "etc" / "motd"
    motd.write_text("changed\n")
    (env.fs_root / "jails" / "web" / "conf" / "extra").write_text("x\n")
    # the root (deepest first) is rolled back, the pot's own dataset not yet
    killer.kill_at(_wrap(tmp_path, f"rollback *jails/web@{SNAP}"), "revert", "-p", "web")
    assert motd.read_text() == "hello\n"
    assert env.run("revert", "-p", "web") == (0, "", "")
    assert not (env.fs_root / "jails" / "web" / "conf" / "extra").exists()
    assert env.run("info", "-p", "web")[0] == 0


def test_destroy_killed_then_run_again(env: PotCli, tmp_path: Path) -> None:
    killer.kill_at(_wrap(tmp_path, "destroy *"), "destroy", "-p", "web")
    _unfinished_is_no_pot(env, "web")
    # as if zfs had destroyed part of the tree when it was killed
    _destroy_busy(f"{env.zfs_root}/jails/web/m")
    assert env.run("destroy", "-p", "web")[0] == 0
    assert env.tree("jails") == ["jails"]
    assert os.listdir(env.fs_root / "jails") == []


# --------------------------------------------------------------------------- create


@pytest.fixture
def release_env(pot_cli: PotCli, freebsd_mirror: Mirror) -> PotCli:
    pot_cli.pot_env.write_conf(**freebsd_mirror.conf())
    return pot_cli


CREATE = ("create", "-p", "test", "-b", "14.1", "-t", "single")


@pytest.mark.parametrize(
    ("tool", "pattern"), [("zfs", "create *jails/test/m"), ("tar", "*"), ("zfs", "inherit *")]
)
def test_create_killed_then_run_again(
    release_env: PotCli, tmp_path: Path, tool: str, pattern: str
) -> None:
    env = release_env
    killer.kill_at(_wrap(tmp_path, pattern, tool), *CREATE)
    _unfinished_is_no_pot(env, "test")
    code, out, _ = env.run(*CREATE)
    assert code == 0, out
    assert "already exists" not in out
    assert env.run("ls", "-q") == (0, "test\n", "")
    assert env.run("info", "-p", "test")[0] == 0
    assert env.tree("jails") == ["jails", "jails/test", "jails/test/m"]


def test_create_killed_then_destroyed(release_env: PotCli, tmp_path: Path) -> None:
    env = release_env
    killer.kill_at(_wrap(tmp_path, "*", "tar"), *CREATE)
    assert env.run("destroy", "-p", "test")[0] == 0
    assert env.tree("jails") == ["jails"]
    assert os.listdir(env.fs_root / "jails") == []
