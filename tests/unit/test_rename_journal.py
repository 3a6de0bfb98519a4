"""rename's journal and its resumption, against an in-memory ZFS (the zfs-fuse tests in
tests/zfs/test_rename_zfs.py do the same on real datasets): a failure at any zfs step
puts everything back byte for byte, and a run killed at any step is finished by the
same rename run again."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pytest

from pot import potconf, zfs
from pot.errors import CommandFailed
from pot.ops import common, rename
from pot.ops.undo import Undo
from pot.potconf import NewPot
from pot.settings import DEFAULTS, Settings

ROOT = "zp/pot"


class Killed(BaseException):
    """Stands for a SIGKILL: nothing of pot runs after it (no journal)."""


@dataclass
class Fake:
    """Datasets (name -> mountpoint, mounted, user props); renames move the folder."""

    fs_root: Path
    sets: dict[str, dict[str, str]] = field(default_factory=dict)
    # the n-th zfs change fails (or, with kill, the process dies there)
    fail_at: int | None = None
    kill: bool = False
    calls: int = 0

    def _step(self, verb: str) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            if self.kill:
                raise Killed
            raise CommandFailed(["zfs", verb], 1, "injected\n")

    def add(self, name: str, mountpoint: Path) -> None:
        self.sets[name] = {"mountpoint": str(mountpoint), "mounted": "yes"}

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(zfs, "exists", lambda name: name in self.sets)
        monkeypatch.setattr(zfs, "user_props", self.user_props)
        monkeypatch.setattr(zfs, "set_prop", self.set_prop)
        monkeypatch.setattr(zfs, "inherit", self.inherit)
        monkeypatch.setattr(zfs, "list_tree", self.list_tree)
        monkeypatch.setattr(zfs, "dataset", self.dataset)
        monkeypatch.setattr(zfs, "mount", self.mount)
        monkeypatch.setattr(zfs, "unmount", self.unmount)
        monkeypatch.setattr(zfs, "rename", self.rename)
        monkeypatch.setattr("pot.jail.is_running", lambda name: False)

    def user_props(self, name: str, props: tuple[str, ...]) -> dict[str, str] | None:
        if name not in self.sets:
            return None
        return {p: self.sets[name].get(p, "") for p in props}

    def set_prop(self, name: str, prop: str, value: str) -> None:
        self._step("set")
        self.sets[name][prop] = value

    def inherit(self, name: str, prop: str) -> None:
        self._step("inherit")
        self.sets[name].pop(prop, None)

    def _ds(self, name: str) -> zfs.Dataset:
        d = self.sets[name]
        return zfs.Dataset(name, d["mountpoint"], d["mounted"] == "yes", "", MappingProxyType({}))

    def list_tree(self, root: str, *, user_props: tuple[str, ...] = ()) -> dict[str, zfs.Dataset]:
        return {n: self._ds(n) for n in self.sets if n == root or n.startswith(root + "/")}

    def dataset(self, name: str, *, user_props: tuple[str, ...] = ()) -> zfs.Dataset | None:
        return self._ds(name) if name in self.sets else None

    def mount(self, name: str) -> None:
        self._step("mount")
        self.sets[name]["mounted"] = "yes"

    def unmount(self, name: str, *, force: bool = False) -> None:
        self._step("unmount")
        for n in self.list_tree(name):
            self.sets[n]["mounted"] = "no"

    def rename(self, old: str, new: str) -> None:
        self._step("rename")
        for n in sorted(self.list_tree(old)):
            self.sets[new + n[len(old) :]] = self.sets.pop(n)
        source = self.fs_root / "jails" / old.rsplit("/", 1)[1]
        target = self.fs_root / "jails" / new.rsplit("/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), str(target))
        source.mkdir()  # zfs leaves the old mountpoint folder


@pytest.fixture
def s(tmp_path: Path) -> Settings:
    values = dict(
        DEFAULTS, POT_FS_ROOT=str(tmp_path / "pot"), POT_ZFS_ROOT=ROOT, POT_TMP=str(tmp_path / "t")
    )
    return Settings(tmp_path / "etc", MappingProxyType(values))


def _pot(s: Settings, fake: Fake, name: str) -> None:
    folder = s.fs_root / "jails" / name
    (folder / "m").mkdir(parents=True)
    (folder / "conf").mkdir()
    new = NewPot(
        level=0,
        pot_type="single",
        base="14.1",
        potbase="",
        dns="inherit",
        hostname=f"{name}.test",
        osrelease="14.1-RELEASE",
        stack="ipv4",
        network_type="inherit",
        ip="",
    )
    potconf.write(folder / "conf" / "pot.conf", potconf.created(new))
    (folder / "conf" / "fscomp.conf").write_text(f"{s.fs_root}/jails/{name}/m/d /d\n")
    fake.add(f"{ROOT}/jails/{name}", folder)
    fake.add(f"{ROOT}/jails/{name}/m", folder / "m")


@pytest.fixture
def fake(s: Settings, monkeypatch: pytest.MonkeyPatch) -> Fake:
    f = Fake(s.fs_root)
    f.install(monkeypatch)
    _pot(s, f, "old")
    _pot(s, f, "child")
    conf = s.fs_root / "jails" / "child" / "conf" / "pot.conf"
    conf.write_text(conf.read_text() + "pot.depend=old\n")
    (s.fs_root / "jails" / "child" / "conf" / "fscomp.conf").write_text(
        f"{s.fs_root}/jails/old/m/data /data\n"
    )
    return f


def _snapshot(s: Settings, fake: Fake) -> tuple[dict[str, dict[str, str]], dict[str, bytes]]:
    files = {
        str(p.relative_to(s.fs_root)): p.read_bytes()
        for p in sorted((s.fs_root / "jails").rglob("*"))
        if p.is_file()
    }
    return {k: dict(v) for k, v in fake.sets.items()}, files


def _files(tmp_path: Path) -> rename.SyslogFiles:
    return rename.SyslogFiles(
        syslog_d=tmp_path / "sd",
        newsyslog_d=tmp_path / "nd",
        logs=tmp_path / "l",
        reload=lambda: None,
    )


def _count_steps(s: Settings, fake: Fake, tmp_path: Path) -> int:
    """How many zfs changes a whole rename makes (on a copy of the state)."""
    state, files = _snapshot(s, fake)
    rename.rename(s, "old", "new", host="h", syslog=_files(tmp_path))
    steps = fake.calls
    shutil.rmtree(s.fs_root / "jails")
    for rel, data in files.items():
        path = s.fs_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (s.fs_root / "jails" / "old" / "m").mkdir(exist_ok=True)
    (s.fs_root / "jails" / "child" / "m").mkdir(exist_ok=True)
    fake.sets = state
    fake.calls = 0
    return steps


def _done(s: Settings, fake: Fake) -> None:
    assert sorted(fake.sets) == [
        f"{ROOT}/jails/child",
        f"{ROOT}/jails/child/m",
        f"{ROOT}/jails/new",
        f"{ROOT}/jails/new/m",
    ]
    assert fake.sets[f"{ROOT}/jails/new/m"]["mountpoint"] == str(s.fs_root / "jails" / "new" / "m")
    assert all(d["mounted"] == "yes" for d in fake.sets.values())
    assert all(common.RENAMING not in d for d in fake.sets.values())
    conf = (s.fs_root / "jails" / "new" / "conf" / "pot.conf").read_text()
    assert conf.count("host.hostname=") == 1 and 'host.hostname="new.h"' in conf
    child = s.fs_root / "jails" / "child" / "conf"
    assert "pot.depend=new" in (child / "pot.conf").read_text()
    assert (child / "fscomp.conf").read_text() == f"{s.fs_root}/jails/new/m/data /data\n"


def test_a_whole_rename(s: Settings, fake: Fake, tmp_path: Path) -> None:
    rename.rename(s, "old", "new", host="h", syslog=_files(tmp_path))
    _done(s, fake)


def test_a_failure_at_every_step_puts_everything_back(
    s: Settings, fake: Fake, tmp_path: Path
) -> None:
    steps = _count_steps(s, fake, tmp_path)
    assert steps >= 6
    before = _snapshot(s, fake)
    for n in range(1, steps + 1):
        fake.fail_at, fake.calls = n, 0
        with pytest.raises(CommandFailed):
            rename.rename(s, "old", "new", host="h", syslog=_files(tmp_path))
        fake.fail_at = None
        assert _snapshot(s, fake) == before, n


@contextlib.contextmanager
def _no_journal(*, keep: bool) -> Iterator[Undo]:
    """What a SIGKILL does to the journal: nothing of it runs."""
    yield Undo()


def test_a_rename_killed_at_every_step_is_finished_by_its_rerun(
    s: Settings, fake: Fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = _count_steps(s, fake, tmp_path)
    for n in range(1, steps + 1):
        with monkeypatch.context() as m:
            m.setattr(rename, "undo_on_failure", _no_journal)
            fake.kill, fake.fail_at, fake.calls = True, n, 0
            with pytest.raises(Killed):
                rename.rename(s, "old", "new", host="h", syslog=_files(tmp_path))
        fake.kill, fake.fail_at = False, None
        rename.rename(s, "old", "new", host="h", syslog=_files(tmp_path))
        _done(s, fake)
        # back to the old name for the next round
        rename.rename(s, "new", "old", host="h", syslog=_files(tmp_path))
