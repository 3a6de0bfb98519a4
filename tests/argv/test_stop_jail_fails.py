"""stop when ``jail -r`` fails: reported, exit 1, the pot stays started (upstream exits 0
and marks a running pot stopped)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from standins.harness import Standins, busybox_root

if TYPE_CHECKING:
    from conftest import PotEnv

pytestmark = pytest.mark.zfs


@pytest.fixture
def host(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> PotEnv:
    potfactory.init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    (tmp_path / "pf.conf").write_text('nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n')
    with standins.edit() as st:
        st["rc_conf"]["pf_rules"] = str(tmp_path / "pf.conf")
    return pot_env


def test_a_failing_jail_remove_is_reported_and_the_pot_stays_started(
    host: PotEnv, standins: Standins
) -> None:
    folder = potfactory.single_pot(host.zfs_root, host.fs_root, "web")
    busybox_root(folder / "m")
    (folder / "m" / "etc" / "rc").write_text("true\n")
    code, out, _ = standins.run_pot("start", "web")
    assert code == 0, out
    status = host.tmp / "pot_status_web"
    assert status.read_text() == "pot.status=started,\n"
    mounts = standins.mounts()

    standins.fail("jail", "-f-", rc=1, err="jail: web: failed\n", times=1)
    assert standins.run_pot("stop", "web") == (
        1,
        "###>  pot web is still running: jail -r failed (exit status 1)\n",
        # jail(8)'s own message reaches stderr, as under upstream
        "jail: web: failed\n",
    )
    assert "web" in standins.jails()
    assert standins.mounts() == mounts
    assert status.read_text() == "pot.status=started,\n"

    assert standins.run_pot("stop", "web")[0] == 0
    assert standins.jails() == {}
    assert status.read_text() == "pot.status=stopped,\n"
