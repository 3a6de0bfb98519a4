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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import playground
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


def configure(work: Path, pool: str) -> Path:
    """The playground's configuration, with the image guide's nginx-test flavour."""
    etc = playground.configure(work, pool)
    (etc / "flavours" / "nginx-test").write_text(FLAVOUR)
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


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="potdemo.") as tmp:
        work = Path(tmp)
        pool = playground.make_pool(work, "potdemo")
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
            playground.destroy_pool(pool)


if __name__ == "__main__":
    main()
