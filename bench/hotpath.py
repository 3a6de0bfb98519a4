"""Per-call cost of the commands nomad-pot-driver runs every second, through the installed launcher.

Usage: python bench/hotpath.py [--runs N] [--pots 1,200] [--prefix DIR] [--upstream DIR]
                               [--startup]

* ours: ``PREFIX/bin/pot`` as etc/install.sh installs it (a temporary PREFIX unless
  --prefix names an existing installation);
* upstream (with --upstream DIR, a tree holding upstream 0.16's bin/pot, share/pot and
  etc/pot): its bin/pot under bash, as the issue's table measured it;
* the floor: ``python -I -S -c pass`` with the installation's interpreter.

The FreeBSD tools (jls, rctl, sysctl, zfs, pkill, logger) are ~1 ms sh stubs with fixed
answers: the stand-ins of tests/standins are Python programs whose own start-up would
dwarf what is measured here. One pot, ``hot``, runs; the others exist only as folders.

Every command is run once and its exit status and output checked (the warm-up), then all
variants are interleaved --runs times. Each call is a child timed with wait4(2): wall, and
user+sys CPU of it and all its descendants. The table shows medians per call and the
multiple of the floor's CPU.

With --startup the commands measured are every other command's ``pot CMD -h``: the
interpreter, the dispatcher, the configuration, the option parse and the help text, which
is what runs before a command's own work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STUBS = {
    "jls": """\
case "$1 $2" in
"-j hot"*) [ -z "$3" ] || echo 1; exit 0 ;;
"-j "*) echo "jls: jail \\"$2\\" not found" >&2; exit 1 ;;
"name "* | "-q name"*) echo hot ;;
esac
exit 0
""",
    "rctl": """\
printf 'cputime=12\\ndatasize=0\\nstacksize=0\\nmemoryuse=123456\\nvmemoryuse=987654\\n'
printf 'pcpu=3\\nswapuse=0\\nmaxproc=4\\n'
""",
    "sysctl": """\
case "$*" in
*clockrate*) echo 2400 ;;
*) echo 1 ;;
esac
""",
    # the last argument back; for ls's list of the pot marks, one unmarked dataset row
    "zfs": """\
for last; do :; done
case "$*" in
*"-o name,mountpoint,mounted,origin"*) printf '%s\\t/x\\tyes\\t-\\t-\\t-\\n' "$last" ;;
*) echo "$last" ;;
esac
""",
    "pkill": "exit 0\n",
    "pgrep": "exit 0\n",
    "logger": "exit 0\n",
}

# name, argv after `pot`, the expected exit status, a text its stdout must contain
Commands = list[tuple[str, list[str], int, str]]

COMMANDS: Commands = [
    ("get-rss -p hot -J", ["get-rss", "-p", "hot", "-J"], 0, '"RSS" : 123456'),
    ("last-run-stats -p hot", ["last-run-stats", "-p", "hot"], 0, '"ExitCode"'),
    ("ls -q", ["ls", "-q"], 0, "hot\n"),
    ("signal -p hot -s SIGHUP", ["signal", "-p", "hot", "-s", "SIGHUP"], 0, ""),
    ("version", ["version"], 0, "pot version: 0.16.0"),
    ("info -p hot -r", ["info", "-p", "hot", "-r"], 0, ""),
    ("get-attr -p hot -A start-at-boot", ["get-attr", "-p", "hot", "-A", "start-at-boot"], 0, ""),
]


def startup_commands() -> Commands:
    """``CMD -h`` of every command not measured above (promote has no implementation),
    then the usage error of the commands nomad-pot-driver runs around a task's life
    (no pot named), which loads the command's modules as well."""
    sys.path.insert(0, str(ROOT))
    from pot.cli.edge import COMMANDS as ALL

    hot = {args[0] for _, args, _, _ in COMMANDS} | {"list", "get-attribute"}
    helps: Commands = [
        (f"{name} -h", [name, "-h"], 0, "") for name in ALL if name not in hot | {"promote"}
    ]
    usage: Commands = [(name, [name], 1, "") for name in LIFE]
    return helps + usage


# the commands nomad-pot-driver runs around a task's life besides the per-second ones
LIFE = ("prepare", "start", "stop", "destroy", "exec", "set-status")


POT_CONF = """\
pot.level=0
pot.type=single
pot.base=14.1
pot.potbase=
pot.dns=inherit
pot.cmd=sh /etc/rc
pot.attr.start-at-boot=NO
pot.attr.persistent=NO
host.hostname="{name}.localhost"
osrelease="14.1-RELEASE"
network_type=inherit
"""


class Layout:
    """A configuration, ``pots`` pot folders and the stub tools, under ``work``."""

    def __init__(self, work: Path, pots: int, tools: Path) -> None:
        self.etc = work / "etc"
        self.fs_root = work / "pot"
        self.etc.mkdir(parents=True)
        (self.etc / "flavours").mkdir()
        (self.etc / "pot.conf").write_text(
            f"POT_ZFS_ROOT=bench/pot\nPOT_FS_ROOT={self.fs_root}\nPOT_CACHE={work / 'cache'}\n"
            f"POT_TMP={work}\nPOT_LOG_FACILITY=local2\n"
        )
        names = ["hot"] + [f"p{i:03d}" for i in range(1, pots)]
        for name in names:
            folder = self.fs_root / "jails" / name
            (folder / "m").mkdir(parents=True)
            (folder / "conf").mkdir()
            (folder / "conf" / "pot.conf").write_text(POT_CONF.format(name=name))
        (self.fs_root / "jails" / "hot" / "conf" / ".last_run_stats").write_text(
            '{ "ExitCode": 0 }\n'
        )
        self.path = f"{tools}:{os.environ['PATH']}"


