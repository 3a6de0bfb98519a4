"""pot import of images whose tree holds links, device nodes or a file for ``conf``.

The images are made as upstream makes them (``zfs send -R | xz``, ``.meta``, ``.skein``)
from a pot with the hostile content; the import must refuse them with one ``###>`` line,
leave nothing received behind and leave the host's files byte-identical.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import skein  # type: ignore[import-untyped]
from click.testing import CliRunner
from potfactory import init_layout, single_pot

from pot.cli.main import cli

pytestmark = pytest.mark.zfs

SNAP = "1700000000"
SECRET = "host secret\n"


def sh(command: str) -> None:
    subprocess.run(["sh", "-c", command], check=True, capture_output=True)


def snapshot(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        rel = str(path.relative_to(folder))
        if stat.S_ISLNK(st.st_mode):
            out[rel] = "->" + os.readlink(path)
        elif stat.S_ISDIR(st.st_mode):
            out[rel] = f"dir {st.st_mode:o}"
        else:
            out[rel] = f"{st.st_mode:o} {hashlib.sha256(path.read_bytes()).hexdigest()}"
    return out


def replace_with_link(path: Path, target: Path, how: str) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in sorted(path.rglob("*"), reverse=True):
            if child.is_dir() and not child.is_symlink():
                child.rmdir()
            else:
                child.unlink()
        path.rmdir()
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(str(target) if how == "abs" else os.path.relpath(target, path.parent))


class World:
    def __init__(self, pot_env: object, tmp_path: Path) -> None:
        self.zroot: str = pot_env.zfs_root  # type: ignore[attr-defined]
        self.fs_root: Path = pot_env.fs_root  # type: ignore[attr-defined]
        init_layout(self.zroot, self.fs_root, pot_env.cache)  # type: ignore[attr-defined]
        self.host = tmp_path / "host"
        (self.host / "sub").mkdir(parents=True)
        (self.host / "file").write_text(SECRET)
        (self.host / "pot.conf").write_text(SECRET)
        (self.host / "sub" / "inner").write_text(SECRET)
        self.before = snapshot(self.host)
        self.out = tmp_path / "images"
        self.out.mkdir()

    def image(self, tamper: Callable[[Path], None]) -> None:
        """The pot ``test`` with ``tamper`` applied, exported as test_1.0 (upstream's way)."""
        folder = single_pot(self.zroot, self.fs_root, "test")
        (folder / "m" / "tmp").mkdir(exist_ok=True)
        (folder / "m" / "etc" / "hosts").write_text("127.0.0.1 localhost\n")
        tamper(folder)
        ds = f"{self.zroot}/jails/test"
        sh(f"zfs snapshot -r {ds}@{SNAP}")
        xz = self.out / "test_1.0.xz"
        sh(f"zfs send -R {ds}@{SNAP} | xz -T0 > {xz}")
        meta = self.out / "test_1.0.xz.meta"
        meta.write_bytes(b"-\n")
        h = skein.skein1024(digest_bits=1024)
        h.update(xz.read_bytes())
        h.update(meta.read_bytes())
        (self.out / "test_1.0.xz.skein").write_bytes(h.hexdigest().encode() + b"\n")

    def import_(self) -> tuple[int, str]:
        r = CliRunner().invoke(cli, ["import", "-p", "test", "-t", "1.0", "-U", self.out.as_uri()])
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        return r.exit_code, r.output

    def jails(self) -> list[str]:
        out = subprocess.run(
            ["zfs", "list", "-H", "-o", "name", "-t", "all", "-r", f"{self.zroot}/jails"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        return sorted(line.removeprefix(f"{self.zroot}/jails") for line in out.splitlines())


@pytest.fixture
def world(pot_env: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "jls").write_text("#!/bin/sh\nexit 1\n")
    (fake / "jls").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    return World(pot_env, tmp_path)


def _link(rel: str, target: str, how: str) -> Callable[[World], Callable[[Path], None]]:
    def make(w: World) -> Callable[[Path], None]:
        return lambda folder: replace_with_link(folder / rel, w.host / target, how)

    return make


DIR, FILE = "not a directory", "not a regular file"
# where pot reads or writes, the host file or folder a link there points to, the refusal
CASES = [
    ("conf", "", DIR),
    ("conf/pot.conf", "pot.conf", FILE),
    ("conf/fscomp.conf", "file", FILE),
    ("m/etc/hosts", "file", FILE),
    ("m/etc/resolv.conf", "file", FILE),
    ("m/etc/rc.conf", "file", FILE),
    ("m/etc", "sub", DIR),
    ("m/tmp", "sub", DIR),
]


def refused(w: World, message: str) -> None:
    code, out = w.import_()
    assert code == 1, out
    assert f"###>  {message}" in out.splitlines(), out
    assert [line for line in out.splitlines() if line.startswith("###>")] == [f"###>  {message}"]
    assert snapshot(w.host) == w.before
    # nothing received is left, not even hidden
    assert w.jails() == sorted(["", "/test", f"/test@{SNAP}", "/test/m", f"/test/m@{SNAP}"])
    assert not (w.fs_root / "jails" / "test_1_0").exists()


@pytest.mark.parametrize("how", ["abs", "rel"])
@pytest.mark.parametrize(("rel", "target", "what"), CASES)
def test_links_in_an_image_are_refused(
    world: World, rel: str, target: str, what: str, how: str
) -> None:
    world.image(_link(rel, target, how)(world))
    refused(world, f"{rel} of the imported pot test_1_0 is {what}")


def test_conf_as_a_file_is_refused(world: World) -> None:
    def tamper(folder: Path) -> None:
        replace_with_link(folder / "conf", world.host / "file", "abs")
        (folder / "conf").unlink()
        (folder / "conf").write_text("pot.type=single\n")

    world.image(tamper)
    refused(world, "conf of the imported pot test_1_0 is not a directory")


def test_device_node_is_refused(world: World) -> None:
    def tamper(folder: Path) -> None:
        hosts = folder / "m" / "etc" / "hosts"
        hosts.unlink()
        os.mknod(hosts, 0o666 | stat.S_IFCHR, os.makedev(1, 3))

    world.image(tamper)
    refused(world, "m/etc/hosts of the imported pot test_1_0 is not a regular file")


def test_a_clean_image_still_imports(world: World) -> None:
    world.image(lambda folder: None)
    code, out = world.import_()
    assert code == 0, out
    assert (world.fs_root / "jails" / "test_1_0" / "conf" / "pot.conf").is_file()


@pytest.mark.parametrize("source", ["host", "dataset"])
def test_an_image_mounting_host_folders_or_datasets_is_refused(world: World, source: str) -> None:
    # a host folder (nullfs) or a dataset of the importing host, mounted at start
    what = str(world.host) if source == "host" else f"{world.zroot}/fscomp/secrets"

    def tamper(folder: Path) -> None:
        (folder / "conf" / "fscomp.conf").write_text(f"{what} /mnt\n")

    world.image(tamper)
    mounts = f"mounts {what}, which is not part of the image"
    refused(world, f"conf/fscomp.conf of the imported pot test_1_0 {mounts}")
