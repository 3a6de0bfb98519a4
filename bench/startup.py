"""Start-up time of the installed ``pot`` console script: ``pot version``, median of 20 runs.

Usage: python bench/startup.py [path-to-pot-script]

The default is the ``pot`` script next to this interpreter (not a pyenv shim, whose own
start-up would be measured too). The target is a median under 150 ms.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

RUNS = 20
TARGET_MS = 150.0


def _script() -> str:
    if len(sys.argv) > 1:
        return sys.argv[1]
    beside = Path(sysconfig.get_path("scripts")) / "pot"
    if beside.is_file():
        return str(beside)
    found = shutil.which("pot")
    if found is None:
        sys.exit("no pot script found: pip install -e . first")
    return found


def _once(script: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([script, "version"], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"pot version failed ({done.returncode}): {done.stdout}{done.stderr}")
    return elapsed * 1000


def main() -> int:
    script = _script()
    _once(script)  # warm the page cache and the .pyc files
    times = [_once(script) for _ in range(RUNS)]
    median = statistics.median(times)
    print(f"{script} version: median {median:.1f} ms over {RUNS} runs", end="")
    print(f" (min {min(times):.1f}, max {max(times):.1f}; target < {TARGET_MS:.0f} ms)")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
