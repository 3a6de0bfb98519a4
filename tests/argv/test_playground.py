"""The Linux playground (.ci/playground.py) in its non-interactive mode: pot works in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.zfs

REPO = Path(__file__).resolve().parent.parent.parent
SCRIPT = """
pot create -p web -b 14.1 -t single
pot set-attr -p web -A persistent -V YES
pot start web
pot exec -p web cat /etc/os-release-marker || pot exec -p web ls /
pot stop web
pot snapshot -p web
pot export -p web -t 1.0 -D "$IMAGES"
pot import -p web -t 1.0 -U "file://$IMAGES"
pot ls -q
echo "$PLAYGROUND_POOL" > "$OUT/pool"
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="zfs-fuse pools need root")
def test_the_seed_commands_work_and_the_pool_goes(tmp_path: Path) -> None:
    env = {**os.environ, "OUT": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(REPO / ".ci" / "playground.py"), "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("web\nweb_1_0\n"), done.stdout
    assert "===>  Starting the pot web\n" in done.stdout
    pool = (tmp_path / "pool").read_text().strip()
    assert pool.startswith("potplay_")
    # the playground's pool is gone once it has ended
    after = subprocess.run(
        ["zpool", "list", "-H", "-o", "name"], capture_output=True, text=True, check=False
    ).stdout.split()
    assert pool not in after
