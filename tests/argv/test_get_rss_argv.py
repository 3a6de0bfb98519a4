"""get-rss through the stand-ins: jls, sysctl and rctl calls, the plain report and the
JSON that nomad-pot-driver parses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from standins.harness import Standins, run_pot

from pot.cli.commands.get_rss import json_line, text
from pot.cli.helptext import help_text
from pot.ops.attrs import RssUsage

RCTL = """\
cputime=12
datasize=4096
memoryuse=52428800
vmemoryuse=104857600
swapuse=0
pcpu=25
"""


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standins: Standins) -> Standins:
    """A POT_ETC (no ZFS needed: get-rss looks only at jls) and the stand-ins."""
    (tmp_path / "pot").mkdir()
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "pot.conf").write_text(f"POT_FS_ROOT={tmp_path / 'pot'}\n")
    monkeypatch.setenv("POT_ETC", str(tmp_path / "etc"))
    standins.set_sysctl("hw.clockrate", "2400")
    return standins


def _running(host: Standins, rctl: str = RCTL) -> None:
    host.fail("jls", "-j", "web", rc=0)
    host.fail("rctl", "-u", "jail:web", rc=0, out=rctl)


def test_plain_report(host: Standins) -> None:
    _running(host)
    host.set_sysctl("kern.racct.enable", "1")
    assert run_pot("get-rss", "-p", "web") == (
        0,
        "Resource usage by the pot web\n"
        "\tcpu time (ticks spent) : 12\n"
        "\tcpu time (MHz)         : 600.000\n"
        "\tpcpu (%)               : 25\n"
        "\tvirtual memory         : 104857600\n"
        "\tphysical memory        : 52428800\n"
        "\tswap memory            : 0\n",
        "",
    )
    assert host.calls() == [
        ["jls", "-j", "web"],
        ["sysctl", "-qn", "kern.racct.enable"],
        ["sysctl", "-n", "hw.clockrate"],
        ["rctl", "-u", "jail:web"],
    ]


def test_json_for_the_nomad_driver(host: Standins) -> None:
    _running(host)
    host.set_sysctl("kern.racct.enable", "1")
    code, out, _ = run_pot("get-rss", "-J", "-p", "web")
    assert (code, out) == (
        0,
        '{ "ResourceUsage": { "MemoryStats": { "RSS" : 52428800, "Swap" : 0 }, '
        '"CpuStats": { "TotalTicks": 600.000, "Percent": 25 } } } \n',
    )
    assert json.loads(out) == {
        "ResourceUsage": {
            "MemoryStats": {"RSS": 52428800, "Swap": 0},
            "CpuStats": {"TotalTicks": 600.0, "Percent": 25},
        }
    }


def test_json_stays_valid_where_upstreams_breaks() -> None:
    # bc prints .500 and an empty rctl value leaves a hole: both were invalid JSON
    usage = RssUsage("web", "", ".500", "", "", "", "")
    parsed = json.loads(json_line(usage))
    assert parsed["ResourceUsage"] == {
        "MemoryStats": {"RSS": 0, "Swap": 0},
        "CpuStats": {"TotalTicks": 0.5, "Percent": 0},
    }
    assert text(usage).splitlines()[2] == "\tcpu time (MHz)         : .500"


def test_errors(host: Standins) -> None:
    assert run_pot("get-rss") == (1, "###>  A pot name is mandatory\n" + help_text("get-rss"), "")
    assert run_pot("get-rss", "-p", "web") == (1, "###>  The pot web is not running\n", "")
    _running(host)
    assert run_pot("get-rss", "-p", "web", "-J") == (
        1,
        "###>  To get resource usage, rctl has to be enabled\n",
        "",
    )
    assert [c[0] for c in host.calls()] == ["jls", "jls", "sysctl"]


def test_root_comes_before_rctl(host: Standins, monkeypatch: pytest.MonkeyPatch) -> None:
    _running(host)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert run_pot("get-rss", "-p", "web") == (
        1,
        "###>   This operation needs 'root' privilegies\n",
        "",
    )
    assert [c[0] for c in host.calls()] == ["jls"]
