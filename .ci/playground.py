"""A pot playground on Linux: pot works here as on FreeBSD, with stand-ins for its tools.

It makes a private zfs-fuse pool on a sparse file, a configuration (POT_ETC) for it,
the FreeBSD stand-ins of the tests (jail, jexec, ifconfig, pfctl ... keeping a simulated
host; jexec runs commands in a chroot of the pot), a small FreeBSD-like 14.1 release in a
file:// mirror with its manifest, and runs `pot init -m`. Then:

    .ci/playground.py            an interactive shell (bash) with all of it set up
    .ci/playground.py -c SCRIPT  SCRIPT run by bash in it, non-interactively
    .ci/playground.py --env      the export block to paste in another shell; Enter ends

The pool, the stand-ins' host and everything else are removed when it ends; its exit
status is the shell's (or the script's).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from basebuild import build_mirror
from standins.harness import Standins

BIN = Path(sys.executable).parent
POOL_SIZE = 2 * 1024**3
GREETING = """\
pot playground: pool {pool}, configuration {etc}
  pot create -p web -b 14.1 -t single     pot start web      pot exec -p web ls /
  pot snapshot -p web                     pot export -p web -t 1.0 -D {images}
  pot import -p web -t 1.0 -U file://{images}
The FreeBSD tools are stand-ins (their calls: {calls}). Leave with `exit`: the pool goes.
"""


def make_pool(work: Path, prefix: str = "potplay") -> str:
    image = work / "pool.img"
    with image.open("wb") as f:
        f.truncate(POOL_SIZE)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    subprocess.run(["zpool", "create", "-m", str(work / "mnt"), name, str(image)], check=True)
    return name


def destroy_pool(pool: str) -> None:
    # zfs-fuse may call the pool busy for a few seconds after the last unmount
    for pause in (0, 1, 2, 4, 8):
        time.sleep(pause)
        done = subprocess.run(["zpool", "destroy", "-f", pool], check=False)
        if done.returncode == 0:
            return
    print(f"playground: could not destroy the pool {pool}", file=sys.stderr)


def configure(work: Path, pool: str) -> Path:
    mirror = build_mirror(work / "release", "amd64", "amd64")
    etc = work / "etc"
    (etc / "flavours").mkdir(parents=True)
    values = {
        "POT_ZFS_ROOT": f"{pool}/pot",
        "POT_FS_ROOT": str(work / "pot"),
        "POT_CACHE": str(work / "cache"),
        "POT_TMP": str(work / "tmp"),
        "POT_GROUP": "root",
        "POT_EXTIF": "em0",
        **mirror.conf(),
    }
    (etc / "pot.conf").write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return etc


def environment(stand: Standins, etc: Path) -> dict[str, str]:
    """Our environment with pot first on PATH, then the stand-ins, then the host's tools
    that are not stood in (editors, less ...)."""
    env = {**os.environ, **stand.environ(), "POT_ETC": str(etc)}
    env["PATH"] = os.pathsep.join([str(BIN), str(stand.bin), os.environ.get("PATH", "")])
    env["PS1"] = r"(pot playground) \w# "
    return env


def export_block(env: dict[str, str]) -> str:
    keys = ("PATH", "POT_ETC", *sorted(k for k in env if k.startswith("POT_STANDIN")))
    names = [k for k in keys if k in env]
    return "".join(f"export {k}={shlex.quote(env[k])}\n" for k in names)


def run(args: argparse.Namespace, env: dict[str, str], greeting: str) -> int:
    bash = shutil.which("bash") or "/bin/bash"
    if args.script is not None:
        return subprocess.run([bash, "-e", "-c", args.script], env=env, check=False).returncode
    if args.env:
        sys.stdout.write(export_block(env))
        print("# paste the lines above into another shell; press Enter here to end", flush=True)
        sys.stdin.readline()
        return 0
    print(greeting, end="", flush=True)
    return subprocess.run([bash, "--norc", "-i"], env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", dest="script", help="run SCRIPT with bash instead of a shell")
    parser.add_argument("--env", action="store_true", help="print an export block and wait")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="potplay.") as tmp:
        work = Path(tmp)
        pool = make_pool(work)
        stand = Standins.create(work / "standins")
        try:
            etc = configure(work, pool)
            env = environment(stand, etc)
            images = work / "images"
            images.mkdir()
            env["IMAGES"] = str(images)
            env["PLAYGROUND_POOL"] = pool
            subprocess.run([str(BIN / "pot"), "init", "-m"], env=env, check=True)
            greeting = GREETING.format(pool=pool, etc=etc, images=images, calls=stand.log)
            return run(args, env, greeting)
        finally:
            stand.cleanup()
            destroy_pool(pool)


if __name__ == "__main__":
    sys.exit(main())
