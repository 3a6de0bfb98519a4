"""The commands nomad-pot-driver runs every second load no heavy standard module.

Not a timing test (bench/hotpath.py measures the time): a fresh ``python -I -S`` runs
the CLI the way the installed entry point does, on a real pot, and reports the modules
it had loaded when it ended. Each module in FORBIDDEN costs these commands a
measurable part of their start-up (pathlib alone, with the fnmatch, re, enum and
urllib.parse it loads, about as much as the rest of the command).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from loaded_modules import loaded
from potcli import PotCli
from standins.harness import Standins

pytestmark = pytest.mark.zfs

FORBIDDEN = frozenset(
    {
        "click",
        "pathlib",
        "re",
        "enum",
        "fnmatch",
        "glob",
        "urllib",
        "ipaddress",
        "subprocess",
        "contextlib",
        "functools",
        "collections",
        "dataclasses",
        "typing",
        "logging",
        "traceback",
        "json",
        "tempfile",
        "secrets",
        "shlex",
        "warnings",
    }
)

HOT = [
    ("get-rss", "-p", "hot", "-J"),
    ("last-run-stats", "-p", "hot"),
    ("ls", "-q"),
    # as nomad-pot-driver signals a task: its main process (-f: whether pkill finds it
    # in the stand-in jail does not matter here)
    ("signal", "-s", "SIGHUP", "-p", "hot", "-f"),
    ("info", "-p", "hot", "-r"),
    ("get-attr", "-p", "hot", "-A", "start-at-boot"),
    ("version",),
]


@pytest.fixture
def env(pot_cli: PotCli, standins: Standins) -> PotCli:
    cli = pot_cli
    cli.single("hot")
    cli.set("hot", "pot.attr.persistent", "NO")
    (cli.tmp / "pot_main_pid_hot").write_text(f"{os.getpid()}\n")
    cli.start("hot")
    standins.set_sysctl("kern.racct.enable", "1")
    return cli


@pytest.mark.parametrize("args", HOT, ids=lambda args: args[0])
def test_hot_commands_load_no_heavy_module(
    env: PotCli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    code, stdout, modules = loaded(tmp_path, *args)
    assert code == 0, stdout
    assert sorted(modules & FORBIDDEN) == []
    # the check sees what it should: the command's own modules were loaded
    assert "pot.cli.edge" in modules


def test_the_check_notices_a_heavy_module(env: PotCli, tmp_path: Path) -> None:
    # info -v is not on the hot path: its address checks load re (and enum)
    code, _, modules = loaded(tmp_path, "info", "-p", "hot", "-v")
    assert code == 0
    assert {"re", "enum"} <= modules & FORBIDDEN
