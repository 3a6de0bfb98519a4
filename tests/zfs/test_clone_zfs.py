"""pot clone, create-fscomp and clone-fscomp end to end on real ZFS (zfs-fuse)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from basebuild import Mirror
from create_env import HOST, Env, freebsd_tools, init_tree, pot
from potfactory import zfs
from standins.harness import Standins

from pot.cli.helptext import HELP

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

SNAP = "1700000001"


@pytest.fixture
def env(
    pot_env: PotEnv,
    freebsd_mirror: Mirror,
    standins: Standins,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Env:
    pot_env.write_conf(**freebsd_mirror.conf())
    freebsd_tools(standins, tmp_path, monkeypatch)
    return Env(pot_env)


@pytest.fixture
def single(env: Env) -> Env:
    """The pot ``test`` (single, public-bridge, 10.192.0.3) with hooks, customised."""
    code, out = pot("create", "-p", "test", "-b", "14.1", "-N", "public-bridge", "-t", "single")
    assert code == 0, out
    for step in (
        ("set-cmd", "-p", "test", "-c", "nginx -g 'daemon off;'"),
        ("set-attr", "-p", "test", "-A", "persistent", "-V", "NO"),
        ("set-env", "-p", "test", "-E", "A=1"),
    ):
        assert pot(*step) == (0, "")
    conf = env.fs_root / "jails" / "test" / "conf"
    (conf / "prestart.sh").write_text("#!/bin/sh\necho pre\n")
    (conf / "prestart.sh").chmod(0o755)
    (conf / "resolv.conf").write_text("nameserver 192.0.2.1\n")
    return env


def _snapshot(env: Env, pot_name: str, tag: str = SNAP) -> None:
    zfs("snapshot", "-r", f"{env.zfs_root}/jails/{pot_name}@{tag}")


def _without(text: str, *prefixes: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith(prefixes))


REPLACED = ("host.hostname", "bridge", "ip", "vnet", "network_type", "pot.stack", "pot.dns")


def test_clone_single(single: Env) -> None:
    env = single
    _snapshot(env, "test")
    code, out = pot("clone", "-P", "test", "-p", "web")
    assert (code, out) == (0, "")
    z = env.zfs_root
    assert zfs("get", "-H", "-o", "value", "origin", f"{z}/jails/web/m") == (
        f"{z}/jails/test/m@{SNAP}\n"
    )
    assert zfs("get", "-H", "-o", "value", "mountpoint", f"{z}/jails/web/m") == (
        f"{env.fs_root}/jails/web/m\n"
    )
    assert env.conf_text("web") == _without(env.conf_text("test"), *REPLACED) + (
        f'host.hostname="web.{HOST}"\n'
        "pot.stack=ipv4\n"
        "network_type=public-bridge\n"
        "vnet=true\n"
        "ip=10.192.0.4\n"
        "pot.dns=inherit\n"
    )
    assert "pot.cmd=nginx -g 'daemon off;'\n" in env.conf_text("web")
    conf = env.fs_root / "jails" / "web" / "conf"
    assert sorted(os.listdir(conf)) == ["fscomp.conf", "pot.conf", "prestart.sh", "resolv.conf"]
    assert os.access(conf / "prestart.sh", os.X_OK)
    assert (conf / "resolv.conf").read_text() == "nameserver 192.0.2.1\n"
    assert (env.fs_root / "jails" / "web" / "m" / "bin" / "freebsd-version").is_file()


def test_clone_network_and_dns(single: Env, tmp_path: Path) -> None:
    env = single
    _snapshot(env, "test")
    env.bridge("br0", "10.192.1.0/29", "10.192.1.1")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 192.0.2.53\n")
    code, out = pot(
        "clone", "-P", "test", "-p", "web", "-N", "private-bridge", "-B", "br0",
        "-d", f"custom:{resolv}", "-S", "dual",
    )  # fmt: skip
    assert (code, out) == (0, "")
    assert env.conf_text("web").endswith(
        f'host.hostname="web.{HOST}"\npot.stack=dual\nnetwork_type=private-bridge\nvnet=true\n'
        "ip=10.192.1.2\nbridge=br0\npot.dns=custom\n"
    )
    # the file given wins over the reference's resolv.conf
    resolv_copy = env.fs_root / "jails" / "web" / "conf" / "resolv.conf"
    assert resolv_copy.read_text() == "nameserver 192.0.2.53\n"
    code, out = pot("clone", "-P", "test", "-p", "web2", "-N", "inherit")
    assert code == 0, out
    assert env.conf_text("web2").endswith("network_type=inherit\nvnet=false\npot.dns=inherit\n")


def test_clone_needs_a_snapshot(single: Env) -> None:
    env = single
    before = env.datasets()
    z = env.zfs_root
    assert pot("clone", "-P", "test", "-p", "web") == (
        1,
        f"###>  {z}/jails/test/m has no snap - please take a snapshot of test\n",
    )
    assert env.datasets() == before
    assert env.pot_folders() == ["test"]


def test_clone_snapshot_on_the_fly(single: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env = single
    monkeypatch.setattr("time.time", lambda: 1700000042.5)
    z = env.zfs_root
    code, out = pot("clone", "-P", "test", "-p", "web", "-F")
    assert (code, out) == (
        0,
        f"===>  {z}/jails/test/m has no snap - taking a snapshot on the fly with tag 1700000042\n",
    )
    assert "/jails/test/m@1700000042" in env.datasets()
    assert zfs("get", "-H", "-o", "value", "origin", f"{z}/jails/web/m") == (
        f"{z}/jails/test/m@1700000042\n"
    )


def test_failed_clone_removes_its_snapshot_too(single: Env) -> None:
    env = single
    env.flavour("bad", "set-attribute -A nope -V 1\n")
    before = env.datasets()
    code, out = pot("clone", "-P", "test", "-p", "web", "-F", "-f", "bad")
    assert code == 1
    assert out.endswith("###>  nope is not a valid attribute\n")
    assert env.datasets() == before
    assert env.pot_folders() == ["test"]


def test_clone_keep(single: Env) -> None:
    env = single
    _snapshot(env, "test")
    env.flavour("bad", "set-attribute -A nope -V 1\n")
    assert pot("clone", "-P", "test", "-p", "web", "-f", "bad", "-k")[0] == 1
    assert env.pot_folders() == ["test", "web"]


def test_clone_chosen_snapshot(single: Env) -> None:
    env = single
    _snapshot(env, "test", "1700000001")
    _snapshot(env, "test", "1700000009")
    assert pot("clone", "-P", "test", "-p", "web", "-s", "1700000001", "-N", "inherit")[0] == 0
    z = env.zfs_root
    assert zfs("get", "-H", "-o", "value", "origin", f"{z}/jails/web/m") == (
        f"{z}/jails/test/m@1700000001\n"
    )
    assert pot("clone", "-P", "test", "-p", "web2", "-s", "nope") == (
        1,
        "###>  snapshot nope not found\n" + HELP["clone"],
    )
    assert pot("clone", "-P", "test", "-p", "web2", "-s", "1700000001", "-F") == (
        1,
        "###>  -s and -F are incompatible - which snapshot should I use\n" + HELP["clone"],
    )


def test_clone_checks(single: Env) -> None:
    assert pot("clone", "-P", "test", "-p", "test") == (
        1,
        "###>  pot test already exists\n" + HELP["clone"],
    )
    assert pot("clone", "-P", "test", "-p", "web", "-N", "public-bridge", "-i", "10.192.0.3") == (
        1,
        "###>  The 10.192.0.3 IP is not valid - run potnet validate -H 10.192.0.3 for more"
        " information\n" + HELP["clone"],
    )
    assert pot("clone", "-P", "test", "-p", "web.1") == (
        1,
        "###>  web.1 is not a valid name for a pot ('.' is the only character not allowed)\n",
    )


def test_clone_multi(env: Env) -> None:
    env.base()
    z = env.zfs_root
    assert pot("create", "-p", "l0", "-l", "0", "-b", "14.1")[0] == 0
    assert pot("clone", "-P", "l0", "-p", "x") == (
        1,
        "###>  Level 0 pots cannot be cloned\n" + HELP["clone"],
    )
    assert pot("create", "-p", "l1", "-b", "14.1")[0] == 0
    assert pot("create-fscomp", "-f", "data")[0] == 0
    fscomp = env.fs_root / "jails" / "l1" / "conf" / "fscomp.conf"
    with fscomp.open("a") as f:
        f.write(f"{z}/fscomp/data /data ro\n{z}/fscomp/data /data2 zfs-remount\n/srv /srv\n")
    _snapshot(env, "l1")
    code, out = pot("clone", "-P", "l1", "-p", "c1")
    assert (code, out) == (0, "###>  not able to manage /srv\n")
    assert env.fscomp("c1") == (
        f"{z}/bases/14.1 / ro\n"
        f"{z}/jails/c1/usr.local /usr/local zfs-remount\n"
        f"{z}/jails/c1/custom /opt/custom zfs-remount\n"
        f"{z}/fscomp/data /data ro\n"
        f"{z}/fscomp/data /data2\n"
    )
    for name in ("usr.local", "custom"):
        assert zfs("get", "-H", "-o", "value", "origin,mountpoint", f"{z}/jails/c1/{name}") == (
            f"{z}/jails/l1/{name}@{SNAP}\n{env.fs_root}/jails/c1/{name}\n"
        )
    assert "pot.level=1\npot.type=multi\npot.base=14.1\n" in env.conf_text("c1")
    assert (env.fs_root / "jails" / "c1" / "m").is_dir()


# ------------------------------------------------------------------ fscomps


def test_create_fscomp(env: Env) -> None:
    z = env.zfs_root
    assert pot("create-fscomp", "-f", "data") == (0, "")
    assert pot("create-fscomp", "-f", "data") == (
        0,
        f"===>  fs component {z}/fscomp/data already exists\n",
    )
    assert zfs("get", "-H", "-o", "value", "mountpoint", f"{z}/fscomp/data") == (
        f"{env.fs_root}/fscomp/data\n"
    )
    assert env.datasets() == [*init_tree()[:4], "/fscomp/data", "/jails"]


def test_clone_fscomp(env: Env) -> None:
    z = env.zfs_root
    assert pot("create-fscomp", "-f", "data")[0] == 0
    (env.fs_root / "fscomp" / "data" / "f").write_text("x\n")
    assert pot("clone-fscomp", "-f", "copy", "-F", "data") == (
        1,
        f"###>  {z}/fscomp/data has no snapshots - please take one\n",
    )
    zfs("snapshot", f"{z}/fscomp/data@1")
    zfs("snapshot", f"{z}/fscomp/data@2")
    code, out = pot("clone-fscomp", "-f", "copy", "-F", "data", "-v")
    assert code == 0
    assert f"=====>  Cloning data@2 into {z}/fscomp/copy\n" in out
    assert zfs("get", "-H", "-o", "value", "origin,mountpoint", f"{z}/fscomp/copy") == (
        f"{z}/fscomp/data@2\n{env.fs_root}/fscomp/copy\n"
    )
    assert (env.fs_root / "fscomp" / "copy" / "f").read_text() == "x\n"
    assert pot("clone-fscomp", "-f", "copy", "-F", "data") == (
        1,
        "###>  fscomp copy already exists\n",
    )
