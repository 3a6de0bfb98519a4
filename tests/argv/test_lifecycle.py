"""pot start / stop / set-status against the FreeBSD stand-ins: argv, files, exit codes.

The pots are real datasets on zfs-fuse with a busybox root, so the main command
really runs (jexec of the stand-ins: a chroot of the pot's root).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from standins.harness import Standins

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

JAIL_FIRST = [
    "allow.set_hostname=false",
    "allow.raw_sockets",
    "allow.socket_af",
    "allow.chflags",
    "exec.clean",
    "mount.devfs",
    "enforce_statfs=2",
    "sysvshm=new",
    "sysvsem=new",
    "sysvmsg=new",
    "children.max=0",
    "devfs_ruleset=4",
    "stop.timeout=10",
]


@pytest.fixture
def host(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> PotEnv:
    return potfactory.setup_host(pot_env, standins, tmp_path)


def pot(standins: Standins, *args: str) -> tuple[int, str, str]:
    return standins.run_pot(*args)


def calls(standins: Standins, *tools: str) -> list[list[str]]:
    return [c for c in standins.calls() if c[0] in tools]


# ---------------------------------------------------------------- acceptance


def test_non_persistent_failing_command_exits_125(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host)
    assert pot(standins, "set-cmd", "-p", "web", "-c", "sh -c 'exit 3'")[0] == 0
    assert pot(standins, "set-attribute", "-p", "web", "-A", "persistent", "-V", "NO")[0] == 0
    assert pot(standins, "set-attribute", "-p", "web", "-A", "no-rc-script", "-V", "YES")[0] == 0
    standins.clear_calls()
    code, out, err = pot(standins, "start", "web")
    assert (code, err) == (125, ""), out
    # upstream's set-status -s stopping echoes the pot's interfaces: none without vnet
    assert out == "===>  Starting the pot web\n\n###>  web reported application error\n"
    assert pot(standins, "last-run-stats", "-p", "web") == (0, '{ "ExitCode": 3 }\n', "")
    assert (folder / "conf" / ".last_run_stats").read_text() == '{ "ExitCode": 3 }\n'
    # everything undone: no jail, no mount, status stopped
    assert standins.jails() == {}
    assert standins.mounts() == []
    assert potfactory.status_text(host) == "pot.status=stopped,\n"
    assert not (host.tmp / "pot_main_pid_web").exists()


def test_non_persistent_vnet_pot_echoes_its_epair(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host, network_type="public-bridge", ip="10.192.0.3")
    (folder / "m" / "etc" / "rc").write_text("exit 0\n")
    assert pot(standins, "set-attribute", "-p", "web", "-A", "persistent", "-V", "NO")[0] == 0
    standins.clear_calls()
    code, out, err = pot(standins, "start", "web")
    # pfctl -e's answer while vnet-start sets pf up, as under upstream
    assert (code, err) == (0, "pf enabled\n"), out
    epair = next(c for c in standins.calls() if c[:3] == ["ifconfig", "epair0a", "name"])[3]
    # the status keeps "<epair>:" (no IPv6 epair), and set-status echoes it as it is
    assert out.endswith(f"===>  Starting the pot web\n{epair}:\n")
    assert potfactory.status_text(host) == "pot.status=stopped,\n"


def test_start_stop_sequence_public_bridge(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host, network_type="public-bridge", ip="10.192.0.3")
    m = folder / "m"
    (m / "etc" / "rc").write_text("echo rc ran > /root/rc-ran\n")
    standins.clear_calls()
    code, out, err = pot(standins, "start", "-p", "web")
    assert (code, err) == (0, "pf enabled\n"), out
    status = potfactory.status_text(host)
    assert status is not None
    epair = status.removeprefix("pot.status=started,").removesuffix(":\n")
    assert epair.startswith("p4")
    nat_file = next(c for c in standins.calls() if c[:3] == ["pfctl", "-a", "pot-nat"])[4]
    assert standins.calls() == [
        ["jls", "-j", "web"],
        ["sysctl", "-n", "kern.features.vimage"],
        ["mount", "-t", "tmpfs", "tmpfs", f"{m}/tmp"],
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", epair],
        ["ifconfig", "-g", "bridge"],
        ["sysctl", "-qn", "net.inet.ip.forwarding=1"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge", "create", "descr", "pot public bridge", "group", "pot"],
        ["ifconfig", "bridge0", "inet", "10.192.0.1", "netmask", "255.192.0.0"],
        ["kldload", "-n", "pf"],
        ["sysrc", "-n", "pf_rules"],
        ["pfctl", "-s", "Anchors"],
        ["pfctl", "-f", str(host.etc.parent / "pf.conf")],
        ["pfctl", "-a", "pot-nat", "-f", nat_file],
        ["pfctl", "-e"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["ifconfig", epair, "up"],
        ["ifconfig", "bridge0", "addm", epair],
        ["sysrc", "-f", f"{m}/etc/rc.conf", "defaultrouter=10.192.0.1"],
        ["jls", "-j", "web", "jid"],  # info -E for the environment
        ["jail", "-c", *JAIL_FIRST, "name=web", "host.hostname=web.test",
         "osrelease=14.1-RELEASE-p6", f"path={m}", "persist", "vnet",
         "vnet.interface=epair0b", "exec.start=sh -c 'sleep 1234&'"],
        ["jls", "-j", "web"],
        ["jexec", "web", "sh", "/etc/rc"],
        ["pkill", "-f", "-j", "web", "^sleep 1234$"],
        ["sysctl", "-n", "kern.boottime"],
        ["jls", "-j", "web"],
    ]  # fmt: skip
    assert (m / "root" / "rc-ran").read_text() == "rc ran\n"
    assert (m / "etc" / "hosts").read_text() == (
        "::1 localhost web.test\n127.0.0.1 localhost web.test\n10.192.0.3 web\n"
    )
    assert (
        'ifconfig_epair0b="inet 10.192.0.3 netmask 255.192.0.0"'
        in (m / "etc" / "rc.conf").read_text().splitlines()
    )
    assert (m / "etc" / "resolv.conf").read_bytes() == Path("/etc/resolv.conf").read_bytes()
    assert (m / "tmp" / "environment.sh").read_text() == (
        "export _POT_NAME=web\nexport _POT_IP=10.192.0.3\n"
    )
    assert list(standins.jails()) == ["web"]
    assert {t for _f, _s, t in standins.mounts()} == {f"{m}/tmp", f"{m}/dev"}
    assert (folder / "conf" / ".last_run_stats").read_text() == '{ "ExitCode": 0 }\n'

    standins.clear_calls()
    assert pot(standins, "stop", "web") == (0, "", "")
    assert standins.calls() == [
        ["sysctl", "-n", "kern.boottime"],
        ["jls", "-j", "web"],
        ["jail", "-f-", "-q", "-r", "web"],
        ["sysctl", "-n", "kern.osreldate"],
        ["ifconfig", epair, "destroy"],
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q"],
        ["pgrep", "-q", "-f", f"{folder}/ncat-web"],
        ["posixshmcontrol", "ls"],
        ["mount"],
        ["umount", "-f", f"{m}/tmp"],
        ["mount"],
        ["umount", "-f", f"{m}/dev"],
        ["sysctl", "-n", "kern.boottime"],
    ]
    assert standins.jails() == {}
    assert standins.mounts() == []
    assert epair not in standins.interfaces()
    assert "epair0b" not in standins.interfaces()
    assert not (m / "etc" / "resolv.conf").exists()
    assert potfactory.status_text(host) == "pot.status=stopped,\n"
    # a stopped pot can be stopped again (clean-up only)
    assert pot(standins, "stop", "web") == (0, "", "")


def test_failed_start_leaves_nothing(host: PotEnv, standins: Standins) -> None:
    potfactory.make_pot(host, network_type="public-bridge", ip="10.192.0.3")
    standins.fail("jexec", rc=1)  # never reached: the epair cannot be renamed
    standins.fail("ifconfig", "epair0a", "name", rc=1, err="ifconfig: SIOCSIFNAME: File exists\n")
    code, out, _err = pot(standins, "start", "web")
    assert code == 1
    assert out.splitlines()[-1] == "###>  web failed to start"
    assert standins.jails() == {}
    assert standins.mounts() == []
    assert [n for n in standins.interfaces() if n.startswith(("epair", "p4"))] == []
    assert potfactory.status_text(host) == "pot.status=stopped,\n"


def test_stop_refusals(host: PotEnv, standins: Standins) -> None:
    potfactory.make_pot(host)
    assert pot(standins, "stop", "nope") == (0, "###>  The pot nope is not a valid pot\n", "")
    # never started since boot: no status
    assert pot(standins, "stop", "-p", "web") == (
        1,
        "###>  pot web is not in a state where it can be stopped\n",
        "",
    )
    code, out, _ = pot(standins, "stop")
    assert code == 1
    assert out.startswith("###>  A pot name is mandatory\npot stop [-hv]")


def test_set_status_transitions(host: PotEnv, standins: Standins) -> None:
    potfactory.make_pot(host)
    assert pot(standins, "set-status", "-p", "web", "-s", "started") == (1, "", "")
    assert pot(standins, "set-status", "-p", "web", "-s", "starting") == (0, "", "")
    assert pot(standins, "set-status", "-p", "web", "-s", "starting") == (2, "", "")
    assert pot(standins, "set-status", "-p", "web", "-s", "started", "-i", "p4a:p6b") == (0, "", "")
    assert potfactory.status_text(host) == "pot.status=started,p4a:p6b\n"
    assert pot(standins, "set-status", "-p", "web", "-s", "stopping") == (0, "p4a:p6b\n", "")
    assert pot(standins, "set-status", "-p", "web", "-s", "stopped") == (0, "", "")
    assert potfactory.status_text(host) == "pot.status=stopped,\n"
    assert pot(standins, "set-status", "-p", "nope", "-s", "stopped") == (
        1,
        "###>  nope is not a pot\n",
        "",
    )


def test_resources_and_hooks(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host)
    standins.set_sysctl("kern.racct.enable", "1")
    assert pot(standins, "set-rss", "-p", "web", "-M", "64M", "-C", "2")[0] == 0
    log = folder / "hooks.log"
    for hook in ("prestart", "poststart", "prestop", "poststop"):
        script = folder / "conf" / f"{hook}.sh"
        script.write_text(f'#!/bin/sh\necho "{hook} $_POT_NAME $_POT_JID" >> {log}\n')
        script.chmod(0o755)
    (folder / "m" / "etc" / "rc").write_text("true\n")
    code, out, _ = pot(standins, "start", "web")
    assert code == 0, out
    assert calls(standins, "rctl", "cpuset") == [
        ["cpuset", "-l", "0,1", "-j", "1"],
        ["rctl", "-a", "jail:web:memoryuse:deny=64M"],
    ]
    assert pot(standins, "stop", "web")[0] == 0
    assert calls(standins, "rctl")[-1] == ["rctl", "-r", "jail:web"]
    assert log.read_text() == "prestart web \npoststart web 1\nprestop web 1\npoststop web \n"


# ---------------------------------------------------------------- term/run, exec, signal, ps


def test_run_starts_a_persistent_pot_and_opens_a_shell(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host)
    (folder / "m" / "etc" / "rc").write_text("true\n")
    assert pot(standins, "term", "web") == (1, "###>  The pot web is not running\n", "")
    standins.clear_calls()
    code, _out, _err = pot(standins, "run", "web")
    assert code == 0
    assert calls(standins, "jexec") == [
        ["jexec", "web", "sh", "/etc/rc"],
        ["jexec", "-l", "-U", "root", "web"],
    ]
    assert list(standins.jails()) == ["web"]
    assert pot(standins, "ps", "-q") == (0, "web\n", "")
    assert pot(standins, "stop", "web")[0] == 0
    assert pot(standins, "ps", "-q") == (0, "", "")


def test_exec_and_signal(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host)
    (folder / "m" / "etc" / "rc").write_text("true\n")
    assert pot(standins, "exec", "-p", "web", "true") == (1, "###>  The pot is not running\n", "")
    assert pot(standins, "signal", "-p", "web") == (1, "###>  The pot is not running\n", "")
    assert pot(standins, "signal", "-f", "-p", "web") == (0, "===>  The pot is not running\n", "")
    assert pot(standins, "start", "web")[0] == 0
    standins.clear_calls()
    code, _out, _err = pot(standins, "exec", "-e", "A=1", "-p", "web", "sh", "-c", "exit 4")
    assert code == 4
    assert standins.calls() == [
        ["jls", "-j", "web"],
        ["jexec", "-l", "web", "env", "A=1", "sh", "-c", "exit 4"],
    ]
    code, out, _ = pot(standins, "exec", "-e", "A", "-p", "web", "true")
    assert code == 1
    assert out.startswith("###>  A not in a valid form\n###>  VARIABLE=value is accetped\npot exec")
    assert pot(standins, "signal", "-p", "web", "-s", "TERMX") == (
        1,
        f"###>  Invalid signal, valid signals: {' '.join(SIGNALS)}\n",
        "",
    )
    assert pot(standins, "signal", "-p", "web") == (
        1,
        "===>  Sending SIGINFO to main process of pot web\n"
        "###>  Persistent pots have no main process\n",
        "",
    )
    standins.clear_calls()
    code, out, _ = pot(standins, "signal", "-p", "web", "-s", "SIGTERM", "-m", "nomatch")
    assert (code, out) == (
        1,
        "===>  Sending SIGTERM by pattern to pot web\n###>  Sending signal failed\n",
    )
    assert calls(standins, "pkill") == [["pkill", "-SIGTERM", "-j", "web", "nomatch"]]
    assert pot(standins, "signal", "-l") == (0, " ".join(SIGNALS) + "\n", "")
    assert pot(standins, "stop", "web")[0] == 0


SIGNALS = [
    "HUP",
    "INT",
    "QUIT",
    "ILL",
    "TRAP",
    "ABRT",
    "EMT",
    "FPE",
    "KILL",
    "BUS",
    "SEGV",
    "SYS",
    "PIPE",
    "ALRM",
    "TERM",
    "URG",
    "STOP",
    "TSTP",
    "CONT",
    "CHLD",
    "TTIN",
    "TTOU",
    "IO",
    "XCPU",
    "XFSZ",
    "VTALRM",
    "PROF",
    "WINCH",
    "INFO",
    "USR1",
    "USR2",
]


def test_destroy_force_stops_a_running_pot(host: PotEnv, standins: Standins) -> None:
    folder = potfactory.make_pot(host, network_type="public-bridge", ip="10.192.0.3")
    (folder / "m" / "etc" / "rc").write_text("true\n")
    assert pot(standins, "start", "web")[0] == 0
    code, out, _ = pot(standins, "destroy", "-p", "web", "-F")
    assert code == 0, out
    assert standins.jails() == {}
    assert standins.mounts() == []
    assert [n for n in standins.interfaces() if n.startswith(("epair", "p4"))] == []
    assert not folder.exists()
    assert potfactory.status_text(host) is None
