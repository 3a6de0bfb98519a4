"""20 creates at once, as separate processes: every pot gets its own address."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from basebuild import Mirror
from create_env import Env, freebsd_tools
from standins.harness import Standins

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = [pytest.mark.zfs, pytest.mark.slow]

COUNT = 20


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


def _ip(env: Env, pot: str) -> str:
    lines = env.conf_text(pot).splitlines()
    return next(line[3:] for line in lines if line.startswith("ip="))


def test_concurrent_auto_addresses(env: Env) -> None:
    env.base()
    argv = [sys.executable, "-m", "pot", "create", "-l", "0", "-b", "14.1", "-N", "public-bridge"]
    procs = [
        subprocess.Popen(
            [*argv, "-p", f"c{i}", "-i", "auto"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(COUNT)
    ]
    outcomes = [(p.communicate(timeout=600), p.returncode) for p in procs]
    for (out, err), code in outcomes:
        assert (code, err) == (0, ""), out
    ips = [_ip(env, f"c{i}") for i in range(COUNT)]
    assert len(set(ips)) == COUNT
    # the lowest free addresses: 10.192.0.1 is the gateway, .2 the DNS
    assert sorted(ips, key=ipaddress.IPv4Address) == [f"10.192.0.{n}" for n in range(3, 23)]
    for i, ((out, _err), _code) in enumerate(outcomes):
        assert f"===>  ip           : {ips[i]}\n" in out
