"""rename on real ZFS: create's name rule, ZFS's length limit, the journal that restores
the old pot on a failure, the run that finishes a rename killed half way, and the legacy
syslog snippets upstream's rename moves."""

from __future__ import annotations

import socket
from pathlib import Path

import killer
import pytest
from potcli import PotCli

from pot import zfs
from pot.errors import CommandFailed
from pot.ops import rename
from pot.ops.create import name_limit

pytestmark = pytest.mark.zfs

_BAD = (
    "###>  '{}' is not a valid name for a pot (it cannot start with '-' nor contain"
    " '/', '@', '#', '%', ':', blanks, quotes, '\\', '$' or '`')\n"
)


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    pot_cli.with_child("old", "child")
    return pot_cli


def _state(env: PotCli) -> tuple[list[str], list[str], dict[str, bytes]]:
    """Datasets, their mountpoints and mount state, and every pot's conf files."""
    mounts = env.zfs(
        "list", "-H", "-o", "name,mountpoint,mounted", "-r", f"{env.zfs_root}/jails"
    ).splitlines()
    files = {
        str(p.relative_to(env.fs_root)): p.read_bytes()
        for p in sorted((env.fs_root / "jails").glob("*/conf/*"))
    }
    return env.tree("jails"), mounts, files


def _renamed(env: PotCli) -> None:
    z, fs = env.zfs_root, env.fs_root
    assert env.tree("jails") == [
        "jails",
        "jails/child",
        "jails/child/m",
        "jails/new",
        "jails/new/m",
    ]
    mounts = env.zfs("list", "-H", "-o", "name,mountpoint,mounted", "-r", f"{z}/jails/new")
    assert mounts.splitlines() == [
        f"{z}/jails/new\t{fs}/jails/new\tyes",
        f"{z}/jails/new/m\t{fs}/jails/new/m\tyes",
    ]
    assert zfs.get(f"{z}/jails/new", ":pot.renaming") == ""
    assert f'host.hostname="new.{socket.gethostname()}"' in env.conf("new").lines
    assert "pot.potbase=new" in env.conf("child").lines
    assert "pot.depend=new" in env.conf("child").lines
    assert env.run("ls", "-q") == (0, "child\nnew\n", "")
    assert env.run("info", "-p", "new")[0] == 0


@pytest.mark.parametrize("name", ["a/b", "x y", "x:y", "-rf", "x@y"])
def test_rename_refuses_what_create_refuses(env: PotCli, name: str) -> None:
    before = _state(env)
    assert env.run("rename", "-p", "old", "-n", name) == (1, _BAD.format(name), "")
    assert _state(env) == before


def test_rename_refuses_a_dot_with_creates_message(env: PotCli) -> None:
    before = _state(env)
    assert env.run("rename", "-p", "old", "-n", "x.y") == (
        1,
        "###>  x.y is not a valid name for a pot ('.' is the only character not allowed)\n",
        "",
    )
    assert _state(env) == before


@pytest.mark.parametrize("length", [300, 230])
def test_rename_refuses_names_zfs_would_refuse_later(env: PotCli, length: int) -> None:
    name = "n" * length
    limit = name_limit(env.settings)
    assert limit < 230
    before = _state(env)
    code, out, err = env.run("rename", "-p", "old", "-n", name)
    assert (code, err) == (1, "")
    assert out == (
        f"###>  {name} is not a valid name for a pot (too long: at most {limit} bytes"
        " here, as ZFS limits names)\n"
    )
    assert _state(env) == before


def test_the_longest_name_allowed_can_be_snapshotted(env: PotCli) -> None:
    name = "n" * name_limit(env.settings)
    assert env.run("rename", "-p", "old", "-n", name) == (0, "", "")
    assert env.run("snapshot", "-p", name) == (0, "", "")


