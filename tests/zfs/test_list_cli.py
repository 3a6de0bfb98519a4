"""pot list / ls on real ZFS: pots built by hand, verbose blocks, fscomps, everything."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from click.testing import CliRunner
from fakebin import FakeBin, freebsd_tools

from pot.cli.main import cli

if TYPE_CHECKING:
    # tests/conftest.py (a plain import would find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs


def pot(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    fake = freebsd_tools(tmp_path / "bin", monkeypatch)
    fake.tool("jls", {"-j web": ("", 0), "name": ("web\n", 0), "*": ("", 1)})
    return fake


@pytest.fixture
def layout(pot_env: PotEnv, tools: FakeBin) -> PotEnv:
    """An initialised root with a single pot 'web' (public bridge, running, two snapshots
    over both datasets) and a multi level-2 pot 'app' written by hand (inherit, stopped).
    """
    root, fs = pot_env.zfs_root, pot_env.fs_root
    potfactory.init_layout(root, fs, pot_env.cache)
    potfactory.single_pot(root, fs, "web", network_type="public-bridge", ip="10.192.0.3")
    for snap in ("1700000000", "1700000100"):
        subprocess.run(["zfs", "snapshot", "-r", f"{root}/jails/web@{snap}"], check=True)
    subprocess.run(["zfs", "create", f"{root}/jails/app"], check=True)
    conf = fs / "jails" / "app" / "conf"
    conf.mkdir()
    (conf / "pot.conf").write_text(
        "pot.level=2\npot.type=multi\npot.base=13.2\npot.potbase=web\n"
        'network_type="inherit"\nvnet=false\n'
    )
    (conf / "fscomp.conf").write_text(
        f"{root}/bases/13.2 {fs}/jails/app/m ro\n"
        f"{root}/jails/app/custom {fs}/jails/app/m/opt/custom zfs-remount\n"
        f"{root}/fscomp/data /mnt/data\n"
    )
    for fscomp in ("data", "logs"):
        subprocess.run(["zfs", "create", f"{root}/fscomp/{fscomp}"], check=True)
    (fs / "bases" / "13.2").mkdir()
    (fs / "bridges" / "stage").write_text("")
    return pot_env


APP = "pot name : app\n\tnetwork : inherit\n\tactive : false\n\n"
WEB = "pot name : web\n\tnetwork : public-bridge\n\tip : 10.192.0.3\n\tactive : true\n\n"


def test_pots(layout: PotEnv) -> None:
    assert pot("ls") == (0, APP + WEB, "")
    assert pot("list", "-p") == (0, APP + WEB, "")
    assert pot("ls", "-q") == (0, "app\nweb\n", "")


def test_pots_verbose(layout: PotEnv, tools: FakeBin) -> None:
    root = layout.zfs_root
    app = (
        "pot name : app\n\tnetwork : inherit\n\tactive : false\n"
        "\tbase : 13.2\n\tlevel : 2\n\tbase pot : web\n"
        "\tdatasets:\n"
        "\t\tapp/m => bases/13.2\n"
        "\t\tapp/m/opt/custom => jails/app/custom\n"
        "\t\t/mnt/data => fscomp/data\n"
        "\tsnapshot:\n\t\tno snapshots\n\n"
    )
    web = (
        "pot name : web\n\tnetwork : public-bridge\n\tip : 10.192.0.3\n\tactive : true\n"
        "\tbase : 14.1\n\tlevel : 0\n"
        "\tdatasets:\n"
        "\tsnapshot:\n"
        f"\t\t{root}/jails/web@1700000000\n"
        f"\t\t{root}/jails/web@1700000100\n"
        f"\t\t{root}/jails/web/m@1700000000\n"
        f"\t\t{root}/jails/web/m@1700000100\n\n"
    )
    # -v prints what upstream prints and nothing else
    assert pot("ls", "-v") == (0, app + web, "")
    # one jls for every pot
    assert tools.calls() == [["jls", "name"]]
    # from -vv, our trace of the commands run, on stderr: the snapshots of every pot come
    # from one zfs call
    code, out, err = pot("ls", "-vv")
    assert (code, out) == (0, app + web)
    assert err.splitlines() == [
        "=====>  CMD > jls name",
        f"=====>  CMD > zfs list -H -o name -t snapshot -r {root}/jails",
    ]


def test_fscomps(layout: PotEnv) -> None:
    assert pot("ls", "-f") == (0, "fscomp: data\nfscomp: logs\n", "")
    assert pot("ls", "-f", "-q") == (0, "data\nlogs\n", "")


def test_everything(layout: PotEnv) -> None:
    flavours = layout.etc / "flavours"
    (flavours / "slim").write_text("")
    assert pot("ls", "-a") == (
        0,
        "bases: 13.2\n" + APP + WEB + "fscomp: data\nfscomp: logs\nflavour: slim\nbridge: stage\n",
        "",
    )


def test_everything_without_pots(pot_env: PotEnv, tools: FakeBin) -> None:
    potfactory.init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    assert pot("ls", "-a") == (0, "No pot created yet...\n", "")


def test_fscomps_without_a_root(pot_env: PotEnv) -> None:
    pot_env.fs_root.mkdir()
    assert pot("ls", "-f") == (0, "", "")
