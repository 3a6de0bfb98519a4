"""pot export and pot import on real ZFS (zfs-fuse), through the CLI as a user runs them."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import skein  # type: ignore[import-untyped]
from click.testing import CliRunner, Result
from potcli import real_umount_first
from potfactory import PotHost
from standins.harness import Standins

from pot import zfs
from pot.cli.helptext import HELP
from pot.cli.main import cli
from pot.ops import common, export, imports

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

SNAP = "1700000000"
LATER = "1700000100"
HOST = os.uname().nodename
HASH_MISMATCH = "###>  The image and its hash do not overlap\n"
# fetch(1)'s closing line per download: path (46 columns), size, mean rate, seconds
FETCH_LINE = re.compile(
    r"(\S+) {8,}[ 0-9]{4} [ kMGTP]B ([ 0-9]{4} [ kMGTP]Bps|\?\? Bps) +([0-9]{2}[dhm])?[0-9]{2}[smh]"
)


def fetched(stderr: str) -> list[str]:
    """The files fetch(1)'s lines name, in order; every stderr line must be one."""
    names = []
    for line in stderr.splitlines():
        match = FETCH_LINE.fullmatch(line)
        assert match is not None, line
        names.append(match.group(1))
    return names


# `pot info -vp test_1_0` of the imported pot, in upstream 0.16's layout
INFO = """\
pot name : test_1_0
\ttype : single
\tbase : 14.1
\tlevel : 0
\tnetwork_type : public-bridge
\tip : 10.192.0.3
\t\tno ports exported
\tactive : false
\tdatasets:
\t\ttest_1_0/m
\tsnapshots:
\t\t{z}/jails/test_1_0@{snap}
\t\t{z}/jails/test_1_0/m@{snap}
\tattributes:
\t\tstart-at-boot: NO
\t\tearly-start-at-boot: NO
\t\tpersistent: YES
\t\tno-rc-script: NO
\t\tprunable: NO
\t\tlocalhost-tunnel: NO
\t\tno-tmpfs: NO
\t\tno-etc-hosts: NO
\t\tto-be-pruned: NO
\tjail attributes:
\t\tenforce_statfs: 2
\t\tmount: NO
\t\tfdescfs: NO
\t\tlinprocfs: NO
\t\tnullfs: NO
\t\tprocfs: NO
\t\ttmpfs: NO
\t\tzfs: NO
\t\traw_sockets: NO
\t\tsysvshm: new
\t\tsysvsem: new
\t\tsysvmsg: new
\t\tchildren: 0
\t\tmlock: NO
\t\tdevfs_ruleset: 4
\t\texec_stop: NO
\t\tstop_timeout: 10

"""


# ---------------------------------------------------------------- helpers


def sh(*argv: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(a) for a in argv], capture_output=True, check=True)


def everything(root: str) -> list[str]:
    """Every name of `zfs list -H -o name -t all -r ROOT`, sorted."""
    out = sh("zfs", "list", "-H", "-o", "name", "-t", "all", "-r", root).stdout.decode()
    return sorted(out.splitlines())


def pot_tree(name: str, *snaps: str) -> list[str]:
    """A single pot's datasets and snapshots, relative to jails."""
    snaps = snaps or (SNAP,)
    return [f"/{name}", *(f"/{name}@{s}" for s in snaps), f"/{name}/m"] + [
        f"/{name}/m@{s}" for s in snaps
    ]


def skein_line(*files: Path) -> bytes:
    """skein1024 -q of the files' bytes one after the other, straight from pyskein."""
    h = skein.skein1024(digest_bits=1024)
    for f in files:
        h.update(f.read_bytes())
    digest: str = h.hexdigest()
    return digest.encode() + b"\n"


