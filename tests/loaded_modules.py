"""Which modules a fresh ``python -I -S`` has loaded when a pot command (or an import) ends.

The start-up tests (tests/cli/test_startup_imports.py, tests/zfs/test_hot_imports_zfs.py)
run the CLI the way etc/install.sh's entry point starts it: -I -S, this tree first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# writes the modules loaded at its end; argv[1] "--module" imports a module instead of
# running the CLI
PROGRAM = """\
import atexit, sys
sys.path[:0] = [{root!r}]
def _modules() -> None:
    with open({out!r}, "w") as f:
        f.write("\\n".join(sorted(sys.modules)))
atexit.register(_modules)
if sys.argv[1] == "--module":
    __import__(sys.argv[2])
else:
    sys.argv = ["pot", *sys.argv[1:]]
    from pot.cli.edge import main
    main()
"""


def loaded(tmp_path: Path, *args: str) -> tuple[int, str, set[str]]:
    """Exit status, stdout and the loaded modules of ``pot ARGS`` (or ``--module NAME``)."""
    out = tmp_path / "modules"
    program = PROGRAM.format(root=str(ROOT), out=str(out))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", program, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, set(out.read_text().split("\n"))
