"""nomad-pot-driver's whole task lifecycle, replayed call by call as the driver makes them.

An image is exported with our export from a busybox pot, the source pot is destroyed
(the image comes from elsewhere), then every pot call the driver makes for one task is
run as the driver makes it: prepare, the ``ls -q`` exists check, the customising calls,
``pot start`` in the background (working directory = the task folder), get-rss -J,
signal, exec, the exit path (start exits 125 -> last-run-stats) and destroy -F. The
pgrep alive check is the launcher's and is not replayed here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from standins.harness import Standins, busybox_root, wait_for

from pot.cli.helptext import HELP

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

SNAP = "1700000000"
TASK = "www"
INV = "0a1b2c3d"
ALLOC = "5f3c9e2a-1b2c-4d5e-8f90-0123456789ab"
NAME = f"{TASK}_{INV}_{ALLOC}"
IMAGE = "nginx_1_0"
# the driver's -c: the whole command line inside literal double quotes
SCRIPT = (
    'trap "echo usr1 >> /root/signals" USR1; echo started > /root/ran; '
    "cat /local/hello > /root/seen; "
    "while [ ! -e /root/quit ]; do sleep 0.1; done; exit 7"
)
COMMAND = f"\"sh -c '{SCRIPT}'\""
RCTL = "cputime=12\nmemoryuse=52428800\nvmemoryuse=104857600\nswapuse=0\npcpu=25\n"
PF_CONF = 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n'


@pytest.fixture
def host(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> PotEnv:
    """An initialised pot layout, pf rules for the public bridge, racct on."""
    potfactory.init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    (tmp_path / "pf.conf").write_text(PF_CONF)
    with standins.edit() as st:
        st["rc_conf"]["pf_rules"] = str(tmp_path / "pf.conf")
    standins.set_sysctl("kern.racct.enable", "1")
    return pot_env


def exported_image(env: PotEnv, standins: Standins, images: Path) -> None:
    """nginx @ 1.0 exported by our export into ``images``; the source pot is gone."""
    folder = potfactory.single_pot(env.zfs_root, env.fs_root, "nginx")
    busybox_root(folder / "m")
    # tinirc configures the epair inside the jail: FreeBSD's tools that it calls there
    for tool in ("ifconfig", "route"):
        (folder / "m" / "bin" / tool).write_text("#!/bin/sh\nexit 0\n")
        (folder / "m" / "bin" / tool).chmod(0o755)
    subprocess.run(
        ["zfs", "snapshot", "-r", f"{env.zfs_root}/jails/nginx@{SNAP}"],
        check=True,
        capture_output=True,
    )
    images.mkdir()
    code, out, _ = standins.run_pot("export", "-p", "nginx", "-t", "1.0", "-D", str(images))
    assert code == 0, out
    assert standins.run_pot("destroy", "-p", "nginx")[0] == 0
    assert sorted(p.name for p in images.iterdir()) == [
        "nginx_1.0.xz",
        "nginx_1.0.xz.meta",
        "nginx_1.0.xz.skein",
    ]


def task_dir(tmp_path: Path) -> Path:
    """Nomad's task folder: local/ and secrets/ are mounted into every task pot."""
    folder = tmp_path / "alloc" / ALLOC / TASK
    (folder / "local").mkdir(parents=True)
    (folder / "secrets").mkdir()
    (folder / "local" / "hello").write_text("hello from nomad\n")
    (folder / "secrets" / "token").write_text("s3cret\n")
    (folder / "app.conf").write_text("listen 80;\n")
    return folder


def prepare_argv(images: Path) -> list[str]:
    return [
        "prepare",
        "-U",
        images.as_uri(),
        "-p",
        "nginx",
        "-t",
        "1.0",
        "-c",
        COMMAND,
        "-N",
        "public-bridge",
        "-i",
        "auto",
        "-e",
        "80:23456",
        "-e",
        "443:23457",
        "-a",
        f"{INV}_{ALLOC}",
        "-n",
        TASK,
        "-v",
    ]


def conf_lines(env: PotEnv, name: str = NAME) -> list[str]:
    return (env.fs_root / "jails" / name / "conf" / "pot.conf").read_text().splitlines()