def tree(folder: Path) -> dict[str, str]:
    """relative path -> sha256 (files) / "dir" / "->target" of everything below folder."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "->" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def signify_keys(folder: Path, name: str) -> tuple[Path, Path]:
    tool = shutil.which("signify-openbsd")
    if tool is None:
        pytest.skip("signify-openbsd not installed")
    pub, sec = folder / f"{name}.pub", folder / f"{name}.sec"
    sh(tool, "-G", "-n", "-p", pub, "-s", sec)
    return pub, sec


def filler(size: int, seed: int = 1) -> bytes:
    """Half random, half repetitive text: like the files of a real pot."""
    rnd = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += rnd.randbytes(4096)
        out += b"".join(b"line %d of some config file\n" % rnd.randrange(50) for _ in range(150))
    return bytes(out[:size])


class Env(PotHost):
    """An initialised pot layout on the test pool, an image folder, and the CLI."""

    def __init__(self, pot_env: PotEnv, tmp_path: Path) -> None:
        super().__init__(pot_env)
        self.scratch = tmp_path
        self.out = tmp_path / "images"
        self.out.mkdir()

    @property
    def jails_ds(self) -> str:
        return f"{self.zfs_root}/jails"

    def pot(self, name: str, *, data: int = 200_000, **kwargs: str) -> Path:
        folder = self.single(name, **kwargs)
        m = folder / "m"
        (m / "usr/home/data.bin").write_bytes(filler(data))
        (m / "etc/motd").write_text(f"welcome to {name}\n")
        (m / "etc/link").symlink_to("motd")
        return folder

    def snap(self, name: str, snap: str = SNAP) -> None:
        sh("zfs", "snapshot", "-r", f"{self.jails_ds}/{name}@{snap}")

    def clone(self, source: str, snap: str, name: str) -> None:
        """A pot whose root is a ZFS clone of another pot's (what clone/prepare make)."""
        sh("zfs", "create", f"{self.jails_ds}/{name}")
        sh("zfs", "clone", f"{self.jails_ds}/{source}/m@{snap}", f"{self.jails_ds}/{name}/m")
        conf = self.fs_root / "jails" / name / "conf"
        shutil.copytree(self.fs_root / "jails" / source / "conf", conf)
        (self.fs_root / "jails" / name / "m" / "etc" / "motd").write_text(f"I am {name}\n")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    def export(self, *args: str) -> Result:
        return self.run("export", *args, "-D", str(self.out))

    def import_(self, *args: str) -> Result:
        return self.run("import", *args, "-U", self.out.as_uri())

    def jails(self) -> list[str]:
        """Everything below jails, relative to it."""
        return [name[len(self.jails_ds) :] for name in everything(self.jails_ds)]

    def cache_names(self) -> list[str]:
        return sorted(p.name for p in self.cache.iterdir())

    def out_names(self) -> list[str]:
        return sorted(p.name for p in self.out.iterdir())

    def exported(
        self, name: str = "test", tag: str = "1.0", *, network_type: str = "inherit", ip: str = ""
    ) -> Path:
        """A pot, snapshotted and exported; returns its .xz."""
        self.pot(name, network_type=network_type, ip=ip)
        self.snap(name)
        r = self.export("-p", name, "-t", tag)
        assert r.exit_code == 0, r.output
        return self.out / f"{name}_{tag}.xz"

    def upstream_image(self, name: str, tag: str, meta: bytes | None = b"-\n") -> Path:
        """An image made by upstream's recipe: zfs send -R | xz -T0, echo > .meta, skein."""
        xz = self.out / f"{name}_{tag}.xz"
        source = f"{self.jails_ds}/{name}@{SNAP}"
        sh("sh", "-c", f"zfs send -R {source} | xz -T0 > {xz}")
        parts = [xz]
        if meta is not None:
            (self.out / f"{xz.name}.meta").write_bytes(meta)
            parts.append(self.out / f"{xz.name}.meta")
        (self.out / f"{xz.name}.skein").write_bytes(skein_line(*parts))
        return xz


