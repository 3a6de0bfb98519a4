"""The FreeBSD stand-ins themselves: argv recording, rejection of bad syntax, state, chroot."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from standins.harness import Standins, busybox_root, wait_for

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chroot and mounts need root")

# the parameters upstream's start.sh gives jail -c for a public-bridge pot
POT_START = [
    "allow.set_hostname=false",
    "allow.raw_sockets",
    "allow.socket_af",
    "allow.chflags",
    "exec.clean",
    "mount.devfs",
    "allow.mount",
    "allow.mount.nullfs",
    "mount.fdescfs",
    "enforce_statfs=1",
    "children.max=0",
    "devfs_ruleset=4",
    "sysvshm=new",
    "stop.timeout=10",
    "name=web",
    "host.hostname=web.pot",
    "osrelease=14.1-RELEASE",
    "persist",
    "vnet",
    "vnet.interface=epair0b",
    "exec.start=sh -c 'sleep 1234&'",
]


def sh(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a tool by bare name on the stand-in PATH.

    Output goes to files, not pipes: ``exec.start="sh -c 'sleep 1234&'"`` leaves a
    process holding jail's stdout, exactly as on FreeBSD, and a pipe would never end.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        done = subprocess.run(
            list(argv), input=stdin, stdout=out, stderr=err, text=True, check=False
        )
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(done.args, done.returncode, out.read(), err.read())


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return busybox_root(tmp_path / "root")


# ---------------------------------------------------------------- the harness


def test_path_holds_only_standins_and_allowed_tools(standins: Standins) -> None:
    assert os.environ["PATH"] == str(standins.bin)
    assert sh("sh", "-c", "for t in jail ifconfig ps; do command -v $t; done").stdout.split() == [
        f"{standins.bin}/jail",
        f"{standins.bin}/ifconfig",
    ]


def test_every_call_is_recorded_in_order_even_when_rejected(standins: Standins) -> None:
    sh("sysctl", "-n", "hw.machine")
    sh("ifconfig", "-Z")
    sh("sysctl", "-n", "hw.ncpu")
    assert standins.calls() == [
        ["sysctl", "-n", "hw.machine"],
        ["ifconfig", "-Z"],
        ["sysctl", "-n", "hw.ncpu"],
    ]
    assert standins.calls("ifconfig") == [["ifconfig", "-Z"]]
    lines = standins.log.read_text().splitlines()
    assert json.loads(lines[0]) == {"tool": "sysctl", "argv": ["-n", "hw.machine"]}


def test_rc_out_and_err_override_the_behaviour(standins: Standins) -> None:
    standins.set_rc("jls", 3)
    standins.set_out("jls", "canned\n")
    standins.set_err("jls", "oops\n")
    result = sh("jls", "-j", "web")
    assert (result.returncode, result.stdout, result.stderr) == (3, "canned\n", "oops\n")
    standins.clear_override("jls")
    assert sh("jls", "-j", "web").stderr == 'jls: jail "web" not found\n'


def test_fail_matches_an_argv_prefix_a_number_of_times(standins: Standins) -> None:
    standins.fail(
        "ifconfig", "epair", "create", rc=1, err="ifconfig: SIOCIFCREATE2: busy\n", times=1
    )
    first = sh("ifconfig", "epair", "create")
    second = sh("ifconfig", "epair", "create")
    assert (first.returncode, first.stdout, first.stderr) == (
        1,
        "",
        "ifconfig: SIOCIFCREATE2: busy\n",
    )
    assert (second.returncode, second.stdout) == (0, "epair0a\n")


def test_state_changes_are_serialised_between_concurrent_calls(standins: Standins) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        names = list(pool.map(lambda _: sh("ifconfig", "epair", "create").stdout, range(8)))
    assert sorted(names) == [f"epair{i}a\n" for i in range(8)]
    epairs = [n for n in standins.interfaces() if n.startswith("epair")]
    assert len(epairs) == 16


# ---------------------------------------------------------------- jail / jls / jexec


@needs_root
def test_jail_rejects_an_unknown_parameter(standins: Standins, root: Path) -> None:
    result = sh("jail", "-c", "name=web", f"path={root}", "allow.frobnicate", "persist")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "jail: web: unknown parameter: allow.frobnicate\n"
    assert standins.jails() == {}


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("persist=maybe", 'persist: unknown boolean value "maybe"'),
        ("children.max=lots", 'children.max: non-integer value "lots"'),
        ("vnet=shared", 'vnet: unknown jailsys value "shared"'),
        ("ip4.addr=em0|10.1.2.300", "ip4.addr: not an IPv4 address: 10.1.2.300"),
        ("allow.nomount=true", 'allow.nomount: unknown parameter value "true"'),
        ("cpuset.id=3", "cpuset.id: cannot set read-only parameter"),
    ],
)
def test_jail_rejects_bad_values(
    standins: Standins, tmp_path: Path, param: str, message: str
) -> None:
    result = sh("jail", "-c", "name=web", f"path={tmp_path}", "persist", param)
    assert (result.returncode, result.stderr) == (1, f"jail: web: {message}\n")


@needs_root
def test_jail_accepts_what_pot_start_passes(standins: Standins, root: Path) -> None:
    sh("ifconfig", "epair", "create")
    result = sh("jail", "-c", *POT_START[:14], f"path={root}", *POT_START[14:])
    assert (result.returncode, result.stdout, result.stderr) == (0, "web: created\n", "")
    jail = standins.jails()["web"]
    assert (jail["jid"], jail["path"], jail["persist"]) == (1, str(root), True)
    assert jail["params"]["host.hostname"] == "web.pot"
    assert jail["params"]["allow.set_hostname"] is False
    assert jail["params"]["vnet"] == "new"
    assert standins.interfaces()["epair0b"]["vnet"] == "web"
    assert ("devfs", "devfs", f"{root}/dev") in [
        (fstype, "devfs", target) for fstype, _source, target in standins.mounts()
    ]
    assert "epair0b" not in sh("ifconfig", "-l").stdout.split()


@needs_root
def test_jls_formats(standins: Standins, root: Path) -> None:
    sh(
        "jail",
        "-c",
        "name=web",
        f"path={root}",
        "host.hostname=web.pot",
        "ip4.addr=10.1.2.3",
        "persist",
    )
    assert sh("jls").stdout == (
        "   JID  IP Address      Hostname                      Path\n"
        f"     1  10.1.2.3        web.pot                       {root}\n"
    )
    assert sh("jls", "-j", "web", "jid").stdout == "1\n"
    assert sh("jls", "-N").stdout.splitlines()[1].startswith(" web             10.1.2.3")
    assert sh("jls", "-j", "web", "-n", "name", "persist", "vnet").stdout == (
        "name=web persist vnet=inherit\n"
    )
    assert sh("jls", "-j", "web", "-q", "host.hostname", "ip6.addr").stdout == 'web.pot ""\n'
    missing = sh("jls", "-j", "db")
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1,
        "",
        'jls: jail "db" not found\n',
    )
    assert sh("jls", "-j", "web", "frob").stderr == "jls: unknown parameter: frob\n"


@needs_root
def test_jail_r_removes_the_jail_and_runs_exec_stop_from_the_config(
    standins: Standins, root: Path
) -> None:
    sh("jail", "-c", "name=web", f"path={root}", "persist")
    conf = 'web {\n  exec.stop="touch /tmp/stopped";\n  stop.timeout=0;\n}\n'
    result = sh("jail", "-f-", "-q", "-r", "web", stdin=conf)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (root / "tmp" / "stopped").exists()
    assert standins.jails() == {}
    again = sh("jail", "-r", "web")
    assert (again.returncode, again.stderr) == (1, 'jail: "web" not found\n')


@needs_root
def test_jail_without_persist_ends_with_its_last_process(standins: Standins, root: Path) -> None:
    result = sh("jail", "-c", "name=web", f"path={root}", "nopersist", "exec.start=true")
    assert result.returncode == 0
    assert sh("jls", "-j", "web").returncode == 1
    assert standins.jails() == {}


@needs_root
def test_jexec_runs_the_command_inside_the_chroot(standins: Standins, root: Path) -> None:
    sh("jail", "-c", "name=web", f"path={root}", "host.hostname=web.pot", "persist")
    script = "echo $(hostname) $(pwd) > /tmp/proof; cat /etc/group; echo $PATH"
    result = sh("jexec", "web", "/bin/sh", "-c", script)
    assert result.returncode == 0, result.stderr
    assert (root / "tmp" / "proof").read_text() == "web.pot /\n"
    assert result.stdout.splitlines() == [
        "wheel:*:0:root",
        "www:*:80:",
        "nogroup:*:65533:",
        "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin",
    ]


@needs_root
def test_jexec_as_a_jail_user_and_with_a_clean_environment(standins: Standins, root: Path) -> None:
    sh("jail", "-c", "name=web", f"path={root}", "persist")
    assert sh("jexec", "-U", "www", "web", "id", "-u").stdout == "80\n"
    clean = sh("jexec", "-l", "-U", "root", "web", "/bin/sh", "-c", "pwd; echo $USER $HOME")
    assert clean.stdout == "/root\nroot /root\n"
    missing = sh("jexec", "-U", "bob", "web", "id")
    assert (missing.returncode, missing.stderr) == (1, "jexec: bob: no such user\n")
    not_there = sh("jexec", "web", "/bin/nothere")
    assert not_there.stderr == "jexec: execvp: /bin/nothere: No such file or directory\n"
    assert sh("jexec", "db", "id").stderr == 'jexec: jail "db" not found\n'


@needs_root
def test_jail_c_command_runs_in_a_throw_away_jail(standins: Standins, root: Path) -> None:
    (root / "src").write_text("payload\n")
    ok = sh("jail", "-c", f"path={root}", "command=/bin/cp", "/src", "/tmp/dst")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")
    assert (root / "tmp" / "dst").read_text() == "payload\n"
    assert standins.jails() == {}
    failed = sh("jail", "-c", f"path={root}", "command=/bin/false")
    assert (failed.returncode, failed.stderr) == (1, "jail: /bin/false: failed\n")


# ---------------------------------------------------------------- ifconfig


def test_ifconfig_epair_and_bridge_names(standins: Standins) -> None:
    assert sh("ifconfig", "epair", "create", "descr", "web", "group", "pot").stdout == "epair0a\n"
    assert sh("ifconfig", "epair", "create").stdout == "epair1a\n"
    assert sh("ifconfig", "epair0a", "name", "p4abc").stdout == "p4abc\n"
    assert sh("ifconfig", "bridge", "create").stdout == "bridge0\n"
    assert sh("ifconfig", "bridge0", "inet", "10.192.0.1", "netmask", "255.192.0.0").stdout == ""
    assert sh("ifconfig", "bridge0", "addm", "p4abc", "private", "p4abc").returncode == 0
    assert sh("ifconfig", "-l").stdout == "em0 lo0 p4abc epair0b epair1a epair1b bridge0\n"
    assert sh("ifconfig", "-g", "bridge").stdout == "bridge0\n"
    bridge = sh("ifconfig", "bridge0").stdout.splitlines()
    assert "\tinet 10.192.0.1 netmask 0xffc00000 broadcast 10.255.255.255" in bridge
    assert "\tmember: p4abc flags=943<LEARNING,DISCOVER,PRIVATE,AUTOEDGE,AUTOPTP>" in bridge
    assert standins.interfaces()["p4abc"]["groups"] == ["epair", "pot"]
    sh("ifconfig", "p4abc", "destroy")
    assert sh("ifconfig", "-l").stdout == "em0 lo0 epair1a epair1b bridge0\n"
    assert sh("ifconfig", "epair", "create").stdout == "epair0a\n"


@pytest.mark.parametrize("standins", ["vtnet0"], indirect=True)
def test_the_external_interface_is_named_by_the_test(standins: Standins) -> None:
    assert sh("ifconfig", "-l").stdout == "vtnet0 lo0\n"
    assert sh("ifconfig", "vtnet0", "inet").stdout.splitlines()[1] == (
        "\tinet 192.168.0.10 netmask 0xffffff00 broadcast 192.168.0.255"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["em1"], "ifconfig: interface em1 does not exist"),
        (["em0", "frobnicate"], "ifconfig: frobnicate: bad value"),
        (
            ["em0", "inet", "10.0.0.9", "-alias"],
            "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address",
        ),
        (["em0", "addm", "lo0"], "ifconfig: BRDGADD lo0: Invalid argument"),
        (["foo", "create"], "ifconfig: SIOCIFCREATE2 (foo): Invalid argument"),
    ],
)
def test_ifconfig_rejects_what_freebsd_rejects(
    standins: Standins, argv: list[str], message: str
) -> None:
    result = sh("ifconfig", *argv)
    assert (result.returncode, result.stderr) == (1, message + "\n")


def test_ifconfig_aliases_and_format(standins: Standins, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sh("ifconfig", "em0", "inet", "192.168.0.20/32", "alias").returncode == 0
    monkeypatch.setenv("IFCONFIG_FORMAT", "inet:cidr")
    assert sh("ifconfig", "em0", "inet").stdout.splitlines()[1:] == [
        "\tinet 192.168.0.10/24 broadcast 192.168.0.255",
        "\tinet 192.168.0.20/32 broadcast 192.168.0.20",
    ]
    assert sh("ifconfig", "em0", "inet", "192.168.0.20", "-alias").returncode == 0
    assert standins.interfaces()["em0"]["inet"] == ["192.168.0.10/24"]


# ---------------------------------------------------------------- pfctl


def test_pfctl_anchors_and_rules(standins: Standins, tmp_path: Path) -> None:
    main = tmp_path / "pf.conf"
    main.write_text('nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n')
    assert sh("pfctl", "-f", str(main)).returncode == 0
    nat = (
        'ext_if = "em0"\n'
        'localnet = "10.192.0.0/10"\n'
        "nat on $ext_if from $localnet to any -> ($ext_if:0)\n"
    )
    assert sh("pfctl", "-a", "pot-nat", "-f", "-", stdin=nat).returncode == 0
    rdr = "rdr pass on em0 proto tcp from any to (em0) port 8080 -> 10.192.0.3 port 80\n"
    assert sh("pfctl", "-a", "pot-rdr/web", "-f", "-", stdin=rdr).returncode == 0
    assert sh("pfctl", "-s", "Anchors").stdout == "  pot-nat\n  pot-rdr\n"
    assert sh("pfctl", "-a", "pot-rdr", "-s", "Anchors").stdout == "  pot-rdr/web\n"
    assert sh("pfctl", "-s", "nat", "-a", "pot-nat").stdout == (
        "nat on em0 inet from 10.192.0.0/10 to any -> (em0:0)\n"
    )
    assert sh("pfctl", "-a", "pot-rdr/web", "-s", "nat", "-P").stdout == (
        "rdr pass on em0 inet proto tcp from any to (em0) port = 8080 -> 10.192.0.3 port 80\n"
    )
    assert sh("pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q").returncode == 0
    assert sh("pfctl", "-a", "pot-rdr", "-s", "Anchors").stdout == ""


def test_pfctl_rejects_bad_modifiers_and_syntax(standins: Standins) -> None:
    assert sh("pfctl", "-s", "frob").stderr.splitlines()[0] == "pfctl: Unknown show modifier 'frob'"
    bad = sh("pfctl", "-a", "pot-nat", "-f", "-", stdin="nat on em0 from\nfrobnicate\n")
    assert (bad.returncode, bad.stderr) == (
        1,
        "stdin:1: syntax error\nstdin:2: syntax error\n"
        "pfctl: Syntax error in config file: pf rules not loaded\n",
    )
    assert sh("pfctl", "-e").stderr == "pf enabled\n"
    assert sh("pfctl", "-e").stderr == "pfctl: pf already enabled\n"


@pytest.mark.parametrize(
    "rules",
    [
        # the pot-nat anchor, each form pot writes
        'ext_if = "em0"\nlocalnet = "10.192.0.0/10"\next_addr = "192.168.0.10"\n'
        "nat on $ext_if from $localnet to any -> $ext_addr\n"
        "nat on $ext_if from $localnet to any -> ($ext_if:0)\n"
        "nat on vlan20 from $localnet to 10.1.0.0/16 -> (vlan20:0)\n",
        # a pot-rdr/<pot> anchor: the interface's address or POT_EXTIF_ADDR, tcp and udp
        "rdr pass on em0 proto tcp from any to (em0) port 8080 -> 10.192.0.3 port 80\n"
        "rdr pass on em0 proto udp from any to 192.168.0.10 port 1024 -> 10.192.0.3 port 53\n"
        "rdr pass on em0 inet proto tcp from any to (em0) port = 22 -> 10.192.0.3 port 22\n",
        # what a user's main pf.conf may hold next to pot's anchors
        'set skip on lo0\nnat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\nanchor "pot/*"\n'
        "block in all\npass out quick on em0 inet proto tcp from any to any port 80 keep state\n",
    ],
)
def test_pfctl_loads_the_rules_pot_writes(standins: Standins, rules: str) -> None:
    loaded = sh("pfctl", "-a", "pot-rdr/web", "-f", "-", stdin=rules)
    assert (loaded.returncode, loaded.stderr) == (0, "")


@pytest.mark.parametrize(
    "rule",
    [
        "rdr garbage !!! -> ->",
        "rdr pass on em0 proto tcp from any to (em0) port 8080 -> 10.192.0.3 port",
        "rdr pass on em0 proto tcp from any to (em0) port 8080 ->",
        "rdr pass on em0 proto tcp from any to (em0) port 99999 -> 10.192.0.3 port 80",
        "rdr pass on em0 proto frob from any to (em0) port 80 -> 10.192.0.3 port 80",
        "nat on em0 from 10.192.0.0/10 to any",
        "nat on em0 from 10.192.0.0/10 -> (em0:0)",
        "nat on em0 from 10.300.0.0/10 to any -> (em0:0)",
        "pass in frob",
        "nat-anchor pot nat",
        'rdr-anchor "pot rdr/*"',
    ],
)
def test_pfctl_rejects_what_pfctl_rejects(standins: Standins, rule: str) -> None:
    bad = sh("pfctl", "-a", "pot-rdr/web", "-f", "-", stdin=rule + "\n")
    assert (bad.returncode, bad.stderr) == (
        1,
        "stdin:1: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n",
    )
    assert sh("pfctl", "-a", "pot-rdr", "-s", "Anchors").stdout == ""


# ---------------------------------------------------------------- mounts


@needs_root
def test_mount_nullfs_is_a_real_read_only_bind(standins: Standins, tmp_path: Path) -> None:
    source, target = tmp_path / "src", tmp_path / "dst"
    source.mkdir()
    target.mkdir()
    (source / "file").write_text("seen\n")
    assert sh("mount_nullfs", "-o", "ro", str(source), str(target)).returncode == 0
    assert (target / "file").read_text() == "seen\n"
    assert f"{source} on {target} (nullfs, local, read-only)" in sh("mount").stdout.splitlines()
    assert sh("touch", str(target / "new")).returncode == 1
    assert sh("umount", "-f", str(target)).returncode == 0
    assert not (target / "file").exists()
    again = sh("umount", str(target))
    assert (again.returncode, again.stderr) == (
        1,
        f"umount: {target}: not a file system root directory\n",
    )


def test_mount_nullfs_usage_errors(standins: Standins, tmp_path: Path) -> None:
    assert sh("mount_nullfs", str(tmp_path)).returncode == 64
    missing = sh("mount_nullfs", str(tmp_path / "nope"), str(tmp_path))
    assert (missing.returncode, missing.stderr) == (
        64,
        f"mount_nullfs: {tmp_path / 'nope'}: No such file or directory\n",
    )


# ---------------------------------------------------------------- sysctl, rctl, cpuset


def test_sysctl_values_and_errors(standins: Standins) -> None:
    assert sh("sysctl", "-n", "hw.machine", "hw.machine_arch").stdout == "amd64\namd64\n"
    assert sh("sysctl", "net.inet.ip.forwarding=1").stdout == "net.inet.ip.forwarding: 0 -> 1\n"
    assert sh("sysctl", "-n", "net.inet.ip.forwarding").stdout == "1\n"
    unknown = sh("sysctl", "-n", "kern.frob")
    assert (unknown.returncode, unknown.stderr) == (1, "sysctl: unknown oid 'kern.frob'\n")
    assert sh("sysctl", "-qn", "kern.frob").stderr == ""
    standins.set_sysctl("kern.racct.enable", "1")
    assert sh("sysctl", "-qn", "kern.racct.enable").stdout == "1\n"


@needs_root
def test_rctl_needs_racct_and_keeps_rules(standins: Standins, root: Path) -> None:
    disabled = sh("rctl", "-a", "jail:web:memoryuse:deny=1G")
    assert disabled.returncode == 1
    assert "RACCT/RCTL present, but disabled" in disabled.stderr
    standins.set_sysctl("kern.racct.enable", "1")
    assert sh("rctl", "-a", "jail:web:memoryuse:deny=1G").returncode == 0
    assert sh("rctl").stdout == "jail:web:memoryuse:deny=1073741824\n"
    assert sh("rctl", "-a", "jail:web:frob:deny=1").returncode == 1
    sh("jail", "-c", "name=web", f"path={root}", "persist")
    usage = sh("rctl", "-u", "jail:web").stdout.splitlines()
    assert usage[0] == "cputime=0"
    assert "maxproc=0" in usage
    assert sh("rctl", "-r", "jail:web").returncode == 0
    assert sh("rctl").stdout == ""


@needs_root
def test_cpuset_of_a_jail(standins: Standins, root: Path) -> None:
    sh("jail", "-c", "name=web", f"path={root}", "persist")
    assert sh("cpuset", "-l", "0,2", "-j", "1").returncode == 0
    assert sh("cpuset", "-g", "-j", "web").stdout == (
        "jail 1 mask: 0, 2\njail 1 domain policy: first-touch mask: 0\n"
    )
    assert sh("cpuset", "-l", "0", "-j", "db").stderr == 'cpuset: jail "db" not found\n'


# ---------------------------------------------------------------- the rest


def test_sysrc_edits_a_file_as_freebsd_does(standins: Standins, tmp_path: Path) -> None:
    rc_conf = tmp_path / "rc.conf"
    rc_conf.write_text('ifconfig_epair0b="inet 10.192.0.3 netmask 255.192.0.0"\n')
    result = sh("sysrc", "-f", str(rc_conf), "defaultrouter=10.192.0.1")
    assert result.stdout == "defaultrouter: NO -> 10.192.0.1\n"
    assert rc_conf.read_text() == (
        'ifconfig_epair0b="inet 10.192.0.3 netmask 255.192.0.0"\ndefaultrouter="10.192.0.1"\n'
    )
    assert sh("sysrc", "-n", "pf_rules").stdout == "/etc/pf.conf\n"


def test_fetch_serves_only_what_the_test_provides(standins: Standins, tmp_path: Path) -> None:
    served = tmp_path / "base.txz"
    served.write_bytes(b"tarball")
    url = "https://ftp.freebsd.org/pub/FreeBSD/releases/amd64/14.1-RELEASE/base.txz"
    standins.serve(url, served)
    assert sh("fetch", "-m", url, "-o", str(tmp_path / "got.txz")).returncode == 0
    assert (tmp_path / "got.txz").read_bytes() == b"tarball"
    missing = sh("fetch", "https://example.org/x", "--output", str(tmp_path / "x"))
    assert (missing.returncode, missing.stderr) == (1, "fetch: https://example.org/x: Not Found\n")


def test_logger_service_and_kldload(standins: Standins) -> None:
    assert sh("logger", "-p", "local2.info", "-t", "pot", "pot-start web").returncode == 0
    assert sh("logger", "-p", "frob.info", "x").stderr == "logger: unknown facility name: frob\n"
    assert sh("service", "syslogd", "reload").returncode == 0
    assert sh("service", "frobd", "start").returncode == 1
    assert sh("kldload", "-n", "pf").returncode == 0
    assert sh("kldload", "pf").returncode == 1


def test_run_pot_gives_status_and_both_streams(standins: Standins) -> None:
    code, out, err = standins.run_pot("version")
    assert (code, err) == (0, "")
    assert out.startswith("pot version: ")


@needs_root
def test_pkill_and_pgrep_see_the_processes_of_a_jail(standins: Standins, root: Path) -> None:
    start = "exec.start=sh -c 'sleep 1234&'"
    sh("jail", "-c", "name=web", f"path={root}", "mount.devfs", "nopersist", start)
    found = sh("pgrep", "-l", "-j", "web", "sleep")
    assert found.stdout.split()[1:] == ["sleep"]
    assert sh("pgrep", "-q", "-j", "web", "^ssh").returncode == 1
    assert sh("pkill", "-f", "-j", "web", "^sleep 1234$").returncode == 0
    assert wait_for(lambda: sh("jls", "-j", "web").returncode == 1)
    assert sh("pgrep", "-j", "db", "x").stderr == 'pgrep: jail "db" not found\n'


@needs_root
def test_devfs_of_a_jail_has_the_usual_devices(standins: Standins, root: Path) -> None:
    sh("jail", "-c", "name=web", f"path={root}", "mount.devfs", "persist")
    listing = sh("jexec", "web", "/bin/sh", "-c", "echo gone > /dev/null && ls /dev")
    assert listing.stdout.split() == [
        "fd",
        "null",
        "random",
        "stderr",
        "stdin",
        "stdout",
        "urandom",
        "zero",
    ]


def test_script_runs_the_command_and_returns_its_status(standins: Standins) -> None:
    result = sh("script", "-q", "/dev/null", "sh", "-c", "echo inside; exit 3")
    assert (result.returncode, result.stdout) == (3, "inside\n")


def test_cloned_units_skip_those_in_use(standins: Standins) -> None:
    assert sh("ifconfig", "lo", "create").stdout == "lo1\n"
    assert sh("ifconfig", "bridge5", "create").stdout == "bridge5\n"
    assert sh("ifconfig", "bridge", "create").stdout == "bridge0\n"
    taken = sh("ifconfig", "bridge5", "create")
    assert (taken.returncode, taken.stderr) == (
        1,
        "ifconfig: SIOCIFCREATE2 (bridge5): File exists\n",
    )