def test_a_failure_mid_rename_restores_the_old_pot(
    env: PotCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(env)
    real_mount = zfs.mount
    target = f"{env.zfs_root}/jails/new/m"

    def failing(name: str) -> None:
        if name == target:
            raise CommandFailed(["zfs", "mount", name], 1, "cannot mount: injected\n")
        real_mount(name)

    monkeypatch.setattr(zfs, "mount", failing)
    code, out, _ = env.run("rename", "-p", "old", "-n", "new")
    assert (code, out) == (1, "###>  zfs failed (exit status 1): cannot mount: injected\n")
    assert _state(env) == before
    assert not (env.fs_root / "jails" / "new").exists()
    monkeypatch.setattr(zfs, "mount", real_mount)
    assert env.run("info", "-p", "old")[0] == 0
    assert env.run("rename", "-p", "old", "-n", "new") == (0, "", "")
    _renamed(env)


@pytest.mark.parametrize(
    "pattern",
    ["set :pot.renaming*", "unmount *", "set mountpoint=*", "rename *", "mount *", "inherit *"],
)
def test_a_rename_killed_at_any_step_is_finished_by_its_rerun(
    env: PotCli, tmp_path: Path, pattern: str
) -> None:
    block = killer.blocking(tmp_path / "wrap", "zfs", pattern)
    killer.kill_at(block, "rename", "-p", "old", "-n", "new")
    # meanwhile no half renamed pot passes for a good one
    code, out, _ = env.run("ls", "-q")
    assert code == 0 and out.splitlines() in (["child"], ["child", "old"])
    assert env.run("rename", "-p", "old", "-n", "new")[0] == 0
    _renamed(env)


def test_rename_moves_the_legacy_syslog_files(env: PotCli, tmp_path: Path) -> None:
    files = rename.SyslogFiles(
        syslog_d=tmp_path / "syslog.d",
        newsyslog_d=tmp_path / "newsyslog.conf.d",
        logs=tmp_path / "log",
    )
    for folder in (files.syslog_d, files.newsyslog_d, files.logs):
        folder.mkdir()
    (files.syslog_d / "old.conf").write_text("+old.local\n*.* /var/log/pot/old.log old.log\n")
    (files.newsyslog_d / "old.conf").write_text("/var/log/pot/old.log 644 7 * @T00 CX\n")
    rename.rename(env.settings, "old", "new", syslog=files)
    assert not (files.syslog_d / "old.conf").exists()
    # upstream's sed replaces the first match of each line only
    assert (files.syslog_d / "new.conf").read_text() == (
        "+old.local\n*.* /var/log/pot/new.log old.log\n"
    )
    assert (files.newsyslog_d / "new.conf").read_text() == (
        "/var/log/pot/new.log 644 7 * @T00 CX\n"
    )
    assert (files.logs / "new.log").exists()
    assert env.standins.calls("service") == [["service", "syslogd", "reload"]]


def test_a_failed_rename_puts_the_syslog_files_back(
    env: PotCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = rename.SyslogFiles(
        syslog_d=tmp_path / "syslog.d", newsyslog_d=tmp_path / "nsd", logs=tmp_path / "log"
    )
    for folder in (files.syslog_d, files.newsyslog_d, files.logs):
        folder.mkdir()
    (files.syslog_d / "old.conf").write_text("*.* /var/log/pot/old.log\n")

    def failing(old: str, new: str) -> None:
        raise CommandFailed(["zfs", "rename", old, new], 1, "injected\n")

    monkeypatch.setattr(zfs, "rename", failing)
    with pytest.raises(CommandFailed):
        rename.rename(env.settings, "old", "new", syslog=files)
    assert sorted(p.name for p in files.syslog_d.iterdir()) == ["old.conf"]
    assert (files.syslog_d / "old.conf").read_text() == "*.* /var/log/pot/old.log\n"
    assert list(files.logs.iterdir()) == []
    # reloaded after the move and again once the old file was back
    assert env.standins.calls("service") == [["service", "syslogd", "reload"]] * 2
