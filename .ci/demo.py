"""The workflow of upstream's share/doc/pot/Images.md, end to end, on real ZFS.

create -> customise -> snapshot -> export -> import -> info, with the installed `pot`
command. ZFS is a private zfs-fuse pool on a sparse file (the only pool touched); the
FreeBSD-only tools are the test stand-ins; the release comes from a small FreeBSD-like
base.txz served from a file:// mirror. Prints a transcript; exits non-zero on any failure.
"""

from __future__ import annotations

import os
import shlex
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

POT = str(Path(sys.executable).parent / "pot")
FLAVOUR = """\
set-cmd -p test -c "nginx -g 'daemon off;'"
set-attribute -p test -A no-rc-script -V YES
set-attribute -p test -A persistent -V NO
set-rss -C 1
"""


def pot(env: dict[str, str], *args: str) -> str:
    print(f"# pot {shlex.join(args)}", flush=True)
    r = subprocess.run([POT, *args], env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        raise SystemExit(f"demo: `pot {shlex.join(args)}` exited {r.returncode}")
    return r.stdout


def make_pool(work: Path) -> str:
    image = work / "pool.img"
    with image.open("wb") as f:
        f.truncate(2 * 1024**3)
    name = f"potdemo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    subprocess.run(["zpool", "create", "-m", str(work / "mnt"), name, str(image)], check=True)
    return name


def configure(work: Path, pool: str) -> Path:
    mirror = build_mirror(work / "release", "amd64", "amd64")
    etc = work / "etc"
    (etc / "flavours").mkdir(parents=True)
    (etc / "flavours" / "nginx-test").write_text(FLAVOUR)
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


def workflow(env: dict[str, str], images: Path, fs_root: Path) -> None:
    pot(env, "init", "-m")
    pot(env, "create", "-p", "test", "-b", "14.1", "-N", "public-bridge", "-t", "single")
    pot(env, "set-cmd", "-p", "test", "-c", "nginx -g 'daemon off;'")
    pot(env, "set-attr", "-p", "test", "-A", "no-rc-script", "-V", "ON")
    pot(env, "set-attr", "-p", "test", "-A", "persistent", "-V", "NO")
    pot(env, "set-rss", "-p", "test", "-C", "1")
    pot(env, "snapshot", "-p", "test")
    pot(env, "export", "-p", "test", "-t", "1.0", "-D", str(images))
    print(f"# ls {images}")
    print("\n".join(sorted(p.name for p in images.iterdir())))
    pot(env, "import", "-p", "test", "-t", "1.0", "-U", images.as_uri())
    pot(env, "info", "-vp", "test_1_0")
    pot(env, "ls")
    # the same pot through the flavour command file
    pot(
        env,
        "create",
        "-p",
        "test-flavour",
        "-b",
        "14.1",
        "-N",
        "public-bridge",
        "-t",
        "single",
        "-f",
        "nginx-test",
    )
    manual = (fs_root / "jails/test/conf/pot.conf").read_text().splitlines()
    flavoured = (fs_root / "jails/test-flavour/conf/pot.conf").read_text().splitlines()
    differ = [
        (a, b)
        for a, b in zip(manual, flavoured, strict=False)
        if a != b and not a.startswith(("host.hostname=", "ip="))
    ]
    print(f"# flavoured pot.conf equals the manual one (but hostname/ip): {not differ}")
    if differ or len(manual) != len(flavoured):
        raise SystemExit(f"demo: pot.conf differs: {differ}")


def destroy_pool(pool: str) -> None:
    # zfs-fuse may call the pool busy for a few seconds after the last unmount
    for pause in (0, 1, 2, 4, 8):
        time.sleep(pause)
        if subprocess.run(["zpool", "destroy", "-f", pool], check=False).returncode == 0:
            return


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="potdemo.") as tmp:
        work = Path(tmp)
        pool = make_pool(work)
        stand = Standins.create(work / "standins")
        try:
            etc = configure(work, pool)
            env = {**os.environ, **stand.environ(), "POT_ETC": str(etc)}
            images = work / "images"
            images.mkdir()
            workflow(env, images, work / "pot")
            print("demo: the seed workflow completed")
        finally:
            stand.cleanup()
            destroy_pool(pool)


if __name__ == "__main__":
    main()
