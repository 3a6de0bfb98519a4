"""Image pipeline: pot.images against upstream's recipe, from one saved send stream.

Usage: python bench/images.py [--size MB | --stream FILE] [--save-stream FILE] [--level N]
                              [--runs N] [--json FILE]

The input is a ``zfs send -R`` stream of real files (/usr/share, /usr/lib) copied to a
dataset of a private zfs-fuse pool made for the run (or a tar of the same files when
ZFS is unavailable), saved to a file, so that only the pipelines are timed:

* export, upstream: ``xz -L -T0 < stream > f; echo - > f.meta;
  cat f f.meta | skein1024 -q > f.skein``
* export, ours: ``images.write_image(stream, ...)`` (one pass: compress, write, hash)
* import, upstream: ``cat f f.meta | skein1024 -q | cmp f.skein - && xzcat f > sink``
  (and ``xz -d -T0`` for reference)
* import, ours: ``images.verify(f)`` then ``images.decompress_into(f, sink)``

``skein1024`` is a small C program built here, at run time, from our own Skein-1024
code (bench/skein1024_main.c around pot/images/skein1024.h, the engine of the Python
extension) into the temporary folder; nothing of it is kept. Every variant runs as a
child process; wall time, CPU (user + sys of the child and its children) and peak RSS
come from wait4(2). The figures are medians over --runs runs, variants interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (Path("/usr/share"), Path("/usr/lib"))

SKEIN_MAIN = ROOT / "bench" / "skein1024_main.c"
SKEIN_ENGINE = ROOT / "pot" / "images"

# FreeBSD's expectations (sbin/md5/tests/md5_test.sh) for the built program
SKEIN_CHECKS = {
    b"": "0fff9563bb3279289227ac77d319b6ff",
    b"abc": "35a599a0f91abcdb4cb73c19b8cb8d94",
}

UPSTREAM_EXPORT = (
    'xz -"$3" -T 0 < "$1" > "$2" && echo - > "$2.meta" && cat "$2" "$2.meta" | "$4" -q > "$2.skein"'
)
UPSTREAM_CHECK = 'cat "$1" "$1.meta" | "$2" -q | cmp -s "$1.skein" -'
OURS_EXPORT = """
import sys
from pathlib import Path
from pot import images
with open(sys.argv[1], "rb") as src:
    images.write_image(src, Path(sys.argv[2]), "ours", "bench", "-", level=int(sys.argv[3]))
"""
OURS_IMPORT = """
import sys
from pathlib import Path
from pot import images
image = Path(sys.argv[1])
images.verify(image)
with open(sys.argv[2], "wb") as sink:
    images.decompress_into(image, sink)
"""
OURS_EXPORT_STDIN = """
import sys
from pathlib import Path
from pot import images
images.write_image(sys.stdin.buffer, Path(sys.argv[1]), "mem", sys.argv[2], "-", level=0)
"""


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mib: float


def measure(argv: list[str], *, stdin: Path | None = None) -> Sample:
    """Run argv to completion; wall, CPU and peak RSS of it and its descendants."""
    with open(stdin or os.devnull, "rb") as inp:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=inp, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"benchmark step failed ({proc.returncode}): {argv}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        statistics.median(s.rss_mib for s in samples),
    )


# ---------------------------------------------------------------- the skein1024 command


def build_skein1024(work: Path) -> Path:
    """Build skein1024 from our C source into work, check it against FreeBSD's tests."""
    binary = work / "skein1024"
    subprocess.run(
        ["cc", "-O2", "-I", str(SKEIN_ENGINE), "-o", str(binary), str(SKEIN_MAIN)], check=True
    )
    for message, prefix in SKEIN_CHECKS.items():
        out = subprocess.run([binary, "-q"], input=message, capture_output=True, check=True)
        if not out.stdout.startswith(prefix.encode()) or len(out.stdout) != 257:
            sys.exit(f"built skein1024 is wrong for {message!r}: {out.stdout!r}")
    return binary


# ---------------------------------------------------------------- the input stream


def _real_files(limit: int) -> list[Path]:
    """Regular files under SOURCES, in a stable order, about limit bytes in all."""
    files, total = [], 0
    for top in SOURCES:
        for folder, dirs, names in os.walk(top):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder) / name
                if path.is_symlink() or not path.is_file():
                    continue
                files.append(path)
                total += path.stat().st_size
                if total >= limit:
                    return files
    return files


