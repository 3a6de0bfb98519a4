"""pot create end to end: real ZFS (zfs-fuse), the release from the file:// test mirror,
FreeBSD's sysctl/ifconfig/jls through the stand-ins, the CLI as users run it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from basebuild import Mirror, copy_mirror
from create_env import (
    CRONTAB_IN_A_JAIL,
    HOST,
    Env,
    base_tree,
    freebsd_tools,
    init_tree,
    pot,
)
from golden import expected_conf
from potfactory import zfs
from standins.harness import Standins

from pot.cli.helptext import HELP
from pot.cli.main import Terminated

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

DOT = "('.' is the only character not allowed)"
SEED = ("create", "-p", "test", "-b", "14.1", "-N", "public-bridge", "-t", "single")
# the commands of upstream's share/doc/pot/Images.md ("Create a `pot`"), as a flavour file
NGINX_TEST = """\
set-cmd -p test -c "nginx -g 'daemon off;'"
set-attribute -p test -A no-rc-script -V YES
set-attribute -p test -A persistent -V NO
set-rss -C 1
"""


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


def _info(**values: str) -> str:
    labels = {
        "pot": "pot name     ",
        "type": "type         ",
        "base": "base         ",
        "pot_base": "pot_base     ",
        "level": "level        ",
        "network_type": "network-type ",
        "stack": "network-stack",
        "ip": "ip           ",
        "bridge": "bridge       ",
        "dns": "dns          ",
        "flavours": "flavours     ",
    }
    defaults = {"pot_base": "", "stack": "ipv4", "ip": "", "bridge": "", "dns": "inherit"}
    defaults["flavours"] = ""
    merged = {**defaults, **values}
    lines = ["===>  Creating a new pot"]
    lines += [f"===>  {label}: {merged[key]}" for key, label in labels.items()]
    return "".join(line + "\n" for line in lines)


# ------------------------------------------------------------------ single


def test_seed_create(env: Env) -> None:
    """The seed workflow's first command."""
    code, out = pot(*SEED)
    assert (code, out) == (
        0,
        _info(
            pot="test", type="single", base="14.1", level="0", network_type="public-bridge"
        ).replace("ip           : ", "ip           : 10.192.0.3")
        + "===>  Fetching FreeBSD 14.1\n===>  Extract the tarball\n",
    )
    assert env.datasets() == [*init_tree(), "/jails/test", "/jails/test/m"]
    assert env.conf_text("test") == expected_conf(
        level=0,
        pot_type="single",
        base="14.1",
        hostname=f"test.{HOST}",
        osrelease="14.1-RELEASE",
        network="public-bridge",
        ip="10.192.0.3",
    )
    assert env.fscomp("test") == ""
    m = env.fs_root / "jails" / "test" / "m"
    assert (m / "bin" / "freebsd-version").is_file()
    assert os.readlink(m / "home") == "usr/home"
    assert (m / "usr" / "home").is_dir()
    assert stat.S_IMODE((m / "tmp").stat().st_mode) == 0o1777
    assert (env.cache / "14.1-RELEASE_base.txz").is_file()
    assert sorted(os.listdir(env.fs_root / "jails" / "test" / "conf")) == [
        "fscomp.conf",
        "pot.conf",
    ]


NETWORKS = {
    "inherit": ((), "", "", "ipv4"),
    "alias": (("-i", "em0|192.168.0.20", "-i", "fd00::20", "-S", "dual"), None, "", "dual"),
    "public-bridge": (("-i", "10.192.0.50"), "10.192.0.50", "", "ipv4"),
    "private-bridge": (("-B", "br0"), "10.192.1.2", "br0", "ipv4"),
}
ALIAS_IPS = "em0|192.168.0.20 fd00::20"


@pytest.mark.parametrize("network", list(NETWORKS))
@pytest.mark.parametrize("layout", ["single", "multi"])
def test_conf_per_network_and_layout(env: Env, network: str, layout: str) -> None:
    args, ip, bridge, stack = NETWORKS[network]
    ip = ALIAS_IPS if ip is None else ip
    env.bridge("br0", "10.192.1.0/29", "10.192.1.1")
    if layout == "multi":
        env.base()
        layout_args: tuple[str, ...] = ("-b", "14.1")
    else:
        layout_args = ("-t", "single", "-b", "14.1")
    code, out = pot("create", "-p", "web", "-N", network, *args, *layout_args)
    assert code == 0, out
    assert f"===>  ip           : {ip}\n" in out
    assert env.conf_text("web") == expected_conf(
        level=1 if layout == "multi" else 0,
        pot_type=layout,
        base="14.1",
        hostname=f"web.{HOST}",
        osrelease="14.1-RELEASE",
        network=network,
        ip=ip,
        bridge=bridge,
        stack=stack,
    )


