"""pot init and pot de-init on real ZFS (zfs-fuse), FreeBSD tools stood in."""

from __future__ import annotations

import grp
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from fakebin import FakeBin, freebsd_tools

from pot import zfs
from pot.cli.main import cli
from pot.ops import init
from pot.settings import Settings, load

if TYPE_CHECKING:
    # tests/conftest.py (a plain import would find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

FAREWELL = "".join(line + "\n" for line in init.FAREWELL)


def zfs_text(*args: str) -> str:
    return subprocess.run(["zfs", *args], capture_output=True, text=True, check=True).stdout


def everything(root: str) -> str:
    result = subprocess.run(
        ["zfs", "list", "-H", "-o", "name", "-t", "all", "-r", root],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def pot(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    return freebsd_tools(tmp_path / "bin", monkeypatch)


def test_init_minimal_on_a_fresh_root(pot_env: PotEnv, tools: FakeBin) -> None:
    root, fs = pot_env.zfs_root, pot_env.fs_root
    lz4 = "lz4" if zfs.capabilities().lz4 else "on"
    assert pot("init", "-m") == (0, "", "")
    assert everything(root) == "".join(
        f"{root}{child}\n" for child in ("", "/bases", "/cache", "/fscomp", "/jails")
    )
    props = zfs_text(
        "get", "-H", "-r", "-o", "name,property,value,source",
        "mountpoint,canmount,compression,atime", root,
    )  # fmt: skip
    inherited = f"inherited from {root}"
    assert props.splitlines() == [
        f"{root}\tmountpoint\t{fs}\tlocal",
        f"{root}\tcanmount\toff\tlocal",
        f"{root}\tcompression\t{lz4}\tlocal",
        f"{root}\tatime\toff\tlocal",
        *[
            line
            for child in ("bases", "cache", "fscomp", "jails")
            for line in (
                (
                    f"{root}/{child}\tmountpoint\t{pot_env.cache}\tlocal"
                    if child == "cache"
                    else f"{root}/{child}\tmountpoint\t{fs}/{child}\t{inherited}"
                ),
                f"{root}/{child}\tcanmount\ton\tdefault",
                (
                    f"{root}/{child}\tcompression\toff\tlocal"
                    if child == "cache"
                    else f"{root}/{child}\tcompression\t{lz4}\t{inherited}"
                ),
                f"{root}/{child}\tatime\toff\t{inherited}",
            )
        ],
    ]
    assert zfs_text("get", "-H", "-r", "-o", "value", "mounted", root).split() == [
        "no",
        *["yes"] * 4,
    ]
    assert sorted(p.name for p in fs.iterdir()) == ["bases", "bridges", "fscomp", "jails"]
    assert (fs.stat().st_mode & 0o7777, fs.stat().st_uid) == (0o750, 0)
    assert fs.stat().st_gid == grp.getgrnam("root").gr_gid
    assert pot_env.cache.is_dir()
    # -m: no sysrc, no pf; the network checks ask ifconfig about POT_EXTIF
    assert tools.calls() == [["ifconfig", "em0"]]


def test_init_again_is_idempotent(pot_env: PotEnv, tools: FakeBin) -> None:
    root = pot_env.zfs_root
    assert pot("init", "-m")[0] == 0
    before = everything(root)
    assert pot("init", "-m") == (0, f"===>  {root} already present\n", "")
    assert everything(root) == before


def test_init_mounts_an_unmounted_dataset_again(pot_env: PotEnv, tools: FakeBin) -> None:
    root = pot_env.zfs_root
    assert pot("init", "-m")[0] == 0
    subprocess.run(["zfs", "unmount", f"{root}/jails"], check=True)
    assert pot("init", "-m") == (0, f"===>  {root} already present\n", "")
    assert zfs_text("get", "-H", "-o", "value", "mounted", f"{root}/jails") == "yes\n"


def test_init_verbose_debug_lines(pot_env: PotEnv, tools: FakeBin) -> None:
    root, fs = pot_env.zfs_root, pot_env.fs_root
    code, out, _ = pot("init", "-m", "-v")
    assert code == 0
    shown = [line for line in out.splitlines() if "CMD >" not in line and "exit status" not in line]
    assert shown == [
        f"=====>  creating {root} file system (mountpoint {fs}",
        f"=====>  creating {root}/bases",
        f"=====>  creating {root}/jails",
        f"=====>  creating {root}/fscomp",
        f"=====>  creating {root}/cache mounted as {pot_env.cache}",
        "=====>  pf configuration skipped",
    ]  # fmt: skip


def test_init_refuses_a_root_mounted_elsewhere(
    pot_env: PotEnv, tools: FakeBin, tmp_path: Path
) -> None:
    root = pot_env.zfs_root
    subprocess.run(["zfs", "create", "-o", f"mountpoint={tmp_path / 'other'}", root], check=True)
    assert pot("init", "-m") == (1, f"###>  {root} is an invalid POT root\n", "")
    assert everything(root) == f"{root}\n"


def test_init_missing_group(pot_env: PotEnv, tools: FakeBin) -> None:
    pot_env.write_conf(POT_GROUP="no_such_group_here")
    assert pot("init", "-m") == (
        1,
        "###>  init Group 'no_such_group_here' is missing, create it or change POT_GROUP\n"
        "###>  init Configuration not valid, please verify it\n",
        "",
    )
    assert everything(pot_env.zfs_root) == ""


@pytest.mark.parametrize(
    ("conf", "message"),
    [
        (
            {"POT_GATEWAY": "10.1.0.1"},
            "The network configuration in the pot configuration file is not valid",
        ),
        (
            {"POT_NETMASK": "255.255.0.0"},
            "The network configuration in the pot configuration file is not valid",
        ),
        ({"POT_EXTIF": "em9"}, "The network interface em9 seems not valid [POT_EXTIF]"),
        (
            {"POT_EXTIF_ADDR": "192.168.0.300"},
            "The value 192.168.0.300 [POT_EXTIF_ADDR] is not a valid IPv4 address",
        ),
        (
            {"POT_EXTIF_ADDR": "192.168.0.1"},
            "The IP address 192.168.0.1 [POT_EXTIF_ADDR] is not available on the network"
            " interface em0 [POT_EXTIF]",
        ),
        (
            {"POT_EXTRA_EXTIF": "'em0 lo9'"},
            "The network interface lo9 seems not valid [POT_EXTRA_EXTIF]",
        ),
    ],
)  # fmt: skip
def test_init_network_checks(
    pot_env: PotEnv, tools: FakeBin, conf: dict[str, str], message: str
) -> None:
    pot_env.write_conf(**conf)
    assert pot("init", "-m") == (1, f"###>  {message}\n", "")
    # as upstream, the checks come after the datasets have been made
    assert f"{pot_env.zfs_root}/jails\n" in everything(pot_env.zfs_root)


def test_init_accepts_extif_address_and_extra_interfaces(pot_env: PotEnv, tools: FakeBin) -> None:
    pot_env.write_conf(POT_EXTIF_ADDR="192.168.0.10", POT_EXTRA_EXTIF="em0")
    assert pot("init", "-m") == (0, "", "")
    assert tools.calls() == [["ifconfig", "em0"], ["ifconfig", "em0", "inet"], ["ifconfig", "em0"]]


def test_init_writes_pf_anchors_once(pot_env: PotEnv, tools: FakeBin, tmp_path: Path) -> None:
    pf = tmp_path / "pf.conf"
    pf.write_text("nat-anchor pot-nat\npass all\n")
    code, out, _ = pot("init", "-s", "-p", str(pf))
    assert code == 0
    assert out == (
        f"Creating a backup of your {pf}\n"
        f"{pf} -> {pf}.bkp-pot\n"
        f"auto-magically editing your {pf}\n"
        f"Please, check that your PF configuration file {pf} is still valid and reload it!\n"
    )
    assert pf.read_text() == 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\npass all\n'
    assert Path(f"{pf}.bkp-pot").read_text() == "nat-anchor pot-nat\npass all\n"
    assert pot("init", "-s", "-f", str(pf)) == (
        0,
        f"===>  {pot_env.zfs_root} already present\n",
        "",
    )
    assert pf.read_text() == 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\npass all\n'
    assert [c for c in tools.calls() if c[0] == "sysrc"] == []


def test_init_last_of_m_and_p_decides_the_pf_file(
    pot_env: PotEnv, tools: FakeBin, tmp_path: Path
) -> None:
    pf = tmp_path / "pf.conf"
    assert pot("init", "-p", str(pf), "-m")[0] == 0
    assert not pf.exists()
    # -m before -p: the pf file is written, and syslogd is still left alone
    code, out, _ = pot("init", "-m", "-p", str(pf))
    assert code == 0
    assert pf.read_text() == 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n'
    assert f"auto-magically editing your {pf}\n" in out
    assert [c for c in tools.calls() if c[0] == "sysrc"] == []


def test_init_syslogd_and_default_pf_file(pot_env: PotEnv, tools: FakeBin, tmp_path: Path) -> None:
    """The library call with the host's files redirected (the CLI would touch /etc)."""
    host = init.HostFiles(tmp_path / "rc.conf", (tmp_path / "syslog.d", tmp_path / "log" / "pot"))
    host.rc_conf.write_text('pf_enable="YES"\n')
    pf = tmp_path / "pf.conf"
    said: list[str] = []
    init.init(load(pot_env.etc), pf_file=str(pf), alter_syslog=True, say=said.append, host=host)
    assert said == [
        f"Creating a backup of your {host.rc_conf}",
        f"{host.rc_conf} -> {host.rc_conf}.bkp-pot",
        f"auto-magically editing your {pf}",
        f"Please, check that your PF configuration file {pf} is still valid and reload it!",
    ]
    assert all(folder.is_dir() for folder in host.log_dirs)
    assert Path(f"{host.rc_conf}.bkp-pot").read_text() == 'pf_enable="YES"\n'
    assert tools.calls() == [
        ["ifconfig", "em0"],
        ["sysrc", "-q", "syslogd_flags=-b 127.0.0.1 -b 10.192.0.1 -a 10.192.0.0/10"],
    ]
    assert init.default_pf_file() == "/etc/pf.conf"


# --------------------------------------------------------------------------- de-init


def test_de_init_minimal_destroys_only_the_pot_root(
    pot_env: PotEnv, tools: FakeBin, zpool: str
) -> None:
    root = pot_env.zfs_root
    sibling = f"{root}-sibling"
    subprocess.run(["zfs", "create", sibling], check=True)
    try:
        assert pot("init", "-m")[0] == 0
        before = everything(zpool)
        assert pot("de-init", "-m") == (
            0,
            f"===>  Deinstall pot ({root})\nzfs datasets have been removed\n" + FAREWELL,
            "",
        )
        assert everything(root) == ""
        assert everything(zpool) == "".join(
            line + "\n"
            for line in before.splitlines()
            if line != root and not line.startswith(f"{root}/")
        )
        assert f"{sibling}\n" in everything(zpool)
    finally:
        subprocess.run(["zfs", "destroy", "-r", sibling], check=False)


def test_de_init_without_a_root(pot_env: PotEnv, tools: FakeBin) -> None:
    assert pot("de-init", "-m") == (
        0,
        f"===>  no root dataset found ({pot_env.zfs_root})\nzfs datasets have been removed\n"
        + FAREWELL,
        "",
    )


def _running_web(pot_env: PotEnv, tools: FakeBin) -> None:
    """An initialised root with pots api and web, of which web runs."""
    tools.tool("jls", {"-j web": ("", 0), "*": ("", 1)})
    assert pot("init", "-m")[0] == 0
    for name in ("web", "api"):
        (pot_env.fs_root / "jails" / name).mkdir()


def test_de_init_refuses_while_a_pot_runs(pot_env: PotEnv, tools: FakeBin) -> None:
    _running_web(pot_env, tools)
    assert pot("de-init", "-m") == (
        1,
        "###>  At least on pot is still running. Use -f to force the stop of all pots\n",
        "",
    )
    assert f"{pot_env.zfs_root}\n" in everything(pot_env.zfs_root)
    jls = [c for c in tools.calls() if c[0] == "jls"]
    assert jls == [["jls", "-j", "api"], ["jls", "-j", "web"]]


def test_de_init_force_stops_the_running_pots(pot_env: PotEnv, tools: FakeBin) -> None:
    _running_web(pot_env, tools)
    stopped: list[str] = []
    said: list[str] = []
    settings = load(pot_env.etc)

    def stop(s: Settings, name: str) -> None:
        assert s is settings
        stopped.append(name)

    init.deinit(settings, force=True, pf_file="", stop=stop, say=said.append)
    assert stopped == ["web"]
    assert said == ["zfs datasets have been removed", *init.FAREWELL]
    assert everything(pot_env.zfs_root) == ""


def test_de_init_cleans_the_pf_file(pot_env: PotEnv, tools: FakeBin, tmp_path: Path) -> None:
    pf = tmp_path / "pf.conf"
    pf.write_text('nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\npass all\nnat-anchor pot-nat\n')
    assert pot("de-init", "-p", str(pf)) == (
        0,
        f"===>  no root dataset found ({pot_env.zfs_root})\nzfs datasets have been removed\n"
        f"pf configuration file should be clean\n  - please check {pf} and reload it\n" + FAREWELL,
        "",
    )
    assert pf.read_text() == "pass all\n"
