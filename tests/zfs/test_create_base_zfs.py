"""create-base on real ZFS from the file:// test release (tests/basebuild.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from basebuild import Mirror, copy_mirror
from click.testing import CliRunner

from pot.cli.main import cli
from pot.errors import PotError
from pot.ops import bases, create
from pot.settings import Settings

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs


def _tree(root: str) -> list[str]:
    """name and mountpoint of everything under root, snapshots included."""
    out = potfactory.zfs(
        "list", "-H", "-o", "name,mountpoint", "-t", "all", "-r", "-s", "name", root
    )
    return out.splitlines()


def _init_tree(zroot: str, fs_root: Path, cache: Path) -> list[str]:
    return [
        f"{zroot}\t{fs_root}",
        f"{zroot}/bases\t{fs_root}/bases",
        f"{zroot}/cache\t{cache}",
        f"{zroot}/fscomp\t{fs_root}/fscomp",
        f"{zroot}/jails\t{fs_root}/jails",
    ]


def _fake_base_pot(s: Settings, base: str, pot: str) -> None:
    """What `create -l 0 -b <base> -p <pot>` leaves, as far as create-base relies on it."""
    potfactory.multi_pot(s.zfs_root, s.fs_root, pot, level=0, base=base)


@pytest.fixture
def mirror(freebsd_mirror: Mirror, tmp_path: Path) -> Mirror:
    """A private copy of the session's mirror, which a test may damage."""
    return copy_mirror(freebsd_mirror, tmp_path / "freebsd")


@pytest.fixture
def env(pot_env: PotEnv, mirror: Mirror) -> PotEnv:
    """An initialised pot on the test pool, reading releases from the private mirror copy."""
    pot_env.write_conf(**mirror.conf())
    potfactory.init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    return pot_env


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["create-base", *args])
    return result.exit_code, result.stdout


def _links(root: Path) -> dict[str, str]:
    names = ("etc", "root", "var", "home", "usr/home", "usr/local/etc", "opt/custom/var/db/pkg")
    return {name: os.readlink(root / name) for name in names}


def test_create_base_builds_upstream_layout(env: PotEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bases, "_create_base_pot", _fake_base_pot)
    zroot, fs_root, cache = env.zfs_root, env.fs_root, env.cache

    code, out = _run("-r", "14.1")

    assert (code, out) == (
        0,
        "===>  Automatically use 14.1 as base name\n"
        "===>  Create a base with release 14.1\n"
        f"===>  Create the zfs datasets for base release {zroot}/bases/14.1\n"
        "===>  Create the related pot [base-14_1]\n",
    )
    tree = _tree(zroot)
    snaps = {line.split("@")[1].split("\t")[0] for line in tree if "@" in line}
    assert len(snaps) == 1
    (tag,) = snaps
    assert re.fullmatch(r"[0-9]{10}", tag)
    base = fs_root / "bases" / "14.1"
    assert tree == sorted(
        [
            *_init_tree(zroot, fs_root, cache),
            f"{zroot}/bases/14.1\t{base}",
            f"{zroot}/bases/14.1@{tag}\t-",
            f"{zroot}/bases/14.1/custom\t{base}/opt/custom",
            f"{zroot}/bases/14.1/custom@{tag}\t-",
            f"{zroot}/bases/14.1/usr.local\t{base}/usr/local",
            f"{zroot}/bases/14.1/usr.local@{tag}\t-",
            f"{zroot}/jails/base-14_1\t{fs_root}/jails/base-14_1",
        ]
    )
    assert (base / ".osrelease").read_text() == "14.1-RELEASE\n"
    assert _links(base) == {
        "etc": "opt/custom/etc",
        "root": "opt/custom/root",
        "var": "opt/custom/var",
        "home": "opt/custom/usr.home",
        "usr/home": "../opt/custom/usr.home",
        "usr/local/etc": "../../opt/custom/usr.local.etc",
        "opt/custom/var/db/pkg": "../../../../usr/local/var.db.pkg",
    }
    custom = base / "opt" / "custom"
    assert sorted(p.name for p in custom.iterdir()) == [
        "etc", "root", "usr.home", "usr.local.etc", "var",
    ]  # fmt: skip
    assert sorted(p.name for p in (base / "usr" / "local").iterdir()) == ["etc", "var.db.pkg"]
    assert (base / "usr" / "ports").is_dir()
    assert (custom / "etc" / "hosts").read_text().startswith("::1")
    assert oct((custom / "var" / "empty").stat().st_mode & 0o7777) == "0o555"
    assert oct((custom / "var" / "tmp").stat().st_mode & 0o7777) == "0o1777"
    # files of custom really live on the custom dataset, usr/local on usr.local
    assert (
        potfactory.zfs("get", "-H", "-o", "value", "mounted", f"{zroot}/bases/14.1/custom")
        == "yes\n"
    )
    assert sorted(p.name for p in cache.iterdir()) == ["14.1-RELEASE_base.txz"]
    # the tree is usable as a root: the shell and tools of the test release run in it
    if shutil.which("chroot"):
        ran = subprocess.run(
            ["chroot", str(base), "/bin/sh", "-c", "freebsd-version; cat /etc/rc.conf"],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/bin:/usr/bin:/sbin:/usr/sbin"},
        )
        assert ran.stdout == "14.1-RELEASE\n# test release: empty rc.conf\n"