def test_stack_default_from_settings(env: Env, pot_env: PotEnv, freebsd_mirror: Mirror) -> None:
    pot_env.write_conf(POT_NETWORK_STACK="dual", **freebsd_mirror.conf())
    env.base()
    assert pot("create", "-p", "web", "-l", "0", "-b", "14.1")[0] == 0
    assert "pot.stack=dual\n" in env.conf_text("web")


def test_single_from_another_pot(env: Env) -> None:
    assert pot(*SEED)[0] == 0
    code, out = pot("create", "-p", "copy", "-t", "single", "-P", "test")
    assert code == 1
    assert out.endswith(f"###>  no snapshot found for {env.zfs_root}/jails/test/m/m\n")
    assert env.datasets() == [*init_tree(), "/jails/test", "/jails/test/m"]
    assert env.pot_folders() == ["test"]
    zfs("snapshot", "-r", f"{env.zfs_root}/jails/test@1700000001")
    assert pot("create", "-p", "copy", "-t", "single", "-P", "test", "-N", "inherit")[0] == 0
    assert env.datasets() == [
        *init_tree(),
        "/jails/copy",
        "/jails/copy/m",
        "/jails/copy/m@1700000001",  # the received snapshot stays, as upstream
        "/jails/test",
        "/jails/test@1700000001",
        "/jails/test/m",
        "/jails/test/m@1700000001",
    ]
    assert env.conf_text("copy") == expected_conf(
        level=0,
        pot_type="single",
        base="14.1",
        potbase="test",
        hostname=f"copy.{HOST}",
        osrelease="14.1-RELEASE",
        network="inherit",
    )
    assert (env.fs_root / "jails" / "copy" / "m" / "bin" / "freebsd-version").is_file()


def test_dns_and_cron(env: Env, tmp_path: Path) -> None:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 192.0.2.53\n")
    env.base()
    code, out = pot("create", "-p", "web", "-b", "14.1", "-d", f"custom:{resolv}")
    assert code == 0, out
    assert f"===>  dns          : custom:{resolv}\n" in out
    conf_dir = env.fs_root / "jails" / "web" / "conf"
    assert (conf_dir / "resolv.conf").read_text() == "nameserver 192.0.2.53\n"
    assert "pot.dns=custom\n" in env.conf_text("web")
    crontab = env.fs_root / "jails" / "web" / "custom" / "etc" / "crontab"
    assert crontab.read_text() == CRONTAB_IN_A_JAIL


def test_dns_pot(env: Env) -> None:
    env.base()
    assert pot("create", "-p", "dns", "-l", "0", "-b", "14.1")[0] == 0
    assert pot("create", "-p", "web", "-l", "0", "-b", "14.1", "-d", "pot")[0] == 0
    assert "pot.dns=pot\n" in env.conf_text("web")
    assert env.conf_text("web").endswith("vnet=false\npot.depend=dns\n")


# ------------------------------------------------------------------ multi


def test_multi_levels(env: Env) -> None:
    env.base()
    z = env.zfs_root
    assert pot("create", "-p", "l0", "-l", "0", "-b", "14.1")[0] == 0
    assert env.fscomp("l0") == (
        f"{z}/bases/14.1 /\n"
        f"{z}/bases/14.1/usr.local /usr/local\n"
        f"{z}/bases/14.1/custom /opt/custom\n"
    )
    assert pot("create", "-p", "l1", "-b", "14.1")[0] == 0
    assert env.fscomp("l1") == (
        f"{z}/bases/14.1 / ro\n"
        f"{z}/jails/l1/usr.local /usr/local zfs-remount\n"
        f"{z}/jails/l1/custom /opt/custom zfs-remount\n"
    )
    code, out = pot("create", "-p", "l2", "-l", "2", "-P", "l1", "-v")
    assert code == 1
    assert out.endswith(f"###>  no snapshot found for {z}/jails/l1/custom\n")
    assert "l2" not in env.pot_folders()
    zfs("snapshot", "-r", f"{z}/jails/l1@1700000002")
    code, out = pot("create", "-p", "l2", "-l", "2", "-P", "l1")
    assert code == 0, out
    assert env.fscomp("l2") == (
        f"{z}/bases/14.1 / ro\n"
        f"{z}/jails/l1/usr.local /usr/local ro\n"
        f"{z}/jails/l2/custom /opt/custom zfs-remount\n"
    )
    assert "pot.level=2\npot.type=multi\npot.base=14.1\npot.potbase=l1\n" in env.conf_text("l2")
    # a level 2 pot of a level 2 pot mounts the level 1 pot's usr.local
    zfs("snapshot", "-r", f"{z}/jails/l2@1700000003")
    assert pot("create", "-p", "l2b", "-l", "2", "-P", "l2")[0] == 0
    assert f"{z}/jails/l1/usr.local /usr/local ro\n" in env.fscomp("l2b")
    assert sorted(env.datasets()) == sorted(
        [
            *init_tree()[:1],
            *base_tree(),
            "/cache",
            "/fscomp",
            "/jails",
            "/jails/l0",
            "/jails/l1",
            "/jails/l1@1700000002",
            "/jails/l1/custom",
            "/jails/l1/custom@1700000002",
            "/jails/l1/usr.local",
            "/jails/l1/usr.local@1700000002",
            "/jails/l2",
            "/jails/l2@1700000003",
            "/jails/l2/custom",
            "/jails/l2/custom@1700000003",
            "/jails/l2b",
            "/jails/l2b/custom",
        ]
    )
    crontab = env.fs_root / "jails" / "l1" / "custom" / "etc" / "crontab"
    assert crontab.read_text() == CRONTAB_IN_A_JAIL
    # l2's custom is a copy of l1's: upstream comments the jobs once more
    crontab = env.fs_root / "jails" / "l2" / "custom" / "etc" / "crontab"
    assert crontab.read_text() == CRONTAB_IN_A_JAIL.replace("# ", "# # ")
    assert (env.fs_root / "jails" / "l1" / "usr.local" / "etc" / "pkg.conf").is_file()
    assert 'osrelease="14.1-RELEASE"\n' in env.conf_text("l1")


