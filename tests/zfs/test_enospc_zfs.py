"""A full dataset (a ZFS quota smaller than the data) during import and copy-in: one
``###>`` line naming the failure and exit 1, never ``internal error: OSError``; nothing
half made is left as a pot."""

from __future__ import annotations

import os
import random
from pathlib import Path

import potcli
import pytest
from potcli import PotCli
from standins.harness import Standins, busybox_root

pytestmark = pytest.mark.zfs

SNAP = "1700000000"
SIZE = 6 * 1024 * 1024


@pytest.fixture
def env(
    pot_env: object, standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PotCli:
    e = potcli.make(pot_env, standins, tmp_path, monkeypatch)
    folder = e.single("web")
    busybox_root(folder / "m")
    # random bytes: xz cannot make the image smaller than the quota
    (folder / "m" / "big.bin").write_bytes(random.Random(8).randbytes(SIZE))
    e.snap("jails/web", SNAP)
    return e


def _one_error_line(out: str) -> None:
    errors = [line for line in out.splitlines() if line.startswith("###>")]
    assert errors, out
    assert "internal error" not in out
    assert "Traceback" not in out


def test_import_into_a_full_cache(env: PotCli, tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert env.run("export", "-p", "web", "-t", "1.0", "-D", str(images))[0] == 0
    env.zfs("set", "quota=2M", f"{env.zfs_root}/cache")
    code, out, _ = env.run("import", "-p", "web", "-t", "1.0", "-U", images.as_uri())
    assert code == 1
    _one_error_line(out)
    assert env.run("ls", "-q") == (0, "web\n", "")
    assert [n for n in env.tree("jails") if "web_1_0" in n or ".import" in n] == []


def test_import_into_a_full_jails_dataset(env: PotCli, tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    assert env.run("export", "-p", "web", "-t", "1.0", "-D", str(images))[0] == 0
    used = int(env.zfs("get", "-Hp", "-o", "value", "used", f"{env.zfs_root}/jails"))
    env.zfs("set", f"quota={used + 2 * 1024 * 1024}", f"{env.zfs_root}/jails")
    code, out, _ = env.run("import", "-p", "web", "-t", "1.0", "-U", images.as_uri())
    assert code == 1
    _one_error_line(out)
    assert env.run("ls", "-q") == (0, "web\n", "")


def test_copy_in_to_a_full_pot(env: PotCli, tmp_path: Path) -> None:
    source = tmp_path / "big-source.bin"
    source.write_bytes(random.Random(9).randbytes(SIZE))
    used = int(env.zfs("get", "-Hp", "-o", "value", "used", f"{env.zfs_root}/jails/web/m"))
    env.zfs("set", f"quota={used + 1024 * 1024}", f"{env.zfs_root}/jails/web/m")
    code, out, _ = env.run("copy-in", "-p", "web", "-s", str(source), "-d", "/big-copy.bin")
    assert code == 1
    _one_error_line(out)
    assert os.path.isdir(env.fs_root / "jails" / "web" / "m")
