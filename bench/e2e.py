"""pot export / pot import on real zfs-fuse datasets against upstream's way, in one run.

Usage: python bench/e2e.py [--size MB] [--runs N] [--level N] [--json FILE]

A private pool (``potbench_e2e_<pid>`` on a sparse file; no other pool is touched) gets a
pot layout (``pot init -m``) and one single-dataset pot whose root holds about --size MB of
real files (/usr/share, /usr/lib), snapshotted. Then, variants interleaved, --runs times:

* export, upstream: ``zfs send -R Z/jails/bench@S | xz -6 -T0 > f; echo - > f.meta;
  cat f f.meta | skein1024 -q > f.skein``
* export, ours: ``pot export -p bench -t 1.0 -D DIR -l 6``
* import, upstream: ``cp`` into POT_CACHE (what fetch of a file:// URL does), ``cat f f.meta |
  skein1024 -q | cmp f.skein -``, ``xzcat f | zfs receive Z/jails/bench_1_0``
* import, ours: ``pot import -p bench -t 1.0 -U file://DIR`` (its cache emptied before)

Every variant is a child process timed with wait4(2) (wall; user+sys of it and its
children; peak RSS). zfs-fuse's own work for send and receive is in its daemon, the same
for both sides. The received pot is destroyed between runs, untimed. The skein1024 command
and the timing helpers are bench/images.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

import images as bench  # noqa: E402  (bench/images.py)
import potfactory  # noqa: E402  (tests/potfactory.py)

UPSTREAM_EXPORT = (
    'zfs send -R "$1" | xz -"$3" -T 0 > "$2" && echo - > "$2.meta" '
    '&& cat "$2" "$2.meta" | "$4" -q > "$2.skein"'
)
UPSTREAM_IMPORT = (
    'cp "$1" "$1.meta" "$1.skein" "$2/" && f="$2/$(basename "$1")" '
    '&& cat "$f" "$f.meta" | "$3" -q | cmp -s "$f.skein" - && xzcat "$f" | zfs receive "$4"'
)


def zfs(*args: str) -> str:
    return subprocess.run(["zfs", *args], check=True, capture_output=True, text=True).stdout


def destroy(dataset: str) -> None:
    # zfs-fuse calls a dataset busy for a moment after heavy use: retry, as pot does
    for _ in range(30):
        done = subprocess.run(
            ["zfs", "destroy", "-r", "-f", dataset], capture_output=True, text=True, check=False
        )
        if done.returncode == 0 or "does not exist" in done.stderr:
            return
        time.sleep(1)
    sys.exit(f"cannot destroy {dataset}")


class Setup:
    """The pool, the pot configuration and the pot to export."""

    def __init__(self, work: Path, size: int) -> None:
        self.work = work
        self.pool = f"potbench_e2e_{os.getpid()}"
        self.zroot = f"{self.pool}/pot"
        self.etc = work / "etc"
        self.fs_root = work / "pot"
        self.cache = work / "cache"
        image = work / "pool.img"
        with image.open("wb") as f:
            f.truncate(4 * size + (1 << 30))
        subprocess.run(
            ["zpool", "create", "-m", str(work / "mnt"), self.pool, str(image)], check=True
        )
        try:
            self._populate(size)
        except BaseException:
            self.close()
            raise

    def _populate(self, size: int) -> None:
        work = self.work
        # FreeBSD's jls, as a host without jails answers it (export and snapshot ask)
        self.fakes = work / "fakes"
        self.fakes.mkdir()
        (self.fakes / "jls").write_text('#!/bin/sh\necho "jls: jail not found" >&2\nexit 1\n')
        (self.fakes / "jls").chmod(0o755)
        (self.etc / "flavours").mkdir(parents=True)
        (work / "tmp").mkdir()
        (self.etc / "pot.conf").write_text(
            f"POT_ZFS_ROOT={self.zroot}\nPOT_FS_ROOT={self.fs_root}\n"
            f"POT_CACHE={self.cache}\nPOT_TMP={work / 'tmp'}\nPOT_GROUP=root\n"
        )
        # what `pot init -m` makes (init itself wants FreeBSD's ifconfig for POT_EXTIF)
        potfactory.init_layout(self.zroot, self.fs_root, self.cache)
        folder = potfactory.single_pot(self.zroot, self.fs_root, "bench")
        files = bench._real_files(size)
        for path in files:
            target = folder / "m" / path.relative_to("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        self.pot("snapshot", "-p", "bench")
        jail = f"{self.zroot}/jails/bench"
        snaps = zfs("list", "-H", "-t", "snapshot", "-o", "name", "-r", jail).split()
        self.snapshot = next(x for x in snaps if x.startswith(f"{jail}@"))
        self.described = f"a pot with {len(files)} real files ({size >> 20} MB)"

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pot", *args]

    def pot(self, *args: str) -> None:
        done = subprocess.run(
            self.argv(*args), env=self.env(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.exit(f"pot {' '.join(args)} failed: {done.stdout}{done.stderr}")

    def env(self) -> dict[str, str]:
        path = f"{self.fakes}:{os.environ['PATH']}"
        return {**os.environ, "POT_ETC": str(self.etc), "PYTHONPATH": str(ROOT), "PATH": path}

    def close(self) -> None:
        for _ in range(30):
            if subprocess.run(["zpool", "destroy", "-f", self.pool], check=False).returncode == 0:
                return
            time.sleep(1)
        print(f"warning: could not destroy pool {self.pool}", file=sys.stderr)


def measure(setup: Setup, argv: list[str]) -> bench.Sample:
    os.environ.update(setup.env())
    return bench.measure(argv)


def run_export(setup: Setup, skein: Path, level: int, runs: int) -> dict[str, bench.Sample]:
    up_dir, our_dir = setup.work / "up", setup.work / "ours"
    up_dir.mkdir()
    up = ["sh", "-c", UPSTREAM_EXPORT, "sh", setup.snapshot, str(up_dir / "bench_1.0.xz"),
          str(level), str(skein)]  # fmt: skip
    ours = setup.argv("export", "-p", "bench", "-t", "1.0", "-D", str(our_dir), "-l", str(level))
    samples: dict[str, list[bench.Sample]] = {"upstream": [], "ours": []}
    for i in range(runs):
        shutil.rmtree(our_dir, ignore_errors=True)
        our_dir.mkdir()
        order = [("upstream", up), ("ours", ours)]
        for name, argv in order if i % 2 == 0 else list(reversed(order)):
            samples[name].append(measure(setup, argv))
    return {name: bench.median(s) for name, s in samples.items()}


def run_import(setup: Setup, skein: Path, runs: int) -> dict[str, bench.Sample]:
    target = f"{setup.zroot}/jails/bench_1_0"
    # upstream's cache is the same POT_CACHE dataset (pot init makes it on ZFS)
    up_cache = setup.cache
    up = ["sh", "-c", UPSTREAM_IMPORT, "sh", str(setup.work / "up" / "bench_1.0.xz"),
          str(up_cache), str(skein), target]  # fmt: skip
    ours = setup.argv("import", "-p", "bench", "-t", "1.0", "-U", f"file://{setup.work / 'ours'}")
    samples: dict[str, list[bench.Sample]] = {"upstream": [], "ours": []}
    for i in range(runs):
        order = [("upstream", up), ("ours", ours)]
        for name, argv in order if i % 2 == 0 else list(reversed(order)):
            # a fresh cache and no received pot before every run, untimed
            for entry in setup.cache.glob("bench_*"):
                entry.unlink()
            destroy(target)
            shutil.rmtree(setup.fs_root / "jails" / "bench_1_0", ignore_errors=True)
            samples[name].append(measure(setup, argv))
    destroy(target)
    return {name: bench.median(s) for name, s in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200, help="MB of real files (default 200)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--level", type=int, default=6)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    for tool in ("xz", "xzcat", "cc", "cmp", "zpool", "zfs"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed")
    with tempfile.TemporaryDirectory(prefix="potbench-e2e-") as tmp:
        work = Path(tmp)
        skein = bench.build_skein1024(work)
        setup = Setup(work, args.size << 20)
        try:
            groups = {
                f"pot export on zfs-fuse, xz -{args.level}, median of {args.runs}": run_export(
                    setup, skein, args.level, args.runs
                ),
                f"pot import on zfs-fuse, median of {args.runs}": run_import(
                    setup, skein, args.runs
                ),
            }
            blocks = bench._blocks(work / "ours" / "bench_1.0.xz")
        finally:
            setup.close()
    info: dict[str, object] = {
        "input": setup.described,
        "xz blocks (ours)": blocks,
        "cores": os.cpu_count(),
        "load average at end": os.getloadavg(),
    }
    bench.report(info, groups)
    if args.json:
        figures = {t: {n: asdict(s) for n, s in g.items()} for t, g in groups.items()}
        args.json.write_text(json.dumps({"info": info, "groups": figures}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