def test_level1_from_level1(env: Env) -> None:
    env.base()
    z = env.zfs_root
    assert pot("create", "-p", "l1", "-b", "14.1")[0] == 0
    zfs("snapshot", "-r", f"{z}/jails/l1@1700000002")
    code, out = pot("create", "-p", "other", "-P", "l1", "-v")
    assert code == 0, out
    assert "=====>  -P l1 induced -b 14.1\n" in out
    assert f"=====>  Import zfs snapshot {z}/jails/l1/usr.local@1700000002\n" in out
    assert "/jails/other/usr.local@1700000002" not in env.datasets()


# ------------------------------------------------------------------ flavours


def test_flavour_gives_the_manual_result(env: Env) -> None:
    env.flavour("nginx-test", NGINX_TEST)
    code, out = pot(*SEED, "-f", "nginx-test")
    assert code == 0, out
    assert out.count("\n") == 14
    assert "===>  flavours     : nginx-test\n" in out
    manual = ("create", "-p", "manual", "-b", "14.1", "-N", "public-bridge", "-t", "single")
    assert pot(*manual)[0] == 0
    for step in (
        ("set-cmd", "-p", "manual", "-c", "nginx -g 'daemon off;'"),
        ("set-attr", "-p", "manual", "-A", "no-rc-script", "-V", "ON"),
        ("set-attr", "-p", "manual", "-A", "persistent", "-V", "NO"),
        ("set-rss", "-p", "manual", "-C", "1"),
    ):
        assert pot(*step) == (0, "")
    expected = env.conf_text("manual").replace(f"manual.{HOST}", f"test.{HOST}")
    assert env.conf_text("test") == expected.replace("ip=10.192.0.4", "ip=10.192.0.3")
    assert env.conf_text("test").endswith(
        "ip=10.192.0.3\npot.cmd=nginx -g 'daemon off;'\npot.attr.no-rc-script=YES\n"
        "pot.attr.persistent=NO\npot.rss.cpus=1\n"
    )


def test_flavours_in_order_and_invalid_lines(env: Env, tmp_path: Path) -> None:
    env.base()
    env.flavour("one", "set-rss -C 2\n# comment\n")
    (tmp_path / "two").write_text("set-rss -C 3\nset-attribute -A start-at-boot -V yes\n")
    os.chdir(tmp_path)
    code, out = pot("create", "-p", "web", "-l", "0", "-b", "14.1", "-f", "one", "-f", "./two")
    assert code == 0
    assert "===>  flavours     : one ./two\n" in out
    assert out.endswith("###>  Flavor one: line # comment not valid - ignoring\n")
    assert env.conf_text("web").endswith("pot.rss.cpus=3\npot.attr.start-at-boot=YES\n")


def test_failing_flavour_rolls_back(env: Env) -> None:
    env.flavour("bad", "set-rss -C 1\nset-attribute -A nope -V 1\n")
    before = env.datasets()
    code, out = pot(*SEED, "-f", "bad")
    assert code == 1
    assert out.endswith("###>  nope is not a valid attribute\n")
    assert env.datasets() == before
    assert env.pot_folders() == []