def _zfs_ok() -> bool:
    if shutil.which("zpool") is None:
        return False
    return subprocess.run(["zpool", "list"], capture_output=True, check=False).returncode == 0


def _destroy(pool: str) -> None:
    # zfs-fuse answers "busy" for a while after heavy writes; only our own pool is touched
    for _ in range(30):
        if subprocess.run(["zpool", "destroy", "-f", pool], check=False).returncode == 0:
            return
        time.sleep(1)
    print(f"warning: could not destroy pool {pool}", file=sys.stderr)


def make_stream(work: Path, size: int) -> tuple[Path, str]:
    """A saved send stream of about size bytes of real files (a tar without ZFS)."""
    stream = work / "send.stream"
    files = _real_files(size)
    if not _zfs_ok():
        with tarfile.open(stream, "w") as tar:
            for path in files:
                tar.add(path)
        return stream, f"tar of {len(files)} real files (no ZFS here)"
    pool = f"potbench_{os.getpid()}"
    image = work / "pool.img"
    with image.open("wb") as f:
        f.truncate(4 * size + (1 << 30))
    mnt = work / "mnt"
    subprocess.run(["zpool", "create", "-m", str(mnt), pool, str(image)], check=True)
    try:
        subprocess.run(["zfs", "create", f"{pool}/jail"], check=True)
        for path in files:
            target = mnt / "jail" / path.relative_to("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        subprocess.run(["zfs", "snapshot", "-r", f"{pool}/jail@bench"], check=True)
        with stream.open("wb") as out:
            subprocess.run(["zfs", "send", "-R", f"{pool}/jail@bench"], stdout=out, check=True)
    finally:
        _destroy(pool)
        image.unlink(missing_ok=True)
    return stream, f"zfs send -R of a zfs-fuse dataset with {len(files)} real files"


# ---------------------------------------------------------------- the runs


def _blocks(xz_file: Path) -> int:
    argv = ["xz", "--robot", "--list", str(xz_file)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return int(next(line for line in out.splitlines() if line.startswith("file")).split()[2])


def run_export(stream: Path, work: Path, skein: Path, level: int, runs: int) -> dict[str, Sample]:
    up_xz = work / "up_bench.xz"
    up = ["sh", "-c", UPSTREAM_EXPORT, "sh", str(stream), str(up_xz), str(level), str(skein)]
    ours = [sys.executable, "-c", OURS_EXPORT, str(stream), str(work), str(level)]
    samples: dict[str, list[Sample]] = {"upstream": [], "ours": []}
    for i in range(runs):
        # alternate who goes first: other load on the machine drifts
        order = [("upstream", up), ("ours", ours)]
        for name, argv in order if i % 2 == 0 else reversed(order):
            samples[name].append(measure(argv))
    return {name: median(s) for name, s in samples.items()}


def run_import(work: Path, skein: Path, runs: int) -> dict[str, Sample]:
    up_xz, our_xz = work / "up_bench.xz", work / "ours_bench.xz"
    sink = os.devnull
    check = ["sh", "-c", UPSTREAM_CHECK, "sh", str(up_xz), str(skein)]
    variants = {
        "upstream (skein; xzcat)": [
            "sh", "-c", f'{UPSTREAM_CHECK} && xzcat "$1" > "$3"', "sh", str(up_xz), str(skein),
            sink,
        ],
        "upstream with xz -d -T0": [
            "sh", "-c", f'{UPSTREAM_CHECK} && xz -d -T0 -c "$1" > "$3"', "sh", str(up_xz),
            str(skein), sink,
        ],
        "ours, our image": [sys.executable, "-c", OURS_IMPORT, str(our_xz), sink],
        "ours, upstream's image": [sys.executable, "-c", OURS_IMPORT, str(up_xz), sink],
    }  # fmt: skip
    measure(check)  # the images into the page cache, as a fresh download would be
    samples: dict[str, list[Sample]] = {name: [] for name in variants}
    for i in range(runs):
        names = list(variants) if i % 2 == 0 else list(reversed(variants))
        for name in names:
            samples[name].append(measure(variants[name]))
    return {name: median(s) for name, s in samples.items()}


def run_memory(stream: Path, work: Path) -> dict[str, Sample]:
    """Peak RSS of our export (level 0) of the stream once and of it twice over."""
    doubled = work / "double.stream"
    with doubled.open("wb") as out:
        for _ in range(2):
            with stream.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    result = {}
    for name, source in (("1x stream", stream), ("2x stream", doubled)):
        argv = [sys.executable, "-c", OURS_EXPORT_STDIN, str(work), name[0]]
        result[f"export -0, {name}"] = measure(argv, stdin=source)
        image = work / f"mem_{name[0]}.xz"
        result[f"import, {name}"] = measure(
            [sys.executable, "-c", OURS_IMPORT, str(image), os.devnull]
        )
    doubled.unlink()
    return result


def check_outputs(work: Path, stream: Path, skein: Path) -> None:
    """Our image must be what upstream's tools accept and what the stream was."""
    ours = work / "ours_bench.xz"
    subprocess.run(["xz", "-t", ours], check=True)
    computed = subprocess.run(
        ["sh", "-c", 'cat "$1" "$1.meta" | "$2" -q', "sh", str(ours), str(skein)],
        capture_output=True,
        check=True,
    ).stdout
    if computed != (work / "ours_bench.xz.skein").read_bytes():
        sys.exit("our .skein differs from skein1024 over .xz + .meta")
    same = subprocess.run(
        ["sh", "-c", 'xzcat "$1" | cmp -s - "$2"', "sh", str(ours), str(stream)], check=False
    )
    if same.returncode != 0:
        sys.exit("xzcat of our image differs from the stream")


# ---------------------------------------------------------------- report


def _row(name: str, s: Sample, ref: Sample | None) -> str:
    line = f"  {name:<28} {s.wall:8.2f} s {s.cpu:8.2f} s {s.rss_mib:8.1f} MiB"
    if ref is not None:
        line += f"   {s.wall / ref.wall:5.2f} {s.cpu / ref.cpu:5.2f} {s.rss_mib / ref.rss_mib:6.2f}"
    return line


def report(info: dict[str, object], groups: dict[str, dict[str, Sample]]) -> None:
    for key, value in info.items():
        print(f"{key}: {value}")
    header = f"  {'':<28} {'wall':>10} {'cpu':>10} {'peak rss':>12}   ratios wall/cpu/rss"
    for title, samples in groups.items():
        print(f"\n{title}\n{header}")
        ref = next(iter(samples.values()))
        for i, (name, sample) in enumerate(samples.items()):
            print(_row(name, sample, None if i == 0 else ref))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200, help="MB of real files (default 200)")
    parser.add_argument("--stream", type=Path, help="use this saved send stream")
    parser.add_argument("--level", type=int, default=6)
    parser.add_argument("--runs", type=int, default=1, help="export runs (import: 3x)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--save-stream", type=Path, help="keep a copy of the stream here")
    args = parser.parse_args()
    for tool in ("xz", "xzcat", "cc", "cmp"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed")
    with tempfile.TemporaryDirectory(prefix="potbench-") as tmp:
        work = Path(tmp)
        skein = build_skein1024(work)
        if args.stream:
            stream, origin = args.stream, f"saved stream {args.stream}"
        else:
            stream, origin = make_stream(work, args.size << 20)
            if args.save_stream:
                shutil.copyfile(stream, args.save_stream)
        export = run_export(stream, work, skein, args.level, args.runs)
        check_outputs(work, stream, skein)
        imports = run_import(work, skein, 3 * args.runs)
        memory = run_memory(stream, work)
        info: dict[str, object] = {
            "input": origin,
            "stream bytes": stream.stat().st_size,
            "image bytes (upstream / ours)": (
                f"{(work / 'up_bench.xz').stat().st_size} / "
                f"{(work / 'ours_bench.xz').stat().st_size}"
            ),
            "xz blocks (upstream / ours)": (
                f"{_blocks(work / 'up_bench.xz')} / {_blocks(work / 'ours_bench.xz')}"
            ),
            "cores": os.cpu_count(),
            "load average at end": os.getloadavg(),
        }
        groups = {
            f"export, xz -{args.level}, median of {args.runs}": export,
            f"import to a sink, median of {3 * args.runs}": imports,
            "memory: our pipeline on the stream once and twice over": memory,
        }
        report(info, groups)
        if args.json:
            data = {"info": info, "groups": {t: {n: asdict(s) for n, s in g.items()}
                                             for t, g in groups.items()}}  # fmt: skip
            args.json.write_text(json.dumps(data, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
