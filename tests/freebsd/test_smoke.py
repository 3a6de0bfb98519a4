"""The FreeBSD tier: pot and the tool forms the stand-ins imitate, on a real FreeBSD host.

Skipped elsewhere (conftest). Run as root on FreeBSD 14: ``pytest -m freebsd`` (see
.cirrus.yml). The jail and ifconfig checks use exactly the argv and expectations of
tests/argv/test_standins.py, so they keep the stand-ins honest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standins.harness import run_pot

pytestmark = [
    pytest.mark.freebsd,
    pytest.mark.skipif(os.geteuid() != 0, reason="jails, epairs and pools need root"),
]


def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """A real tool; output through files, as a jailed background process may hold it."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        done = subprocess.run(
            list(argv), input=stdin, stdout=out, stderr=err, text=True, check=False
        )
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(done.args, done.returncode, out.read(), err.read())


@pytest.fixture
def rescue_root(tmp_path: Path) -> Path:
    """A jail root made of /rescue: one crunched binary, linked under each tool name."""
    root = tmp_path / "root"
    for folder in ("bin", "dev", "etc", "root", "tmp"):
        (root / folder).mkdir(parents=True)
    shutil.copy2("/rescue/sh", root / "bin" / "sh")
    for tool in ("sleep", "hostname", "cat"):
        os.link(root / "bin" / "sh", root / "bin" / tool)
    (root / "etc" / "passwd").write_text("root:*:0:0:Charlie &:/root:/bin/sh\n")
    return root


@pytest.fixture
def jail_name() -> Iterator[str]:
    name = f"pottest{os.getpid()}"
    yield name
    run("jail", "-R", name)


def test_init_makes_the_datasets(pot_env: Any) -> None:  # conftest.PotEnv
    pot_env.write_conf(POT_GROUP="wheel")
    code, _out, err = run_pot("init", "-m")
    assert (code, err) == (0, "")
    listing = run("zfs", "list", "-H", "-o", "name", "-r", pot_env.zfs_root).stdout
    root = pot_env.zfs_root
    assert listing.splitlines() == [
        root,
        f"{root}/bases",
        f"{root}/cache",
        f"{root}/fscomp",
        f"{root}/jails",
    ]


def test_jail_lifecycle_as_the_standins_model_it(rescue_root: Path, jail_name: str) -> None:
    created = run(
        "jail",
        "-c",
        "allow.set_hostname=false",
        "allow.raw_sockets",
        "allow.socket_af",
        "allow.chflags",
        "exec.clean",
        "mount.devfs",
        f"name={jail_name}",
        "host.hostname=smoke.pot",
        f"path={rescue_root}",
        "persist",
        "exec.start=sh -c 'sleep 1234&'",
    )
    assert (created.returncode, created.stdout, created.stderr) == (
        0,
        f"{jail_name}: created\n",
        "",
    )
    assert run("jls", "-j", jail_name, "name").stdout == f"{jail_name}\n"
    assert run("jexec", jail_name, "/bin/hostname").stdout == "smoke.pot\n"
    assert run("pkill", "-f", "-j", jail_name, "^sleep 1234$").returncode == 0
    conf = f"{jail_name} {{\n  stop.timeout=0;\n}}\n"
    removed = run("jail", "-f-", "-q", "-r", jail_name, stdin=conf)
    assert (removed.returncode, removed.stdout, removed.stderr) == (0, "", "")
    gone = run("jls", "-j", jail_name)
    assert (gone.returncode, gone.stderr) == (1, f'jls: jail "{jail_name}" not found\n')
    # jail -r without mount.devfs in its configuration leaves devfs mounted
    assert f"devfs on {rescue_root}/dev (devfs)" in run("mount").stdout.splitlines()
    assert run("umount", "-f", f"{rescue_root}/dev").returncode == 0


def test_jail_rejects_an_unknown_parameter(rescue_root: Path, jail_name: str) -> None:
    result = run(
        "jail", "-c", f"name={jail_name}", f"path={rescue_root}", "allow.frobnicate", "persist"
    )
    assert (result.returncode, result.stderr) == (
        1,
        f"jail: {jail_name}: unknown parameter: allow.frobnicate\n",
    )


def test_epair_create_prints_the_a_side() -> None:
    assert run("kldload", "-n", "if_epair").returncode == 0
    created = run("ifconfig", "epair", "create", "descr", "pottest", "group", "pot")
    name = created.stdout.strip()
    try:
        assert created.returncode == 0
        assert name.startswith("epair")
        assert name.endswith("a")
        assert run("ifconfig", "-g", "pot").stdout.split().count(name) == 1
    finally:
        run("ifconfig", name, "destroy")
    assert run("ifconfig", name).stderr == f"ifconfig: interface {name} does not exist\n"
