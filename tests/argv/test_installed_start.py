"""Acceptance: ``<prefix>/bin/pot start <name>`` of a real non-persistent pot, installed
by etc/install.sh, is what nomad-pot-driver's alive check finds while the pot runs.

The driver runs ``pgrep -f '/bin/sh /usr/local/bin/pot start <name>'`` and needs exactly
one PID while the task lives, none after. The pot is a real dataset on zfs-fuse with a
busybox root; jail and jexec are the stand-ins (a chroot).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from installed import REPO, install
from standins.harness import Standins, busybox_root, wait_for

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

PF_CONF = 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n'
# the host's pgrep: the stand-ins' PATH has its own
PGREP = "/usr/bin/pgrep"
# the development venv's entry point (no venv is made for the test)
POT_PY = REPO / ".venv" / "bin" / "pot"


def _pgrep(pattern: str) -> tuple[int, str]:
    found = subprocess.run([PGREP, "-f", pattern], capture_output=True, text=True, check=False)
    return found.returncode, found.stdout


@pytest.fixture
def web(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> Path:
    """A non-persistent pot ``web`` whose command runs until <root>/tmp/stop exists."""
    potfactory.init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    (tmp_path / "pf.conf").write_text(PF_CONF)
    with standins.edit() as st:
        st["rc_conf"]["pf_rules"] = str(tmp_path / "pf.conf")
    folder = potfactory.single_pot(pot_env.zfs_root, pot_env.fs_root, "web")
    busybox_root(folder / "m")
    command = "sh -c 'while [ ! -e /tmp/stop ]; do sleep 0.05; done'"
    for args in (
        ("set-cmd", "-p", "web", "-c", command),
        ("set-attribute", "-p", "web", "-A", "persistent", "-V", "NO"),
        ("set-attribute", "-p", "web", "-A", "no-rc-script", "-V", "YES"),
    ):
        assert standins.run_pot(*args)[0] == 0
    return folder


@pytest.mark.skipif(not POT_PY.exists(), reason="no .venv/bin/pot in the repository")
def test_pgrep_finds_one_launcher_while_pot_start_runs(
    web: Path, pot_env: PotEnv, tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    install(prefix, POT_PY)
    pattern = f"/bin/sh {prefix}/bin/pot start web"
    log = (tmp_path / "start.log").open("w")
    # the environment of the test: POT_ETC of pot_env, PATH of the stand-ins
    launched = subprocess.Popen(
        [str(prefix / "bin" / "pot"), "start", "web"],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
        start_new_session=True,
    )
    try:
        status = pot_env.tmp / "pot_status_web"
        running = wait_for(lambda: status.exists() and "started" in status.read_text(), 30)
        assert running, (tmp_path / "start.log").read_text()
        assert (pot_env.tmp / "pot_main_pid_web").exists()
        assert _pgrep(pattern) == (0, f"{launched.pid}\n")
        (web / "m" / "tmp" / "stop").touch()
        assert launched.wait(timeout=30) == 0, (tmp_path / "start.log").read_text()
    finally:
        if launched.poll() is None:
            launched.kill()
            launched.wait()
        log.close()
    assert _pgrep(pattern) == (1, "")
    assert status.read_text() == "pot.status=stopped,\n"
    assert (web / "conf" / ".last_run_stats").read_text() == '{ "ExitCode": 0 }\n'
    # ours, the jail stand-in's (their order depends on buffering) and, as upstream's
    # set-status, the (empty) interface list when the command ended
    lines = (tmp_path / "start.log").read_text().splitlines()
    assert sorted(lines) == ["", "===>  Starting the pot web", "web: created"]