def start_in_background(env: PotEnv, folder: Path) -> subprocess.Popen[str]:
    """``/usr/local/bin/pot start <name>`` as the driver starts it (not waited for)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pot", "start", NAME],
        cwd=folder,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_nomad_task_lifecycle(
    host: PotEnv, standins: Standins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = tmp_path / "images"
    exported_image(host, standins, images)
    folder = task_dir(tmp_path)
    data, ro = tmp_path / "data", tmp_path / "ro"
    data.mkdir()
    ro.mkdir()
    m = host.fs_root / "jails" / NAME / "m"

    # StartTask 3: the exists check (through grep in the driver) finds nothing
    assert standins.run_pot("ls", "-q") == (0, "", "")

    # StartTask 4a: prepare, in the task folder
    standins.clear_calls()
    monkeypatch.chdir(folder)
    code, out, err = standins.run_pot(*prepare_argv(images))
    assert code == 0, out
    # fetch(1)'s line per downloaded file, as upstream's import shows them
    cache = host.cache / "nginx_1.0.xz"
    fetched = [line.split()[0] for line in err.splitlines()]
    assert fetched == [f"{cache}.skein", str(cache), f"{cache}.meta"], err
    # the driver only logs this output; -v adds the debug lines and command traces
    assert [line for line in out.splitlines() if line.startswith(("===>  ", "###>  "))] == [
        "===>  importing nginx @ 1.0 as nginx_1_0",
        "===>  Pot nginx_1_0 has no dependencies",
        f"===>  Prepared the pot {NAME}",
    ]
    # FreeBSD tools: the vnet check of the public bridge, set-attribute no-tmpfs's jls
    assert standins.calls() == [["sysctl", "-n", "kern.features.vimage"], ["jls", "-j", NAME]]
    conf = conf_lines(host)
    for line in (
        "network_type=public-bridge",
        "vnet=true",
        f"pot.cmd=sh -c '{SCRIPT}'",
        "pot.attr.persistent=NO",
        "pot.attr.no-rc-script=YES",
        "pot.attr.prunable=YES",
        "pot.attr.localhost-tunnel=YES",
        "pot.attr.no-etc-hosts=YES",
        "pot.attr.no-tmpfs=YES",
        # pot stores the -e options reversed
        "pot.export.ports=443:23457 80:23456",
    ):
        assert line in conf, (line, conf)
    ip = next(line for line in conf if line.startswith("ip="))
    assert ip == "ip=10.192.0.3"
    # the image stays, the task's pot is a ZFS clone of it
    listed = standins.run_pot("ls", "-q")
    assert listed == (0, f"{IMAGE}\n{NAME}\n", "")
    origin = subprocess.run(
        ["zfs", "get", "-H", "-o", "value", "origin", f"{host.zfs_root}/jails/{NAME}/m"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert origin == f"{host.zfs_root}/jails/{IMAGE}/m@{SNAP}"

    # StartTask 3 again (an agent restart): the exists check finds exactly the name
    assert [n for n in listed[1].splitlines() if NAME in n] == [NAME]

    # StartTask 4b: the customising calls, in the driver's order
    steps: list[tuple[str, ...]] = [
        ("set-attribute", "-p", NAME, "-A", "enforce_statfs", "-V", "1"),
        ("copy-in", "-p", NAME, "-s", str(folder / "app.conf"), "-d", "/etc/app.conf"),
        ("mount-in", "-p", NAME, "-d", str(folder / "local"), "-m", "/local"),
        ("mount-in", "-p", NAME, "-d", str(folder / "secrets"), "-m", "/secrets"),
        ("mount-in", "-p", NAME, "-d", str(data), "-m", "/data"),
        ("mount-in", "-p", NAME, "-d", str(ro), "-m", "/ro", "-r"),
        (
            "set-env", "-p", NAME, "-E", f"NOMAD_TASK_NAME={TASK}",
            "-E", "NOMAD_HOST_PORT_http=23456", "-E", "GREETING=hello world",
        ),
        ("set-hosts", "-p", NAME, "-H", "db.local:10.0.0.5"),
        ("set-rss", "-M", "64M", "-p", NAME),
    ]  # fmt: skip
    for step in steps:
        code, out, err = standins.run_pot(*step)
        assert (code, err) == (0, ""), (step, out)
    conf = conf_lines(host)
    for line in (
        "pot.attr.enforce_statfs=1",
        f'pot.env="NOMAD_TASK_NAME={TASK}"',
        'pot.env="NOMAD_HOST_PORT_http=23456"',
        'pot.env="GREETING=hello world"',
        "pot.hosts=10.0.0.5 db.local",
        "pot.rss.memory=64M",
    ):
        assert line in conf, (line, conf)
    assert (m / "etc" / "app.conf").read_text() == "listen 80;\n"

    # StartTask 4c: start in the background; it stays in the foreground while the pot runs
    standins.clear_calls()
    starter = start_in_background(host, folder)
    try:
        assert wait_for((m / "root" / "seen").exists, timeout=30), starter.communicate()
        assert wait_for((host.tmp / f"pot_main_pid_{NAME}").exists, timeout=10)
        assert starter.poll() is None
        assert (m / "root" / "seen").read_text() == "hello from nomad\n"
        assert (m / "secrets" / "token").read_text() == "s3cret\n"
        jail_call = next(c for c in standins.calls("jail") if c[1] == "-c")
        assert "exec.start=sh -c 'sleep 1234&'" in jail_call
        assert "enforce_statfs=1" in jail_call
        assert ["rctl", "-a", f"jail:{NAME}:memoryuse:deny=64M"] in standins.calls("rctl")
        assert ["jexec", NAME, "/tmp/tinirc"] in standins.calls("jexec")
        tinirc = (m / "tmp" / "tinirc").read_text()
        assert 'export "GREETING=hello world"\n' in tinirc
        assert tinirc.endswith(f"exec sh -c '{SCRIPT}'\n")

        # TaskStats: get-rss -J, in the exact format the driver parses
        standins.fail("rctl", "-u", f"jail:{NAME}", rc=0, out=RCTL)
        assert standins.run_pot("get-rss", "-p", NAME, "-J") == (
            0,
            '{ "ResourceUsage": { "MemoryStats": { "RSS" : 52428800, "Swap" : 0 }, '
            '"CpuStats": { "TotalTicks": 600.000, "Percent": 25 } } } \n',
            "",
        )

        # SignalTask: to the main process recorded by start
        standins.clear_calls()
        assert standins.run_pot("signal", "-s", "SIGUSR1", "-p", NAME) == (
            0,
            f"===>  Sending SIGUSR1 to main process of pot {NAME}\n",
            "",
        )
        pidfile = str(host.tmp / f"pot_main_pid_{NAME}")
        assert standins.calls("pkill") == [["pkill", "-SIGUSR1", "-j", NAME, "-F", pidfile]]
        assert wait_for((m / "root" / "signals").exists, timeout=10)
        assert (m / "root" / "signals").read_text() == "usr1\n"
        assert starter.poll() is None  # the trap kept the command running

        # ExecTask: the command's status passes through; it makes the main command end
        standins.clear_calls()
        code, _out, _err = standins.run_pot(
            "exec", "-p", NAME, "sh", "-c", "touch /root/quit; exit 3"
        )
        assert code == 3
        assert standins.calls("jexec") == [
            ["jexec", "-l", NAME, "env", "sh", "-c", "touch /root/quit; exit 3"]
        ]

        # Exit: the command exited 7, so start exits 125 and last-run-stats has the code
        _out, _err = starter.communicate(timeout=60)
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()
    assert starter.returncode == 125, (_out, _err)
    # set-status's echo of the pot's interfaces when its command ended, as upstream's
    assert re.fullmatch(
        re.escape(
            "===>  Internal network not found! Calling vnet-start to fix the issue\n"
            # localhost-tunnel=YES (set by prepare) wants ncat, one tunnel per exported port
            + "###>  nmap package is missing, localhost-tunnel attribute ignored\n" * 2
            + f"===>  Starting the pot {NAME}\n"
            f"{NAME}: created\n"
        )
        + "p4[0-9a-f]{8}[0-9a-f]+:\n"
        + re.escape(f"###>  {NAME} reported application error\n"),
        _out,
    ), _out
    assert standins.run_pot("last-run-stats", "-p", NAME) == (0, '{ "ExitCode": 7 }\n', "")
    assert standins.jails() == {}
    assert standins.mounts() == []

    # then destroy -F: the task's pot goes, the image stays for the next allocation
    code, out, _err = standins.run_pot("destroy", "-p", NAME, "-F")
    assert code == 0, out
    assert standins.run_pot("ls", "-q") == (0, f"{IMAGE}\n", "")
    assert not (host.fs_root / "jails" / NAME).exists()


# ---------------------------------------------------------------- prepare on its own


def zfs_names(env: PotEnv) -> list[str]:
    out = subprocess.run(
        ["zfs", "list", "-H", "-o", "name", "-t", "all", "-r", f"{env.zfs_root}/jails"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(name.removeprefix(f"{env.zfs_root}/jails") for name in out.splitlines())


IMAGE_TREE = ["", f"/{IMAGE}", f"/{IMAGE}/m", f"/{IMAGE}/m@{SNAP}", f"/{IMAGE}@{SNAP}"]


def test_image_imported_once_and_names_not_reused(
    host: PotEnv, standins: Standins, tmp_path: Path
) -> None:
    images = tmp_path / "images"
    exported_image(host, standins, images)
    args = ("prepare", "-U", images.as_uri(), "-p", "nginx", "-t", "1.0")
    assert standins.run_pot(*args, "-a", "one")[0] == 0
    # -n absent: the new name starts with the image's; the image is reused
    code, out, _ = standins.run_pot(*args, "-a", "two.2", "-v")
    assert code == 0, out
    assert "=====>  pot nginx_1_0 already imported - reusing it\n" in out
    assert out.endswith("===>  Prepared the pot nginx_1_0_two_2\n")
    assert "===>  importing" not in out
    assert standins.run_pot("ls", "-q") == (
        0,
        "nginx_1_0\nnginx_1_0_one\nnginx_1_0_two_2\n",
        "",
    )
    # the image's network (inherit) is kept without -N; no command, no ports
    conf = conf_lines(host, "nginx_1_0_one")
    assert "network_type=inherit" in conf
    assert not [line for line in conf if line.startswith("pot.export.ports")]
    assert standins.run_pot(*args, "-a", "one") == (
        1,
        "###>  A pot with name nginx_1_0_one already exists\n" + HELP["prepare"],
        "",
    )


def test_failed_clone_leaves_no_pot(host: PotEnv, standins: Standins, tmp_path: Path) -> None:
    images = tmp_path / "images"
    exported_image(host, standins, images)
    # the bridge's own address cannot be a pot's: clone refuses it with its help
    code, out, _ = standins.run_pot(
        "prepare", "-U", images.as_uri(), "-p", "nginx", "-t", "1.0", "-a", "x",
        "-N", "public-bridge", "-i", "10.192.0.1",
    )  # fmt: skip
    assert code == 1
    failure = "###>  Not able to clone imported pot as nginx_1_0_x\n"
    assert out.endswith(HELP["clone"] + failure)
    assert "###>" in out.splitlines()[-len(HELP["clone"].splitlines()) - 2]
    # the imported image stays (complete, reused by the next allocation); no clone
    assert zfs_names(host) == IMAGE_TREE
    assert standins.run_pot("ls", "-q") == (0, f"{IMAGE}\n", "")


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, OSError])
def test_failure_after_the_clone_removes_it(
    host: PotEnv,
    standins: Standins,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interrupt: type[BaseException],
) -> None:
    images = tmp_path / "images"
    exported_image(host, standins, images)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise interrupt()

    monkeypatch.setattr("pot.ops.attrs.export_ports", broken)
    code, _out, _ = standins.run_pot(
        "prepare", "-U", images.as_uri(), "-p", "nginx", "-t", "1.0", "-a", "x", "-e", "80"
    )
    assert code == (130 if interrupt is KeyboardInterrupt else 1)
    assert zfs_names(host) == IMAGE_TREE
    assert sorted(p.name for p in (host.fs_root / "jails").iterdir()) == [IMAGE]


def test_refused_attribute_is_ignored_as_upstream(
    host: PotEnv, standins: Standins, tmp_path: Path
) -> None:
    images = tmp_path / "images"
    exported_image(host, standins, images)
    standins.fail("jls", "-j", "nginx_1_0_x", rc=0)  # set-attribute no-tmpfs: "running"
    code, out, _ = standins.run_pot(
        "prepare", "-U", images.as_uri(), "-p", "nginx", "-t", "1.0", "-a", "x"
    )
    assert code == 0
    assert out.endswith(
        "###>  pot nginx_1_0_x is still running\n"
        "###>  Couldn't disable tmpfs for /tmp - ignoring\n"
        "===>  Prepared the pot nginx_1_0_x\n"
    )
    assert "pot.attr.no-tmpfs=NO" in conf_lines(host, "nginx_1_0_x")