@pytest.fixture
def env(
    pot_env: PotEnv, standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Env:
    # the FreeBSD stand-ins run no jail: every pot is stopped (auto-snapshot checks it);
    # the host's tools after them, for the checks of these tests (xzcat, zfs receive ...)
    real_umount_first(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", f"{os.environ['PATH']}{os.pathsep}/usr/sbin:/usr/bin:/sbin:/bin")
    return Env(pot_env, tmp_path)


@pytest.fixture
def receives(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The targets of every zfs receive of the test (recorded, then run as usual)."""
    calls: list[str] = []
    real = zfs.receive

    def recording(target: str, **kwargs: object) -> object:
        calls.append(target)
        return real(target, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zfs, "receive", recording)
    return calls


# ---------------------------------------------------------------- round trip


def test_round_trip(env: Env, receives: list[str]) -> None:
    source = env.pot("test", network_type="public-bridge", ip="10.192.0.10")
    env.snap("test")
    r = env.export("-p", "test", "-t", "1.0")
    assert (r.exit_code, r.output) == (
        0,
        f"===>  exporting test @ {SNAP} to {env.out}/test_1.0.xz\n",
    )
    assert env.out_names() == ["test_1.0.xz", "test_1.0.xz.meta", "test_1.0.xz.skein"]
    xz, meta = env.out / "test_1.0.xz", env.out / "test_1.0.xz.meta"
    assert meta.read_bytes() == b"-\n"
    assert (env.out / "test_1.0.xz.skein").read_bytes() == skein_line(xz, meta)
    dataset = f"{env.jails_ds}/test"
    assert (zfs.get(dataset, ":pot.tag"), zfs.get(dataset, ":pot.snap")) == ("1.0", SNAP)

    r = env.import_("-p", "test", "-t", "1.0")
    assert (r.exit_code, r.stdout) == (
        0,
        "===>  importing test @ 1.0 as test_1_0\n"
        "===>  Pot test_1_0 has no dependencies\n"
        "===>  Assigning new IP: 10.192.0.3\n",
    )
    # off a terminal, as upstream's fetch(1): one line per file on stderr
    cache = env.cache / "test_1.0.xz"
    assert fetched(r.stderr) == [f"{cache}.skein", f"{cache}", f"{cache}.meta"]
    assert len(receives) == 1
    assert re.fullmatch(rf"{env.jails_ds}/\.import-test_1_0-[0-9a-f]{{8}}", receives[0])
    assert env.jails() == sorted(["", *pot_tree("test"), *pot_tree("test_1_0")])
    assert tree(env.fs_root / "jails" / "test_1_0" / "m") == tree(source / "m")
    expected = env.conf_text("test").replace('host.hostname="test.test"\n', "")
    expected = expected.replace("ip=10.192.0.10", "ip=10.192.0.3")
    assert env.conf_text("test_1_0") == expected + f'host.hostname="test_1_0.{HOST}"\n'
    # the exporter's bookkeeping is not the imported pot's
    assert zfs.get(f"{env.jails_ds}/test_1_0", ":pot.tag") == ""
    assert env.cache_names() == ["test_1.0.xz", "test_1.0.xz.meta", "test_1.0.xz.skein"]
    assert env.pot_folders() == ["test", "test_1_0"]
    r = env.run("ls", "-q")
    assert (r.exit_code, r.output) == (0, "test\ntest_1_0\n")
    r = env.run("info", "-vp", "test_1_0")
    assert (r.exit_code, r.output) == (0, INFO.format(z=env.zfs_root, snap=SNAP))


def test_our_xz_is_a_plain_xz_of_the_send_stream(env: Env) -> None:
    xz = env.exported()
    assert subprocess.run(["xz", "-t", str(xz)], check=False).returncode == 0
    target = f"{env.zfs_root}/plain"
    sh("sh", "-c", f"xzcat {xz} | zfs receive {target}")
    mountpoint = zfs.get(target, "mountpoint")
    assert (Path(mountpoint) / "m" / "etc" / "motd").read_text() == "welcome to test\n"


def test_an_image_made_by_upstreams_recipe_imports(env: Env) -> None:
    env.pot("test")
    env.snap("test")
    env.upstream_image("test", "2.0")
    r = env.import_("-p", "test", "-t", "2.0")
    assert (r.exit_code, r.stdout) == (
        0,
        "===>  importing test @ 2.0 as test_2_0\n===>  Pot test_2_0 has no dependencies\n",
    )
    assert tree(env.fs_root / "jails/test_2_0/m") == tree(env.fs_root / "jails/test/m")


def test_an_image_from_before_meta_files_imports(env: Env) -> None:
    env.pot("test")
    env.snap("test")
    env.upstream_image("test", "0.9", meta=None)
    r = env.import_("-p", "test", "-t", "0.9")
    assert (r.exit_code, r.stdout) == (
        0,
        "===>  importing test @ 0.9 as test_0_9\n"
        f"===>  No {env.cache}/test_0.9.xz.meta, ignoring\n"
        "===>  Pot test_0_9 has no dependencies\n",
    )
    # the missing .meta was never opened: no fetch line for it
    assert fetched(r.stderr) == [f"{env.cache}/test_0.9.xz.skein", f"{env.cache}/test_0.9.xz"]
    assert (env.cache / "test_0.9.xz.meta").read_bytes() == b""
    assert "/test_0_9/m" in env.jails()


def test_import_over_http(env: Env) -> None:
    env.exported()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(env.out), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        r = env.run("import", "-p", "test", "-t", "1.0", "-U", url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert r.exit_code == 0, r.output
    assert "/test_1_0/m" in env.jails()


def test_a_cached_image_is_used_and_a_bad_one_fetched_again(env: Env) -> None:
    xz = env.exported()
    cached = env.cache / xz.name
    assert env.import_("-p", "test", "-t", "1.0").exit_code == 0
    zfs.destroy(f"{env.jails_ds}/test_1_0", recursive=True)
    shutil.rmtree(env.fs_root / "jails" / "test_1_0", ignore_errors=True)
    # the source is gone: only the cache can serve it
    moved = env.scratch / "moved"
    env.out.rename(moved)
    env.out.mkdir()
    r = env.import_("-p", "test", "-t", "1.0", "-v")
    assert r.exit_code == 0, r.output
    assert f"=====>  Using the cached {cached}\n" in r.output
    assert fetched(r.stderr) == []  # nothing downloaded
    zfs.destroy(f"{env.jails_ds}/test_1_0", recursive=True)
    shutil.rmtree(env.fs_root / "jails" / "test_1_0", ignore_errors=True)
    # a damaged cache entry: removed, fetched again, verified
    cached.write_bytes(cached.read_bytes()[:-100])
    env.out.rmdir()
    moved.rename(env.out)
    r = env.import_("-p", "test", "-t", "1.0")
    assert r.exit_code == 0, r.output
    # upstream's retry: the first attempt's failure shown, then everything fetched again
    assert r.stdout.startswith("===>  importing test @ 1.0 as test_1_0\n" + HASH_MISMATCH)
    assert fetched(r.stderr) == [f"{cached}.skein", str(cached), f"{cached}.meta"]
    assert cached.read_bytes() == xz.read_bytes()


def test_alias_pots_move_to_the_public_bridge(env: Env) -> None:
    env.exported(network_type="alias", ip="em0|192.168.0.50")
    r = env.import_("-p", "test", "-t", "1.0")
    assert (r.exit_code, r.stdout) == (
        0,
        "===>  importing test @ 1.0 as test_1_0\n"
        "===>  Pot test_1_0 has no dependencies\n"
        "###>  Static IP not supported by import. Moving the pot to the internal network\n"
        "===>  Assigning new IP: 10.192.0.3\n",
    )
    conf = env.conf_text("test_1_0")
    assert "network_type=public-bridge\n" in conf
    assert "vnet=true\n" in conf
    assert "ip=10.192.0.3\n" in conf
    assert "alias" not in conf and "192.168.0.50" not in conf


def test_a_second_import_gets_the_next_address(env: Env) -> None:
    env.exported(network_type="public-bridge", ip="10.192.0.3")
    assert env.import_("-p", "test", "-t", "1.0").exit_code == 0
    (env.out / "test_1.0.xz").rename(env.out / "test_1.1.xz")
    for side in (".meta", ".skein"):
        (env.out / f"test_1.0.xz{side}").rename(env.out / f"test_1.1.xz{side}")
    r = env.import_("-p", "test", "-t", "1.1")
    assert r.exit_code == 0, r.output
    assert "===>  Assigning new IP: 10.192.0.5\n" in r.output  # .3 source, .4 test_1_0
    assert "ip=10.192.0.4\n" in env.conf_text("test_1_0")


def test_import_refuses_a_name_in_use(env: Env) -> None:
    env.exported()
    assert env.import_("-p", "test", "-t", "1.0").exit_code == 0
    r = env.import_("-p", "test", "-t", "1.0")
    assert (r.exit_code, r.output) == (
        1,
        "###>  pot test_1_0 is already present\n" + HELP["import"],
    )


# ---------------------------------------------------------------- signatures


def test_signed_round_trip(env: Env) -> None:
    pub, sec = signify_keys(env.scratch, "release")
    env.pot("test")
    env.snap("test")
    r = env.export("-p", "test", "-t", "1.0", "-S", str(sec))
    assert r.exit_code == 0, r.output
    skein_file, sig = env.out / "test_1.0.xz.skein", env.out / "test_1.0.xz.skein.sig"
    check = ["signify-openbsd", "-V", "-p", str(pub), "-x", str(sig), "-m", str(skein_file)]
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0
    r = env.import_("-p", "test", "-t", "1.0", "-C", str(pub), "-v")
    assert r.exit_code == 0, r.output
    assert "=====>  Signature verification succeeded\n" in r.output
    assert "=====>  Hash confirmed\n" in r.output
    assert (env.cache / "test_1.0.xz.skein.sig").read_bytes() == sig.read_bytes()


def test_the_default_public_key_is_used(env: Env) -> None:
    pub, sec = signify_keys(env.scratch, "release")
    env.pot_env.write_conf(POT_DEFAULT_SIGNATURE_PUBKEY=str(pub))
    env.pot("test")
    env.snap("test")
    assert env.export("-p", "test", "-t", "1.0", "-S", str(sec)).exit_code == 0
    r = env.import_("-p", "test", "-t", "1.0", "-v")
    assert r.exit_code == 0, r.output
    assert "=====>  Signature verification succeeded\n" in r.output


def test_missing_keys_are_refused_before_anything(env: Env) -> None:
    env.pot("test")
    env.snap("test")
    r = env.export("-p", "test", "-t", "1.0", "-S", str(env.scratch / "no.sec"))
    assert (r.exit_code, r.output) == (1, f"###>  Signature key {env.scratch}/no.sec not found\n")
    r = env.import_("-p", "test", "-t", "1.0", "-C", str(env.scratch / "no.pub"))
    assert (r.exit_code, r.output) == (1, f"###>  Public key {env.scratch}/no.pub not found\n")
    assert env.out_names() == []
    assert env.cache_names() == []


# ---------------------------------------------------------------- refused images


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x55
    path.write_bytes(bytes(data))


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


TAMPERS: dict[str, Callable[[Path], None]] = {
    "corrupt xz": lambda xz: _flip(xz, xz.stat().st_size // 2),
    "truncated xz": _truncate,
    "changed meta": lambda xz: _write(xz.with_name(xz.name + ".meta"), b"other:1@2\n"),
    "changed skein": lambda xz: _flip(xz.with_name(xz.name + ".skein"), 0),
    "missing skein": lambda xz: xz.with_name(xz.name + ".skein").unlink(),
}


@pytest.mark.parametrize("tamper", TAMPERS, ids=list(TAMPERS))
def test_tampered_images_are_refused_before_zfs_receive(
    env: Env, receives: list[str], tamper: str
) -> None:
    xz = env.exported()
    TAMPERS[tamper](xz)
    before = env.jails()
    r = env.import_("-p", "test", "-t", "1.0")
    message = HASH_MISMATCH
    if tamper == "missing skein":
        message = f"###>  {env.out.as_uri()}/test_1.0.xz.skein: No such file or directory\n"
    # upstream tries twice (the cache cleared in between): the failure shows twice
    assert (r.exit_code, r.stdout) == (
        1,
        "===>  importing test @ 1.0 as test_1_0\n" + message + message,
    )
    assert receives == []
    assert env.jails() == before
    assert env.cache_names() == []
    assert env.pot_folders() == ["test"]


def _signature_case(env: Env, case: str) -> list[str]:
    """Prepare a signature problem; return the extra import options."""
    pub, sec = signify_keys(env.scratch, "release")
    other_pub, other_sec = signify_keys(env.scratch, "other")
    env.pot("test")
    env.snap("test")
    if case == "unsigned":
        assert env.export("-p", "test", "-t", "1.0").exit_code == 0
        return ["-C", str(pub)]
    if case == "unsigned, default key":
        assert env.export("-p", "test", "-t", "1.0").exit_code == 0
        env.pot_env.write_conf(POT_DEFAULT_SIGNATURE_PUBKEY=str(pub))
        return []
    if case == "signed by another key":
        assert env.export("-p", "test", "-t", "1.0", "-S", str(other_sec)).exit_code == 0
        return ["-C", str(pub)]
    # a valid signature by the right key, of another image's hash
    assert env.export("-p", "test", "-t", "1.0", "-S", str(sec)).exit_code == 0
    sig = env.out / "test_1.0.xz.skein.sig"
    old = sig.read_bytes()
    assert env.export("-p", "test", "-t", "1.0", "-l", "1", "-S", str(sec)).exit_code == 0
    sig.write_bytes(old)
    assert other_pub.exists()
    return ["-C", str(pub)]


SIGNATURE_CASES = ("unsigned", "unsigned, default key", "signed by another key", "old signature")


@pytest.mark.parametrize("case", SIGNATURE_CASES)
def test_bad_signatures_are_refused_before_zfs_receive(
    env: Env, receives: list[str], case: str
) -> None:
    options = _signature_case(env, case)
    before = env.jails()
    r = env.import_("-p", "test", "-t", "1.0", *options)
    if case.startswith("unsigned"):
        message = f"{env.out.as_uri()}/test_1.0.xz.skein.sig: No such file or directory"
    else:
        message = "Signature verification failed"
    assert (r.exit_code, r.stdout) == (
        1,
        f"===>  importing test @ 1.0 as test_1_0\n###>  {message}\n###>  {message}\n",
    )
    assert receives == []
    assert env.jails() == before
    assert env.cache_names() == []


def _fake_image(env: Env, name: str, tag: str, payload: bytes, meta: bytes = b"-\n") -> None:
    """An image whose hash is right but whose content is not a pot's stream."""
    xz = env.out / f"{name}_{tag}.xz"
    xz.write_bytes(subprocess.run(["xz"], input=payload, capture_output=True, check=True).stdout)
    xz.with_name(xz.name + ".meta").write_bytes(meta)
    xz.with_name(xz.name + ".skein").write_bytes(skein_line(xz, xz.with_name(xz.name + ".meta")))


def test_a_failing_receive_leaves_nothing(env: Env, receives: list[str]) -> None:
    env.exported()
    before = env.jails()
    _fake_image(env, "junk", "1", os.urandom(100_000))
    r = env.import_("-p", "junk", "-t", "1")
    assert r.exit_code == 1
    assert r.stdout.startswith("===>  importing junk @ 1 as junk_1\n")
    assert r.stdout.count("###>") == 1
    assert "###>  zfs failed (exit status 1)" in r.output
    assert len(receives) == 1
    assert env.jails() == before
    assert env.pot_folders() == ["test"]


def test_a_failing_receive_removes_the_dependency_it_imported(env: Env) -> None:
    env.exported()
    before = env.jails()
    _fake_image(env, "web", "2.0", os.urandom(100_000), meta=f"test:1.0@{SNAP}\n".encode())
    r = env.import_("-p", "web", "-t", "2.0")
    assert r.exit_code == 1
    assert "===>  Installing dependency test_1_0\n" in r.output
    assert env.jails() == before
    assert env.pot_folders() == ["test"]


def test_an_image_depending_on_itself_is_refused(env: Env) -> None:
    env.exported()
    _fake_image(env, "loop", "1", b"x", meta=b"loop:1@5\n")
    r = env.import_("-p", "loop", "-t", "1")
    assert r.exit_code == 1
    assert r.output.endswith("###>  Pot loop_1 depends on itself through loop_1\n")
    assert env.pot_folders() == ["test"]


# ---------------------------------------------------------------- clones and dependencies


def test_a_clone_exports_its_origin_and_imports_it_first(env: Env) -> None:
    env.exported("test", "1.0")
    env.clone("test", SNAP, "web")
    env.snap("web", LATER)
    r = env.export("-p", "web", "-t", "2.0")
    assert r.exit_code == 0, r.output
    assert (env.out / "web_2.0.xz.meta").read_bytes() == f"test:1.0@{SNAP}\n".encode()
    r = env.import_("-p", "web", "-t", "2.0")
    web, test = env.cache / "web_2.0.xz", env.cache / "test_1.0.xz"
    assert fetched(r.stderr) == [
        *(f"{web}{side}" for side in (".skein", "", ".meta")),
        *(f"{test}{side}" for side in (".skein", "", ".meta")),
    ]
    assert (r.exit_code, r.stdout) == (
        0,
        "===>  importing web @ 2.0 as web_2_0\n"
        f"===>  Pot web_2_0 depends on test_1_0 (@{SNAP})\n"
        "===>  Installing dependency test_1_0\n"
        "===>  importing test @ 1.0 as test_1_0\n"
        "===>  Pot test_1_0 has no dependencies\n",
    )
    assert (env.fs_root / "jails/web_2_0/m/etc/motd").read_text() == "I am web\n"
    assert (env.fs_root / "jails/test_1_0/m/etc/motd").read_text() == "welcome to test\n"
    # another clone of the same origin finds it installed
    env.clone("test", SNAP, "api")
    env.snap("api", LATER)
    assert env.export("-p", "api", "-t", "3").exit_code == 0
    r = env.import_("-p", "api", "-t", "3")
    assert r.exit_code == 0, r.output
    assert "===>  test_1_0 already installed\n" in r.output


def test_a_clone_of_an_unexported_pot_is_refused(env: Env) -> None:
    env.pot("test")
    env.snap("test")
    env.clone("test", SNAP, "web")
    env.snap("web", LATER)
    r = env.export("-p", "web", "-t", "2.0")
    assert (r.exit_code, r.output) == (
        1,
        "###>  Origin test has no :pot.tag, please export first\n",
    )
    assert env.out_names() == []


# ---------------------------------------------------------------- export options


def test_no_snapshot(env: Env) -> None:
    env.pot("test")
    r = env.export("-p", "test")
    assert (r.exit_code, r.output) == (
        1,
        "###>  Pot test has no snapshots - please use pot snapshot for that\n",
    )
    r = env.export("-p", "test", "-A")
    assert r.exit_code == 0, r.output
    snaps = [s.split("@")[1] for s in env.jails() if s.startswith("/test@")]
    assert r.output == (
        "===>  Taking a snapshot of test\n"
        f"===>  exporting test @ {snaps[0]} to {env.out}/test_{snaps[0]}.xz\n"
    )
    assert f"test_{snaps[0]}.xz" in env.out_names()


def test_several_snapshots(env: Env) -> None:
    env.pot("test")
    env.snap("test", SNAP)
    env.snap("test", LATER)
    r = env.export("-p", "test", "-t", "1")
    assert (r.exit_code, r.output) == (
        1,
        "###>  Pot test has more than 1 snapshot - use -A to auto-purge old snapshots"
        " or -F to force exporting\n",
    )
    assert env.out_names() == []
    r = env.export("-p", "test", "-t", "1", "-F", "-A")
    assert (r.exit_code, r.output) == (
        0,
        "===>  Pot test has multiple snapshots and they all will be exported\n"
        f"===>  exporting test @ {LATER} to {env.out}/test_1.xz\n",
    )
    assert env.import_("-p", "test", "-t", "1").exit_code == 0
    assert pot_tree("test_1", SNAP, LATER)[1:3] == [f"/test_1@{SNAP}", f"/test_1@{LATER}"]
    assert set(pot_tree("test_1", SNAP, LATER)) <= set(env.jails())
    r = env.export("-p", "test", "-t", "2", "-A")
    assert (r.exit_code, r.output) == (
        0,
        "===>  Pot test has more than 1 snapshot - auto-purge will delete older snapshots\n"
        f"===>  exporting test @ {LATER} to {env.out}/test_2.xz\n",
    )
    assert f"/test@{SNAP}" not in env.jails()


def test_tags_as_versions(env: Env) -> None:
    env.pot("test")
    env.snap("test")
    assert env.export("-p", "test", "-t", "1.10", "-c").exit_code == 0
    r = env.export("-p", "test", "-t", "1.9", "-c")
    assert (r.exit_code, r.output) == (
        1,
        "###>  Tag version lower than the previously exported one\n",
    )
    assert env.export("-p", "test", "-t", "1.9").exit_code == 0  # without -c: no check
    assert env.export("-p", "test", "-t", "1.10", "-c").exit_code == 0  # :pot.tag is 1.9 now
    env.snap("test", LATER)
    r = env.export("-p", "test", "-t", "1.10", "-c", "-F")
    assert r.exit_code == 1
    assert r.output.endswith("###>  Already exported a different snapshot tagged as this version\n")
    assert env.export("-p", "test", "-t", "1.11", "-c", "-F").exit_code == 0


def test_level_and_directory_are_checked_while_parsing(env: Env) -> None:
    r = env.run("export", "-p", "test", "-l", "x")
    assert (r.exit_code, r.output) == (
        1,
        "###>  x is an invalid compression level\n" + HELP["export"],
    )
    r = env.run("export", "-p", "test", "-l", "10")
    assert r.output.startswith("###>  10 is an invalid compression level\n")
    r = env.run("export", "-p", "test", "-D", str(env.scratch / "nope"))
    assert (r.exit_code, r.output) == (1, f"###>  {env.scratch}/nope is not a directory\n")


def test_export_level_is_passed_on(env: Env) -> None:
    env.pot("test", data=3_000_000)
    env.snap("test")
    assert env.export("-p", "test", "-t", "fast", "-l", "0").exit_code == 0
    assert env.export("-p", "test", "-t", "best", "-l", "9").exit_code == 0
    fast, best = env.out / "test_fast.xz", env.out / "test_best.xz"
    assert fast.stat().st_size > best.stat().st_size
    assert subprocess.run(["xz", "-t", str(fast)], check=False).returncode == 0


def test_export_refuses_what_is_not_a_single_pot(env: Env) -> None:
    r = env.export("-p", "nope")
    assert (r.exit_code, r.output) == (
        1,
        "###>   Pot nope not found\n###>  pot nope is not valid\n" + HELP["export"],
    )
    r = env.export()
    assert (r.exit_code, r.output) == (1, "###>  A pot name is mandatory\n" + HELP["export"])
    folder = env.pot("test")
    conf = folder / "conf" / "pot.conf"
    conf.write_text(conf.read_text().replace("pot.type=single", "pot.type=multi"))
    r = env.export("-p", "test")
    assert (r.exit_code, r.output) == (
        1,
        "###>  pot test not supported - only single type pot can be exported\n",
    )


def fake_send(env: Env, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """``zfs send`` replaced by a shell script; every other zfs command is the real one.

    Aborting a real ``zfs send`` mid-stream wedges the zfs-fuse daemon (it leaks the
    stream's descriptor and deadlocks), so tests that cut a send short use this.
    """
    fake = env.scratch / "fakezfs"
    fake.mkdir(exist_ok=True)
    real = shutil.which("zfs")
    (fake / "zfs").write_text(
        f'#!/bin/sh\nif [ "$1" = send ]; then\n{script}\nfi\nexec {real} "$@"\n'
    )
    (fake / "zfs").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")


def test_a_failing_send_leaves_no_image(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.pot("test")
    env.snap("test")
    # a send that dies half way, after some output
    fake_send(
        env, monkeypatch, "head -c 300000 /dev/urandom; echo 'cannot send: I/O error' >&2; exit 3"
    )
    r = env.export("-p", "test", "-t", "1")
    assert (r.exit_code, r.output) == (
        1,
        f"===>  exporting test @ {SNAP} to {env.out}/test_1.xz\n"
        "###>  zfs failed (exit status 3): cannot send: I/O error\n"
        "###>  Export failed\n",
    )
    assert env.out_names() == []
    assert zfs.get(f"{env.jails_ds}/test", ":pot.tag") == ""


# ---------------------------------------------------------------- interrupted commands


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    """``python -m pot ARGS`` in a session of its own, so its children can be waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "pot", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    """Poll until condition holds (the command is mid-way); fail if it ended first."""
    deadline = time.monotonic() + 60
    while not condition():
        assert proc.poll() is None, proc.communicate()[0].decode()
        assert time.monotonic() < deadline, "the command never got there"
        time.sleep(0.01)


def _kill(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send sig to the command alone (as kill(1) would), then wait for it and for what it
    started (a zfs send or receive left behind by a SIGKILL finishes on its own)."""
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 60
    while True:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "the command's children never ended"
        time.sleep(0.05)


def _parts(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".part") and p.stat().st_size > 0]


@pytest.fixture
def big(env: Env) -> Env:
    """A pot large enough that import takes a moment (several xz blocks)."""
    env.pot("test", data=20_000_000)
    env.snap("test")
    return env


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_killed_export_leaves_no_image(
    env: Env, monkeypatch: pytest.MonkeyPatch, sig: signal.Signals
) -> None:
    env.pot("test")
    env.snap("test")
    # a large send stream from a file (see fake_send: a real one must not be cut short)
    stream = env.scratch / "stream"
    stream.write_bytes(filler(40_000_000))
    fake_send(env, monkeypatch, f"exec cat {stream}")
    proc = _spawn("export", "-p", "test", "-t", "1", "-D", str(env.out))
    _wait_for(lambda: bool(_parts(env.out)), proc)
    _kill(proc, sig)
    names = env.out_names()
    assert not [n for n in names if not n.startswith(".test_1.xz.")]
    if sig != signal.SIGKILL:
        assert proc.returncode == 130
        assert names == []
    assert zfs.get(f"{env.jails_ds}/test", ":pot.tag") == ""


def _hidden(env: Env) -> list[str]:
    return [n for n in env.jails() if n.startswith("/.import-")]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_import_leaves_no_pot(big: Env, sig: signal.Signals) -> None:
    assert big.export("-p", "test", "-t", "1").exit_code == 0
    proc = _spawn("import", "-p", "test", "-t", "1", "-U", big.out.as_uri())
    jails = big.fs_root / "jails"
    _wait_for(lambda: any(p.name.startswith(".import-") for p in jails.iterdir()), proc)
    _kill(proc, sig)
    r = big.run("ls", "-q")
    assert (r.exit_code, r.output) == (0, "test\n")
    assert not common.is_pot(big.pot_env.settings(), "test_1")
    r = big.run("info", "-p", "test_1")
    assert r.exit_code == 1
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert _hidden(big) == []
    # the next import clears what a SIGKILL left and succeeds
    r = big.import_("-p", "test", "-t", "1")
    assert r.exit_code == 0, r.output
    assert _hidden(big) == []
    assert [p.name for p in big.cache.iterdir() if p.name.startswith(".")] == []
    assert big.pot_folders() == ["test", "test_1"]


def test_leftovers_of_killed_imports_are_removed(env: Env) -> None:
    env.exported()
    sh("zfs", "create", f"{env.jails_ds}/.import-old_1-0123abcd")
    (env.cache / ".import-old_1.xz-x1y2").mkdir()
    (env.cache / ".import-old_1.xz-x1y2" / "old_1.xz").write_bytes(b"partial")
    r = env.run("ls", "-q")
    assert r.output == "test\n"
    assert env.import_("-p", "test", "-t", "1.0").exit_code == 0
    assert _hidden(env) == []
    assert env.cache_names() == ["test_1.0.xz", "test_1.0.xz.meta", "test_1.0.xz.skein"]


# ---------------------------------------------------------------- progress and interruptions


class Bars:
    """A ``bar`` for the ops: records labels and the last progress of each."""

    def __init__(self, stop_at: str = "") -> None:
        self.seen: dict[str, tuple[int, int | None]] = {}
        self.stop_at = stop_at

    @contextlib.contextmanager
    def __call__(self, label: str) -> Iterator[Callable[[int, int | None], None]]:
        def progress(done: int, total: int | None) -> None:
            self.seen[label] = (done, total)
            if label == self.stop_at:
                raise KeyboardInterrupt

        yield progress


def test_progress_of_export_download_and_receive(env: Env) -> None:
    env.pot("test")
    env.snap("test")
    s = env.pot_env.settings()
    bars = Bars()
    # export counts the send stream read so far (its size is not known beforehand)
    sent = len(sh("zfs", "send", "-R", f"{env.jails_ds}/test@{SNAP}").stdout)
    done = export.export(s, export.ExportOptions("test", "1.0", str(env.out)), bar=bars)
    assert bars.seen == {"test_1.0.xz": (sent, None)}
    bars, downloads = Bars(), Bars()
    options = imports.ImportOptions("test", "1.0", env.out.as_uri())
    assert imports.import_image(s, options, bar=bars, fetching=downloads).name == "test_1_0"
    size = done.paths.xz.stat().st_size
    # downloads are named by their cache file, as fetch(1) names them
    cache = env.cache / "test_1.0.xz"
    assert downloads.seen == {
        f"{cache}.skein": (257, 257),
        f"{cache}": (size, size),
        f"{cache}.meta": (2, 2),
    }
    assert bars.seen == {"test_1_0": (sent, sent)}


def test_an_interrupted_download_leaves_nothing(env: Env) -> None:
    env.exported()
    s = env.pot_env.settings()
    options = imports.ImportOptions("test", "1.0", env.out.as_uri())
    with pytest.raises(KeyboardInterrupt):
        stop = Bars(stop_at=str(env.cache / "test_1.0.xz"))
        imports.import_image(s, options, fetching=stop)
    assert env.cache_names() == []
    assert env.pot_folders() == ["test"]


@pytest.mark.parametrize(
    ("network_type", "ip", "bridge"),
    [("inherit", "", ""), ("private-bridge", "10.192.5.10", "br0")],
)
def test_other_network_types_keep_their_network(
    env: Env, network_type: str, ip: str, bridge: str
) -> None:
    env.pot("test", network_type=network_type, ip=ip, bridge=bridge)
    env.snap("test")
    assert env.export("-p", "test", "-t", "1.0").exit_code == 0
    r = env.import_("-p", "test", "-t", "1.0", "-v")
    assert r.exit_code == 0, r.output
    assert ("network_type set to inherit" in r.output) == (network_type == "inherit")
    assert "Assigning new IP" not in r.output
    expected = env.conf_text("test").replace('host.hostname="test.test"\n', "")
    assert env.conf_text("test_1_0") == expected + f'host.hostname="test_1_0.{HOST}"\n'