def test_named_base_and_existing_base(env: PotEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bases, "_create_base_pot", _fake_base_pot)
    zroot = env.zfs_root
    code, out = _run("-r", "14.1", "-b", "fbsd.14.1")
    assert code == 0, out
    assert f"{zroot}/jails/base-fbsd_14.1" in potfactory.zfs(
        "list", "-H", "-o", "name", "-r", zroot
    )
    assert _run("-r", "14.1", "-b", "fbsd.14.1") == (1, "###>  fbsd.14.1 is already a base\n")


def test_base_pot_is_created(env: PotEnv) -> None:
    """The real hook: create -l 0 makes the base's pot, then the base is snapshot."""
    zroot, fs_root = env.zfs_root, env.fs_root
    code, out = _run("-r", "14.1")
    assert code == 0, out
    assert out.startswith(
        "===>  Automatically use 14.1 as base name\n"
        "===>  Create a base with release 14.1\n"
        f"===>  Create the zfs datasets for base release {zroot}/bases/14.1\n"
        "===>  Create the related pot [base-14_1]\n"
        "===>  Creating a new pot\n"
        "===>  pot name     : base-14_1\n"
        "===>  type         : multi\n"
        "===>  base         : 14.1\n"
    )
    conf = (fs_root / "jails" / "base-14_1" / "conf" / "pot.conf").read_text()
    assert conf.startswith("pot.level=0\npot.type=multi\npot.base=14.1\npot.potbase=\n")
    assert 'osrelease="14.1-RELEASE"\n' in conf
    fscomp = (fs_root / "jails" / "base-14_1" / "conf" / "fscomp.conf").read_text()
    assert fscomp == (
        f"{zroot}/bases/14.1 /\n"
        f"{zroot}/bases/14.1/usr.local /usr/local\n"
        f"{zroot}/bases/14.1/custom /opt/custom\n"
    )
    names = potfactory.zfs("list", "-H", "-o", "name", "-t", "all", "-r", zroot).split()
    snaps = sorted(name.split("@")[0] for name in names if "@" in name)
    assert snaps == [
        f"{zroot}/bases/14.1",
        f"{zroot}/bases/14.1/custom",
        f"{zroot}/bases/14.1/usr.local",
    ]
    assert f"{zroot}/jails/base-14_1" in names


def test_failing_base_pot_removes_everything(
    env: PotEnv, mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base's pot cannot be made: nothing of the base may stay."""
    zroot, fs_root, cache = env.zfs_root, env.fs_root, env.cache

    def failing(*_args: object, **_kwargs: object) -> None:
        raise PotError("create failed")

    monkeypatch.setattr(create, "create", failing)
    code, out = _run("-r", "14.1")
    assert code == 1
    assert out.endswith("===>  Create the related pot [base-14_1]\n###>  create failed\n")
    assert _tree(zroot) == _init_tree(zroot, fs_root, cache)
    assert list((fs_root / "bases").iterdir()) == []
    assert not (fs_root / "jails" / "base-14_1").exists()
    # the verified tarball stays cached: the next attempt needs no mirror
    shutil.rmtree(mirror.folder)
    code, out = _run("-r", "14.1")
    assert (code, out.splitlines()[-1]) == (1, "###>  create failed")


@pytest.mark.parametrize("signal", [KeyboardInterrupt, OSError])
def test_interrupted_layout_removes_everything(
    env: PotEnv, monkeypatch: pytest.MonkeyPatch, signal: type[BaseException]
) -> None:
    zroot, fs_root, cache = env.zfs_root, env.fs_root, env.cache

    def interrupt(root: Path, osrelease: str) -> None:
        assert (root / "bin" / "freebsd-version").is_file()  # extracted by now
        raise signal(5, "Input/output error")

    monkeypatch.setattr(bases, "layout", interrupt)
    code, out = _run("-r", "14.1")
    if signal is KeyboardInterrupt:
        assert code == 130
    else:
        assert (code, out.splitlines()[-1]) == (1, "###>  base 14.1: [Errno 5] Input/output error")
    assert _tree(zroot) == _init_tree(zroot, fs_root, cache)
    assert list((fs_root / "bases").iterdir()) == []


def test_corrupt_release_fails_before_any_dataset(env: PotEnv, mirror: Mirror) -> None:
    zroot, fs_root, cache = env.zfs_root, env.fs_root, env.cache
    mirror.tarball.write_bytes(mirror.tarball.read_bytes()[:-10])
    code, out = _run("-r", "14.1")
    assert (code, out) == (
        1,
        "===>  Automatically use 14.1 as base name\n"
        "===>  Create a base with release 14.1\n"
        "###>  sha256 doesn't match! Aborting\n"
        "###>  sha256 doesn't match! Aborting\n"
        "###>  fetch of 14.1 RELEASE failed\n",
    )
    assert _tree(zroot) == _init_tree(zroot, fs_root, cache)
    assert list(cache.iterdir()) == []
