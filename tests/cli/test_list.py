"""pot list / ls without ZFS: options, errors, bases, flavours, bridges, empty pot list."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cli_env import CliEtc
from click.testing import CliRunner
from standins.harness import Standins

from pot.cli.helptext import help_text
from pot.cli.main import cli

HELP = help_text("list")
EXCLUSIVE = "###>  Options -b -p -f -F -B -a are mutually exclusive\n"


def pot(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", ["list", "ls"])
def test_no_pot(cli_etc: CliEtc, name: str) -> None:
    assert pot(name) == (0, "No pot created yet...\n", "")
    assert pot(name, "-p") == (0, "No pot created yet...\n", "")
    assert pot(name, "-q") == (0, "", "")
    (cli_etc.fs_root / "jails").mkdir()
    assert pot(name, "-v") == (0, "No pot created yet...\n", "")


def test_help(cli_etc: CliEtc) -> None:
    assert pot("ls", "-h") == (0, HELP, "")


def test_illegal_option(cli_etc: CliEtc) -> None:
    assert pot("ls", "-Z") == (1, HELP, "Illegal option -Z\n")


@pytest.mark.parametrize(
    "args",
    [
        ["-b", "-f"],
        ["-p", "-p"],
        ["-pp"],
        ["-a", "-F"],
        ["-B", "-b"],
        ["-f", "-q", "-p"],
        ["-a", "-a"],
    ],
)
def test_kinds_are_mutually_exclusive(cli_etc: CliEtc, args: list[str]) -> None:
    assert pot("ls", *args) == (1, EXCLUSIVE + HELP, "")


@pytest.mark.parametrize("args", [["-a", "-q"], ["-q", "-a"], ["-qa"]])
def test_all_and_quiet_are_incompatible(cli_etc: CliEtc, args: list[str]) -> None:
    assert pot("ls", *args) == (1, "###>  Options -a and -q are incompatible\n" + HELP, "")


def test_bases(cli_etc: CliEtc) -> None:
    bases = cli_etc.fs_root / "bases"
    for name in ("14.1", "13.2", ".hidden"):
        (bases / name).mkdir(parents=True)
    (bases / "not-a-base").write_text("")
    assert pot("ls", "-b") == (0, "bases: 13.2\nbases: 14.1\n", "")
    assert pot("ls", "-b", "-q") == (0, "13.2\n14.1\n", "")


def test_no_bases_folder(cli_etc: CliEtc) -> None:
    assert pot("ls", "-b") == (0, "", "")


def test_flavours(cli_etc: CliEtc) -> None:
    folder = cli_etc.etc / "flavours"
    folder.mkdir()
    for name in ("dns", "dns.sh", "slim", "fbsd-update.sh", "ssh", ".hidden"):
        (folder / name).write_text("")
    assert pot("ls", "-F") == (
        0,
        "flavour: dns\nflavour: fbsd-update\nflavour: slim\nflavour: ssh\n",
        "",
    )
    assert pot("ls", "-F", "-q") == (0, "dns\nfbsd-update\nslim\nssh\n", "")


def test_flavours_two_scripts_both_listed(cli_etc: CliEtc) -> None:
    # upstream's `xargs basename a.sh b.sh` takes b.sh as a suffix and prints only "a"
    folder = cli_etc.etc / "flavours"
    folder.mkdir()
    for name in ("a.sh", "b.sh"):
        (folder / name).write_text("")
    assert pot("ls", "-F", "-q") == (0, "a\nb\n", "")


def test_no_flavour_folder(cli_etc: CliEtc) -> None:
    assert pot("ls", "-F") == (0, "", "")


def test_bridges(cli_etc: CliEtc) -> None:
    bridges = cli_etc.fs_root / "bridges"
    bridges.mkdir()
    (bridges / "stage").write_text("net=10.1.0.0/28\n")
    (bridges / "prod").write_text("net=10.2.0.0/28\n")
    assert pot("ls", "-B") == (0, "bridge: prod\nbridge: stage\n", "")
    assert pot("ls", "-B", "-q") == (0, "prod\nstage\n", "")


def test_pots_without_zfs(cli_etc: CliEtc, standins: Standins) -> None:
    jails = cli_etc.fs_root / "jails"
    (jails / "web" / "conf").mkdir(parents=True)
    (jails / "web" / "conf" / "pot.conf").write_text(
        "pot.level=0\nnetwork_type=public-bridge\nip=10.192.0.3\n"
    )
    (jails / "db" / "conf").mkdir(parents=True)
    (jails / "db" / "conf" / "pot.conf").write_text("network_type=inherit\n")
    (jails / "web" / "m").mkdir()
    # web runs: a persistent jail of the stand-in jail(8)
    web = ["jail", "-c", "name=web", f"path={jails / 'web' / 'm'}", "persist"]
    subprocess.run(web, check=True, capture_output=True)
    standins.clear_calls()
    assert pot("ls") == (
        0,
        "pot name : db\n\tnetwork : inherit\n\tactive : false\n\n"
        "pot name : web\n\tnetwork : public-bridge\n\tip : 10.192.0.3\n\tactive : true\n\n",
        "",
    )
    assert pot("ls", "-q") == (0, "db\nweb\n", "")
    # one jls for every pot (and none for -q)
    assert standins.calls() == [["jls", "name"]]


def test_verbose_prints_no_note_of_ours(
    cli_etc: CliEtc, standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pot without fscomp.conf: upstream's ls -v says nothing about it, ours only from -vv
    folder = cli_etc.fs_root / "jails" / "web"
    (folder / "conf").mkdir(parents=True)
    (folder / "conf" / "pot.conf").write_text("pot.level=0\nnetwork_type=inherit\n")
    # no ZFS in the CLI tests: a zfs whose lists are empty, before the stand-ins
    nozfs = tmp_path / "nozfs"
    nozfs.mkdir()
    (nozfs / "zfs").write_text('#!/bin/sh\n[ "$1" = list ]\n')
    (nozfs / "zfs").chmod(0o755)
    monkeypatch.setenv("PATH", f"{nozfs}{os.pathsep}{os.environ['PATH']}")
    block = (
        "pot name : web\n\tnetwork : inherit\n\tactive : false\n\tbase : \n\tlevel : 0\n"
        "\tdatasets:\n\tsnapshot:\n\t\tno snapshots\n\n"
    )
    assert pot("ls", "-v") == (0, block, "")
    code, out, err = pot("ls", "-vv")
    assert (code, out) == (0, block)
    assert f"=====>  {folder / 'conf' / 'fscomp.conf'}: cannot be read" in err


def test_pots_in_upstreams_ls_order(cli_etc: CliEtc, standins: Standins) -> None:
    # upstream lists `ls -d jails/*/`: "test-flavour/" sorts before "test/" ('-' < '/')
    jails = cli_etc.fs_root / "jails"
    for name in ("test", "test-flavour", "test.1", "tesu", "Test"):
        (jails / name / "conf").mkdir(parents=True)
    assert pot("ls", "-q") == (0, "Test\ntest-flavour\ntest.1\ntest\ntesu\n", "")
    _, out, _ = pot("ls")
    names = [line.split(" : ")[1] for line in out.splitlines() if line.startswith("pot name")]
    assert names == ["Test", "test-flavour", "test.1", "test", "tesu"]


def test_bases_in_upstreams_ls_order(cli_etc: CliEtc) -> None:
    bases = cli_etc.fs_root / "bases"
    for name in ("14.1", "14.1-custom", "14.10"):
        (bases / name).mkdir(parents=True)
    assert pot("ls", "-b", "-q") == (0, "14.1-custom\n14.1\n14.10\n", "")