def make_stubs(folder: Path) -> Path:
    folder.mkdir()
    for name, body in STUBS.items():
        (folder / name).write_text("#!/bin/sh\n" + body)
        (folder / name).chmod(0o755)
    return folder


def install(prefix: Path) -> None:
    subprocess.run(["sh", str(ROOT / "etc" / "install.sh"), str(prefix)], check=True)


def upstream_tree(source: Path, work: Path, layout: Layout) -> Path:
    """A copy of upstream's tree whose etc/pot/pot.conf is the benchmark's."""
    tree = work / "upstream"
    for part in ("bin", "share", "etc"):
        shutil.copytree(source / part, tree / part)
    shutil.copy(layout.etc / "pot.conf", tree / "etc" / "pot" / "pot.conf")
    return tree


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """wall ms, CPU ms (user+sys of it and its descendants), exit status, stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        pid = os.posix_spawn(
            argv[0],
            argv,
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return wall * 1000, cpu * 1000, os.waitstatus_to_exitcode(status), text


def variants(prefix: Path, upstream: Path | None, layout: Layout) -> dict[str, list[str]]:
    python = str(prefix / "libexec" / "pot" / "bin" / "python")
    if not Path(python).exists():
        python = sys.executable
    found = {"floor": [python, "-I", "-S", "-c", "pass"], "ours": [str(prefix / "bin" / "pot")]}
    if upstream is not None:
        found["upstream"] = [shutil.which("bash") or "/bin/bash", str(upstream / "bin" / "pot")]
    return found


def warm_up(
    runners: dict[str, list[str]], env: dict[str, str], commands: Commands, *, upstream: bool
) -> None:
    """Each command once; its exit status and output checked (upstream's only with
    ``upstream``: its help of some commands calls tools the stubs lack)."""
    for who, argv in runners.items():
        if who == "floor":
            continue
        for name, args, code, expect in commands:
            _, _, got, out = measure([*argv, *args], env)
            if (upstream or who == "ours") and (got != code or expect not in out):
                sys.exit(f"{who} `pot {name}`: exit {got} (want {code}), output {out!r}")


def run(
    pots: int, runs: int, prefix: Path, upstream_src: Path | None, work: Path, commands: Commands
) -> list[str]:
    tools = make_stubs(work / f"tools{pots}") if not (work / f"tools{pots}").exists() else None
    assert tools is not None
    layout = Layout(work / f"pots{pots}", pots, tools)
    upstream = upstream_tree(upstream_src, work / f"pots{pots}", layout) if upstream_src else None
    env = {**os.environ, "PATH": layout.path, "POT_ETC": str(layout.etc), "LC_ALL": "C"}
    env.pop("PYTHONPATH", None)
    runners = variants(prefix, upstream, layout)
    warm_up(runners, env, commands, upstream=commands is COMMANDS)
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(runs):
        wall, cpu, _, _ = measure(runners["floor"], env)
        samples.setdefault(("floor", ""), []).append((wall, cpu))
        for who, argv in runners.items():
            if who == "floor":
                continue
            for name, args, _, _ in commands:
                wall, cpu, _, _ = measure([*argv, *args], env)
                samples.setdefault((who, name), []).append((wall, cpu))
    return table(pots, runs, samples, "upstream" in runners, commands)


def _median(values: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def table(
    pots: int,
    runs: int,
    samples: dict[tuple[str, str], list[tuple[float, float]]],
    up: bool,
    commands: Commands,
) -> list[str]:
    floor_wall, floor_cpu = _median(samples[("floor", "")])
    lines = [
        f"{pots} pot(s), median of {runs} runs; floor `python -I -S -c pass`: "
        f"{floor_wall:.1f} ms wall / {floor_cpu:.1f} ms CPU",
        "",
        "| command | ours wall / CPU ms | ours CPU ÷ floor |"
        + (" upstream wall / CPU ms | CPU ours ÷ upstream |" if up else ""),
        "|---|---|---|" + ("---|---|" if up else ""),
    ]
    for name, *_ in commands:
        wall, cpu = _median(samples[("ours", name)])
        row = f"| `{name}` | {wall:.0f} / {cpu:.0f} | {cpu / floor_cpu:.1f}× |"
        if up:
            uwall, ucpu = _median(samples[("upstream", name)])
            row += f" {uwall:.0f} / {ucpu:.0f} | {cpu / ucpu:.2f}× |"
        lines.append(row)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pots", default="1,200", help="comma-separated pot counts")
    parser.add_argument("--prefix", type=Path, help="an existing installation to measure")
    parser.add_argument("--upstream", type=Path, help="upstream's tree (bin, share, etc)")
    parser.add_argument("--startup", action="store_true", help="every other command's -h")
    args = parser.parse_args()
    commands = startup_commands() if args.startup else COMMANDS
    with tempfile.TemporaryDirectory(prefix="pot-hotpath.") as tmp:
        work = Path(tmp)
        prefix = args.prefix
        if prefix is None:
            prefix = work / "prefix"
            install(prefix)
        for pots in (int(n) for n in args.pots.split(",")):
            lines = run(pots, args.runs, prefix.resolve(), args.upstream, work, commands)
            print("\n".join(lines))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
