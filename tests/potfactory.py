"""Build pots on disk for tests, the way upstream's create leaves them, without `pot create`.

Tests of commands that need existing pots (set-*, snapshot, info, destroy, start ...)
use this so that they do not depend on create. The layout follows
upstream's share/pot/init.sh (the datasets) and create.sh, _cj_conf (pot.conf, fscomp.conf).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from standins.harness import busybox_root

from pot import potconf
from pot.potconf import FsCompEntry, NewPot

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv
    from standins.harness import Standins

    from pot.settings import Settings

# pf.conf with the two anchors `pot init` adds (upstream share/pot/init.sh)
PF_CONF = 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n'


def zfs(*args: str) -> str:
    return subprocess.run(["zfs", *args], check=True, capture_output=True, text=True).stdout


def init_layout(zfs_root: str, fs_root: Path, cache: Path) -> None:
    """What `pot init -m` makes: the root dataset and bases/jails/fscomp/cache."""
    zfs("create", "-o", f"mountpoint={fs_root}", "-o", "canmount=off", zfs_root)
    for child in ("bases", "jails", "fscomp"):
        zfs("create", f"{zfs_root}/{child}")
    zfs("create", "-o", f"mountpoint={cache}", "-o", "compression=off", f"{zfs_root}/cache")
    (fs_root / "bridges").mkdir(parents=True, exist_ok=True)


def pot_conf_file(fs_root: Path, name: str, text: str) -> Path:
    """Only ``jails/<name>/conf/pot.conf`` (no dataset): what the read-only commands need."""
    conf = fs_root / "jails" / name / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "pot.conf").write_text(text)
    return conf / "pot.conf"


def bridge_file(fs_root: Path, name: str, net: str, gateway: str) -> Path:
    """A private bridge as create-private-bridge writes it (``bridges/<name>``)."""
    folder = fs_root / "bridges"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"net={net}\ngateway={gateway}\nname={name}\n")
    return folder / name


def root_files(m: Path, *, hostname: str = "") -> None:
    """A few files of a FreeBSD-like root, enough for copy-in, snapshots and start tests."""
    for d in ("etc", "tmp", "dev", "bin", "usr/home", "root", "var/log"):
        (m / d).mkdir(parents=True, exist_ok=True)
    (m / "tmp").chmod(0o1777)
    (m / "etc" / "rc.conf").write_text(f'hostname="{hostname}"\n')
    (m / "etc" / "hosts").write_text("127.0.0.1 localhost\n")
    (m / "bin" / "freebsd-version").write_text(
        '#!/bin/sh\nUSERLAND_VERSION="14.1-RELEASE"\necho $USERLAND_VERSION\n'
    )
    (m / "bin" / "freebsd-version").chmod(0o755)


def single_pot(
    zfs_root: str,
    fs_root: Path,
    name: str,
    *,
    network_type: str = "inherit",
    ip: str = "",
    bridge: str = "",
    stack: str = "ipv4",
    release: str = "14.1",
    dns: str = "inherit",
) -> Path:
    """A single-dataset pot (jails/<name> and jails/<name>/m); returns its folder."""
    zfs("create", f"{zfs_root}/jails/{name}")
    zfs("create", f"{zfs_root}/jails/{name}/m")
    folder = fs_root / "jails" / name
    root_files(folder / "m", hostname=name)
    new = _new_pot(name, 0, "single", release, "", network_type, ip, bridge, stack=stack, dns=dns)
    _write_conf(folder, new, [])
    return folder


def multi_pot(
    zfs_root: str,
    fs_root: Path,
    name: str,
    *,
    level: int,
    base: str = "14.1",
    potbase: str = "",
    network_type: str = "inherit",
    ip: str = "",
    bridge: str = "",
) -> Path:
    """A multi pot as create leaves it (datasets, conf/ and fscomp.conf), not mounted."""
    dataset = f"{zfs_root}/jails/{name}"
    zfs("create", dataset)
    for child in {0: (), 1: ("usr.local", "custom"), 2: ("custom",)}[level]:
        zfs("create", f"{dataset}/{child}")
    folder = fs_root / "jails" / name
    (folder / "m").mkdir(parents=True)
    new = _new_pot(name, level, "multi", base, potbase, network_type, ip, bridge)
    _write_conf(folder, new, _multi_entries(zfs_root, name, level, base, potbase))
    return folder


def _new_pot(
    name: str,
    level: int,
    pot_type: str,
    base: str,
    potbase: str,
    network_type: str,
    ip: str,
    bridge: str,
    *,
    stack: str = "ipv4",
    dns: str = "inherit",
) -> NewPot:
    return NewPot(
        level=level,
        pot_type=pot_type,
        base=base,
        potbase=potbase,
        dns=dns,
        hostname=f"{name}.test",
        osrelease=potconf.osrelease_value(base),
        stack=stack,
        network_type=network_type,
        ip=ip,
        bridge=bridge,
    )


def _write_conf(folder: Path, new: NewPot, entries: list[FsCompEntry]) -> None:
    """conf/pot.conf and conf/fscomp.conf as create writes them."""
    (folder / "conf").mkdir()
    potconf.write(folder / "conf" / "pot.conf", potconf.created(new))
    potconf.write_fscomp(folder / "conf" / "fscomp.conf", entries)


def _multi_entries(
    zfs_root: str, name: str, level: int, base: str, potbase: str
) -> list[FsCompEntry]:
    """fscomp.conf as create writes it (upstream create.sh, _c_zfs_multi)."""
    b = f"{zfs_root}/bases/{base}"
    own = f"{zfs_root}/jails/{name}"
    if level == 0:
        return [
            FsCompEntry(b, "/"),
            FsCompEntry(f"{b}/usr.local", "/usr/local"),
            FsCompEntry(f"{b}/custom", "/opt/custom"),
        ]
    if level == 1:
        usr_local = FsCompEntry(f"{own}/usr.local", "/usr/local", "zfs-remount")
    else:
        usr_local = FsCompEntry(f"{zfs_root}/jails/{potbase}/usr.local", "/usr/local", "ro")
    return [
        FsCompEntry(b, "/", "ro"),
        usr_local,
        FsCompEntry(f"{own}/custom", "/opt/custom", "zfs-remount"),
    ]


class PotHost:
    """An initialised pot installation on the test pool (the datasets and folders of
    ``pot init -m``, made by :func:`init_layout`) and the pots laid out in it: the common
    part of the ZFS tests' environments (tests/potcli.py, tests/create_env.py ...)."""

    def __init__(self, pot_env: PotEnv) -> None:
        self.pot_env = pot_env
        self.zfs_root: str = pot_env.zfs_root
        self.fs_root: Path = pot_env.fs_root
        self.cache: Path = pot_env.cache
        self.tmp: Path = pot_env.tmp
        self.etc: Path = pot_env.etc
        init_layout(self.zfs_root, self.fs_root, self.cache)

    @property
    def settings(self) -> Settings:
        return self.pot_env.settings()

    def zfs(self, *args: str) -> str:
        return zfs(*args)

    def datasets(self, below: str = "") -> list[str]:
        """Every dataset and snapshot under the root (or root/below), in zfs's order,
        named relative to the root: "" is the root itself, the others start with "/"."""
        root = f"{self.zfs_root}/{below}" if below else self.zfs_root
        out = self.zfs("list", "-H", "-o", "name", "-t", "all", "-r", root)
        return [name[len(self.zfs_root) :] for name in out.splitlines()]

    def single(self, name: str, **kwargs: str) -> Path:
        """A single pot (:func:`single_pot`); returns its folder."""
        return single_pot(self.zfs_root, self.fs_root, name, **kwargs)

    def multi(self, name: str, *, level: int, **kwargs: str) -> Path:
        """A multi pot (:func:`multi_pot`); returns its folder."""
        return multi_pot(self.zfs_root, self.fs_root, name, level=level, **kwargs)

    def bridge(self, name: str, net: str, gateway: str) -> Path:
        return bridge_file(self.fs_root, name, net, gateway)

    def conf_text(self, pot: str) -> str:
        return (self.fs_root / "jails" / pot / "conf" / "pot.conf").read_text()

    def pot_folders(self) -> list[str]:
        """The names in ``jails/``, sorted."""
        return sorted(p.name for p in (self.fs_root / "jails").iterdir())


def setup_host(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> PotEnv:
    """An initialised pot layout on zfs-fuse, pf rules for vnet-start, the stand-ins."""
    init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    (tmp_path / "pf.conf").write_text(PF_CONF)
    with standins.edit() as st:
        st["rc_conf"]["pf_rules"] = str(tmp_path / "pf.conf")
    return pot_env


def make_pot(env: PotEnv, name: str = "web", **kwargs: str) -> Path:
    """A single pot whose root is busybox, so that its commands really run (chroot)."""
    folder = single_pot(env.zfs_root, env.fs_root, name, **kwargs)
    busybox_root(folder / "m")
    return folder


def status_text(env: PotEnv, name: str = "web") -> str | None:
    path = env.tmp / f"pot_status_{name}"
    return path.read_text() if path.exists() else None
