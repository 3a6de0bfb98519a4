"""Shared fixtures: a private zfs-fuse pool for the tests that touch ZFS."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cli_env import EtcFolder

if TYPE_CHECKING:
    import basebuild
    from potcli import PotCli
    from standins.harness import Standins

    from pot.settings import Settings


def _zfs_ready() -> str | None:
    """None when zpool/zfs are usable, else the reason they are not."""
    if shutil.which("zpool") is None or shutil.which("zfs") is None:
        return "zpool/zfs not installed (apt-get install zfs-fuse)"
    probe = subprocess.run(["zpool", "list", "-H"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"ZFS daemon not answering: {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="session")
def zpool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A uniquely named pool on a sparse file; only this pool is ever destroyed."""
    reason = _zfs_ready()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"ZFS is required in CI: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("zpool")
    image = folder / "pool.img"
    with image.open("wb") as f:
        f.truncate(2 * 1024**3)
    name = f"pottest_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    subprocess.run(
        ["zpool", "create", "-m", str(folder / "mnt"), name, str(image)],
        check=True,
        capture_output=True,
    )
    try:
        yield name
    finally:
        _destroy_pool(name)
        image.unlink(missing_ok=True)


def _destroy_pool(name: str) -> None:
    # zfs-fuse may answer "busy" right after heavy use; retry a few times
    for _ in range(5):
        r = subprocess.run(["zpool", "destroy", "-f", name], capture_output=True, check=False)
        if r.returncode == 0:
            return
        time.sleep(1)


@pytest.fixture
def zroot(zpool: str) -> Iterator[str]:
    """A fresh dataset name under the test pool for one test (not created)."""
    name = f"{zpool}/t{uuid.uuid4().hex[:8]}"
    yield name
    # zfs-fuse may call a just-unmounted dataset busy for a moment; retry a few times
    for _ in range(5):
        r = subprocess.run(["zfs", "destroy", "-r", "-f", name], capture_output=True, check=False)
        if r.returncode == 0 or b"does not exist" in r.stderr:
            return
        time.sleep(0.5)


@pytest.fixture
def pool_mountpoint(zpool: str) -> Path:
    out = subprocess.run(
        ["zfs", "get", "-H", "-o", "value", "mountpoint", zpool],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


class PotEnv(EtcFolder):
    """A pot configuration folder (POT_ETC) whose pot.conf points into the test pool."""

    def __init__(self, base: Path, zfs_root: str) -> None:
        self.etc = base / "etc"
        self.fs_root = base / "pot"
        self.cache = base / "cache"
        self.tmp = base / "tmp"
        self.zfs_root = zfs_root
        self.etc.mkdir(parents=True)
        (self.etc / "flavours").mkdir()
        self.tmp.mkdir()
        self.write_conf()

    def defaults(self) -> dict[str, str]:
        return {
            "POT_ZFS_ROOT": self.zfs_root,
            "POT_FS_ROOT": str(self.fs_root),
            "POT_CACHE": str(self.cache),
            "POT_TMP": str(self.tmp),
            "POT_GROUP": "root",
        }

    def settings(self) -> Settings:
        from pot.settings import load

        return load(self.etc)


@pytest.fixture
def pot_env(zroot: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PotEnv:
    """POT_ETC set for the CLI; nothing initialised yet (run ``pot init -m``)."""
    env = PotEnv(tmp_path, zroot)
    monkeypatch.setenv("POT_ETC", str(env.etc))
    return env


@pytest.fixture(scope="session")
def freebsd_mirror(tmp_path_factory: pytest.TempPathFactory) -> basebuild.Mirror:
    """A file:// FreeBSD mirror with a small 14.1 release and its manifests.

    Built once per session from busybox-static (tests/basebuild.py) for this host's
    machine; point pot at it with ``pot_env.write_conf(**freebsd_mirror.conf())``.
    """
    import basebuild

    from pot.release import host_machine

    if basebuild.busybox() is None:
        pytest.skip("busybox-static not installed (apt-get install busybox-static)")
    machine = host_machine()
    return basebuild.build_mirror(tmp_path_factory.mktemp("freebsd"), machine.machine, machine.arch)


# ---------------------------------------------------------------- FreeBSD stand-ins


@pytest.fixture
def standins(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Standins]:
    """PATH = stand-ins for FreeBSD's tools + a few real ones; a fresh simulated host.

    The host has lo0 and an external NIC, em0 (192.168.0.10/24) unless the test names
    another with ``@pytest.mark.parametrize("standins", ["vtnet0"], indirect=True)``.
    See tests/standins/harness.py for the helpers (calls, set_rc, state, run_pot ...).
    """
    from standins.harness import Standins

    # datasets must outlive the (real) mounts the stand-ins make on them: set up the
    # test's ZFS fixtures first, so they are torn down after this one
    for name in ("pot_env", "zroot"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    extif = getattr(request, "param", "em0")
    stand = Standins.create(tmp_path_factory.mktemp("standins"), extif=extif)
    stand.activate(monkeypatch)
    yield stand
    stand.cleanup()


@pytest.fixture
def pot_cli(
    pot_env: PotEnv, standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PotCli:
    """An initialised pot layout on the test pool, the stand-ins and the CLI (tests/potcli.py)."""
    import potcli

    return potcli.make(pot_env, standins, tmp_path, monkeypatch)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``freebsd`` run only on a FreeBSD host (the FreeBSD CI tier)."""
    if sys.platform.startswith("freebsd"):
        return
    skip = pytest.mark.skip(reason="needs a FreeBSD host: real jails, epairs and pf")
    for item in items:
        if item.get_closest_marker("freebsd") is not None:
            item.add_marker(skip)