def test_keep(env: Env) -> None:
    env.flavour("bad", "set-cmd -p x ls\n")
    code, out = pot(*SEED, "-f", "bad", "-k")
    assert code == 1
    assert out.endswith("###>  In flavour only 'set-cmd -c ' is supported\n")
    assert env.datasets() == [*init_tree(), "/jails/test", "/jails/test/m"]
    assert env.pot_folders() == ["test"]


# ------------------------------------------------------------------ bad input


BAD_INPUT = [
    (("-p", "web.1"), f"web.1 is not a valid name for a pot {DOT}"),
    (("-p", "a/b"), "'a/b' is not a valid name for a pot"),
    (("-p", "a@b"), "'a@b' is not a valid name for a pot"),
    (("-p", "a b"), "'a b' is not a valid name for a pot"),
    (("-p", ""), "pot name is missing"),
    (("-p", "web", "-N", "bridge"), "Network type bridge not recognized"),
    (("-p", "web", "-S", "ipv5"), "Network stack ipv5 not valid"),
    (("-p", "web", "-d", "nope"), "'nope' is not a valid dns option"),
    (("-p", "web", "-t", "double"), "Type double not supported"),
    (("-p", "web", "-f", "nothere"), "Flavour nothere not found"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_leaves_nothing(env: Env, args: tuple[str, ...], message: str) -> None:
    before = env.datasets()
    code, out = pot("create", "-t", "single", "-b", "14.1", *args)
    assert code == 1
    assert out.startswith(f"###>  {message}")
    assert out.count("###>") == 1
    assert env.datasets() == before == init_tree()
    assert env.pot_folders() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-b", "nobase"), "nobase is not a valid base"),
        (("-t", "single", "-b", "13.0"), "13.0 is not a valid release"),
    ],
)
def test_missing_base(env: Env, args: tuple[str, ...], message: str) -> None:
    assert pot("create", "-p", "web", *args) == (1, f"###>  {message}\n" + HELP["create"])
    assert env.datasets() == init_tree()
    assert env.pot_folders() == []


def test_release_missing_from_the_mirror(
    env: Env, pot_env: PotEnv, freebsd_mirror: Mirror, tmp_path: Path
) -> None:
    """The datasets are made before the download fails: all of them go again."""
    broken = copy_mirror(freebsd_mirror, tmp_path / "broken")
    broken.tarball.unlink()
    pot_env.write_conf(**broken.conf())
    code, out = pot(*SEED)
    assert code == 1
    assert "===>  Fetching FreeBSD 14.1\n" in out
    # the download's own errors come before (upstream's fetch prints them too)
    assert out.endswith("###>  FreeBSD 14.1 fetch failed - try to continue\n")
    assert env.datasets() == init_tree()
    assert env.pot_folders() == []
    assert os.listdir(env.cache) == []


def test_address_taken(env: Env) -> None:
    assert pot(*SEED)[0] == 0
    code, out = pot("create", "-p", "web", "-t", "single", "-b", "14.1", "-N", "public-bridge",
                    "-i", "10.192.0.3")  # fmt: skip
    assert (code, out) == (
        1,
        "###>  The 10.192.0.3 IP is not valid - run potnet validate -H 10.192.0.3 for more"
        " information\n",
    )
    assert env.pot_folders() == ["test"]


def test_existing_pot(env: Env) -> None:
    assert pot(*SEED)[0] == 0
    assert pot(*SEED) == (1, "###>  pot test already exists\n")


# ------------------------------------------------------------------ interrupted


def test_sigterm_inside_the_process(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    def terminated(*_args: object) -> None:
        raise Terminated()

    monkeypatch.setattr("pot.ops.create._install_release", terminated)
    code, _out = pot(*SEED)
    assert code == 130
    assert env.datasets() == init_tree()
    assert env.pot_folders() == []


def test_real_sigterm_while_extracting(env: Env, tmp_path: Path) -> None:
    """A tar that sends SIGTERM to pot: pot removes what it made and exits 130."""
    folder = tmp_path / "bin"
    folder.mkdir()
    tar = folder / "tar"
    # it leaves the pot's root first, so that nothing of it can keep the dataset busy
    tar.write_text("#!/bin/sh\ncd /\nkill -TERM $PPID\n")
    tar.chmod(0o755)
    environ = dict(os.environ)
    environ["PATH"] = f"{folder}:{environ['PATH']}"
    done = subprocess.run(
        [sys.executable, "-m", "pot", *SEED], env=environ, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 130, done.stdout + done.stderr
    assert done.stdout.endswith("===>  Extract the tarball\n")
    assert env.datasets() == init_tree()
    assert env.pot_folders() == []
