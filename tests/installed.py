"""etc/install.sh for tests: an installation under a temporary prefix."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INSTALL_SH = REPO / "etc" / "install.sh"
# the system's tools: the stand-in PATH of a test has no cp, sed, mktemp ... for install.sh
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def install(prefix: Path, pot_py: Path | str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``etc/install.sh prefix`` with ``POT_PY=pot_py`` (no venv); it must succeed."""
    environ = {**os.environ, "PATH": SYSTEM_PATH, "POT_PY": str(pot_py), **env}
    done = subprocess.run(
        ["sh", str(INSTALL_SH), str(prefix)],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done
