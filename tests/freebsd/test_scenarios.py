"""The FreeBSD tier's scenarios, modelled on upstream's tests/CI/run.sh.

For each pot type and network type (IPv4 stack; dual and ipv6 too when the host has
IPv6), the whole life of a pot on a real FreeBSD 14 host: create with the slim
flavour, copy-in, snapshot, export and import, an fscomp mounted in, start (the copied
file is in the jail, `pot show` lists it, its bridge address answers ping), stop,
rename, start and stop again, destroy — and nothing left behind (`ls -q`, `-qb`,
`-qf`, `-qB` empty). Then the corrupted-pot case (conf/ removed: destroy refuses,
destroy -F works) and the broken-flavour case (create fails and leaves nothing).

The pot under test is ours, run as a program (``python -m pot``) with POT_ETC pointing
at a configuration of this module: its own pool dataset, the host's external
interface, the release the host runs (downloaded once by create-base).
Skipped off FreeBSD (conftest); run by .cirrus.yml as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.freebsd,
    pytest.mark.skipif(os.geteuid() != 0, reason="jails, epairs and pools need root"),
]

TYPES = ("single", "multi")
NETWORKS = ("inherit", "public-bridge", "private-bridge")


def sh(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False)


def host_release() -> str:
    """``14.2`` for a host on 14.2-RELEASE-p1: the base the pots are made of."""
    version = sh("freebsd-version", "-u").stdout.strip()
    return version.split("-")[0]


def external_interface() -> str:
    for line in sh("route", "-n", "get", "default").stdout.splitlines():
        key, _, value = line.strip().partition(":")
        if key == "interface":
            return value.strip()
    pytest.fail("no default route: the scenarios need the host's external interface")


def has_ipv6() -> bool:
    return sh("ping6", "-c", "1", "-t", "3", "2606:4700:4700::1111").returncode == 0


@dataclass
class Host:
    """One configuration of ours on the real host, shared by the module's tests."""

    etc: Path
    zfs_root: str
    fs_root: Path
    release: str
    workdir: Path

    def pot(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "POT_ETC": str(self.etc)}
        return subprocess.run(
            [sys.executable, "-m", "pot", *args],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            cwd=self.workdir,
        )

    def ok(self, *args: str) -> str:
        done = self.pot(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def fails(self, *args: str) -> str:
        done = self.pot(*args)
        assert done.returncode != 0, (args, done.stdout, done.stderr)
        return done.stderr

    def set_stack(self, stack: str) -> None:
        conf = self.etc / "pot.conf"
        lines = [x for x in conf.read_text().splitlines() if not x.startswith("POT_NETWORK_STACK=")]
        conf.write_text("\n".join([*lines, f"POT_NETWORK_STACK={stack}"]) + "\n")

    def flavour(self, name: str, script: str) -> None:
        path = self.etc / "flavours" / f"{name}.sh"
        path.write_text(script)
        path.chmod(0o755)

    def assert_empty(self) -> None:
        for option in ("-q", "-qb", "-qf", "-qB"):
            assert self.ok("ls", option) == "", option


@pytest.fixture(scope="module")
def host(zpool: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    base = tmp_path_factory.mktemp("freebsd-host")
    etc = base / "etc"
    # the sample flavours (slim among them) as an installed pot has them
    shutil.copytree(Path(__file__).parents[2] / "flavours", etc / "flavours")
    for name in ("resolv.conf-ipv4", "resolv.conf-dual", "resolv.conf-ipv6"):
        servers = {"ipv4": ["1.1.1.1"], "ipv6": ["2606:4700:4700::1111"]}
        stack = name.rsplit("-", 1)[1]
        wanted = servers["ipv4"] * (stack != "ipv6") + servers["ipv6"] * (stack != "ipv4")
        (base / name).write_text("".join(f"nameserver {s}\n" for s in wanted))
    host = Host(
        etc=etc,
        zfs_root=f"{zpool}/pot{uuid.uuid4().hex[:6]}",
        fs_root=base / "pot",
        release=host_release(),
        workdir=base,
    )
    (etc / "pot.conf").write_text(
        f"POT_ZFS_ROOT={host.zfs_root}\n"
        f"POT_FS_ROOT={host.fs_root}\n"
        f"POT_CACHE={base / 'cache'}\n"
        f"POT_TMP={base / 'tmp'}\n"
        f"POT_EXTIF={external_interface()}\n"
        "POT_NETWORK_STACK=ipv4\n"
    )
    (base / "tmp").mkdir()
    for module in ("if_epair", "if_bridge", "pf"):
        sh("kldload", "-n", module)
    host.ok("init")
    sh("pfctl", "-e")
    host.ok("create-base", "-r", host.release)
    yield host
    for pot in host.pot("ls", "-q").stdout.split():
        host.pot("stop", pot)
        host.pot("destroy", "-F", "-p", pot)
    host.pot("destroy", "-r", "-b", host.release)
    host.pot("de-init")
    sh("zfs", "destroy", "-r", "-f", host.zfs_root)


def stacks() -> list[str]:
    if sys.platform.startswith("freebsd") and has_ipv6():
        return ["ipv4", "dual", "ipv6"]
    return ["ipv4"]


def pot_name(kind: str, release: str, network: str, stack: str) -> str:
    return f"{kind}-{release.replace('.', '_')}-{network}-{stack}-test"


def create(host: Host, kind: str, network: str, stack: str, *extra: str) -> str:
    name = pot_name(kind, host.release, network, stack)
    common = ("-v", "-p", name, "-t", kind, "-b", host.release, "-N", network, *extra)
    if network == "private-bridge":
        host.ok("create-private-bridge", "-v", "-B", "testprivate", "-S", "5")
        dns = f"custom:{host.workdir}/resolv.conf-ipv4"
        host.ok("create", *common, "-B", "testprivate", "-d", dns)
    else:
        host.ok("create", *common, "-d", f"custom:{host.workdir}/resolv.conf-{stack}")
    return name


def jail_ip(host: Host, name: str) -> str:
    for line in host.ok("info", "-p", name).splitlines():
        words = line.split()
        if words[:1] == ["ip"]:
            return words[-1]
    pytest.fail(f"pot info -p {name} shows no ip")


def start_stop(host: Host, name: str, network: str, stack: str, copied: bool = False) -> None:
    if stack == "ipv6" and network == "private-bridge":
        host.fails("start", name)
        return
    host.ok("start", name)
    try:
        if copied:
            assert sh("jexec", name, "test", "-f", "/root/protocols").returncode == 0
        assert sum(name in line for line in host.ok("show").splitlines()) == 1
        if stack != "ipv6" and network in ("public-bridge", "private-bridge"):
            assert sh("ping", "-c", "1", jail_ip(host, name)).returncode == 0
    finally:
        host.ok("stop", name)
    assert sh("jls", "-j", name).returncode != 0


def destroy(host: Host, kind: str, name: str, network: str) -> None:
    if kind == "single":
        host.ok("destroy", "-p", name)
    else:
        host.fails("destroy", "-b", host.release)
        host.ok("destroy", "-r", "-b", host.release)
        host.ok("create-base", "-r", host.release)  # the module's base for the next test
    host.ok("destroy", "-f", "fscomp")
    if network == "private-bridge":
        host.ok("destroy", "-B", "testprivate")


@pytest.mark.parametrize("stack", stacks())
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("kind", TYPES)
def test_pot_life(host: Host, kind: str, network: str, stack: str) -> None:
    """upstream's pot_test: create, copy-in, snap, export/import, fscomp, start/stop, rename."""
    host.set_stack(stack)
    if stack == "ipv6" and network == "private-bridge":
        host.ok("create-private-bridge", "-B", "testprivate", "-S", "5")
        name = pot_name(kind, host.release, network, stack)
        host.fails(
            "create", "-p", name, "-t", kind, "-b", host.release, "-N", network, "-B", "testprivate"
        )
        host.ok("destroy", "-B", "testprivate")
        host.assert_empty()
        return
    # as upstream's CI: the slim flavour for single pots only
    name = create(host, kind, network, stack, *(("-f", "slim") if kind == "single" else ()))
    host.ok("copy-in", "-p", name, "-s", "/etc/protocols", "-d", "/root")
    host.ok("snap", "-p", name)
    snapshots = host.ok("info", "-v", "-p", name).split("snapshot", 1)[1]
    assert snapshots.count(name) == (2 if kind == "single" else 3)
    if kind == "single":
        host.ok("export", "-p", name, "-t", "0", "-l", "0")
        host.ok("import", "-p", name, "-t", "0", "-U", f"file://{host.workdir}")
        host.ok("destroy", "-p", f"{name}_0")
        for image in host.workdir.glob("*.xz*"):
            image.unlink()
    else:
        host.fails("export", "-p", name, "-l", "0")
    host.ok("create-fscomp", "-f", "fscomp")
    host.ok("mount-in", "-p", name, "-f", "fscomp", "-m", "/media")
    start_stop(host, name, network, stack, copied=True)
    renamed = f"{name}_new"
    host.ok("rename", "-p", name, "-n", renamed)
    assert host.ok("ls", "-q").split().count(name) == 0
    assert host.ok("ls", "-q").split().count(renamed) == 1
    start_stop(host, renamed, network, stack)
    destroy(host, kind, renamed, network)
    assert host.ok("ls", "-q") == ""


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("kind", TYPES)
def test_corrupted_pot(host: Host, kind: str, network: str) -> None:
    """upstream's pot_corrupted_test: a clone with a bootstrap flavour; conf/ removed."""
    host.set_stack("ipv4")
    name = create(host, kind, network, "ipv4")
    host.flavour("marker", "#!/bin/sh\ntouch /root/flavoured\n")
    clone = f"{name}-clone"
    extra = ("-B", "testprivate") if network == "private-bridge" else ()
    host.ok("clone", "-p", clone, "-P", name, "-f", "marker", "-F", *extra)
    host.ok("start", clone)
    try:
        assert sh("jexec", clone, "test", "-f", "/root/flavoured").returncode == 0
    finally:
        host.ok("stop", clone)
    host.ok("destroy", "-p", clone)
    conf = host.fs_root / "jails" / name / "conf"
    subprocess.run(["rm", "-rf", str(conf)], check=True)
    host.fails("destroy", "-p", name)
    host.ok("destroy", "-p", name, "-F")
    if kind == "multi":
        host.ok("destroy", "-r", "-b", host.release)
        host.ok("create-base", "-r", host.release)
    if network == "private-bridge":
        host.ok("destroy", "-B", "testprivate")
    assert host.ok("ls", "-q") == ""
    assert host.ok("ls", "-qB") == ""


@pytest.mark.parametrize("kind", TYPES)
def test_broken_flavour_leaves_nothing(host: Host, kind: str) -> None:
    """upstream's pot_create_fail_test: a bootstrap script that fails rolls create back."""
    host.set_stack("ipv4")
    host.flavour("broken", "#!/bin/sh\n\nfalse\n")
    name = pot_name(kind, host.release, "inherit", "ipv4")
    host.fails("create", "-v", "-p", name, "-t", kind, "-b", host.release, "-f", "broken")
    assert host.ok("ls", "-q") == ""
    assert sh("zfs", "list", f"{host.zfs_root}/jails/{name}").returncode != 0
