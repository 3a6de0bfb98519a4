"""info, last-run-stats and show on real ZFS, through the CLI."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from potcli import PotCli

from pot import potconf
from pot.cli.helptext import HELP
from pot.ops import snapshots
from pot.ops.snapshots import Kind, Target

pytestmark = pytest.mark.zfs

# upstream 0.16's attribute part for a pot as create writes it (persistent YES,
# no-rc-script NO) ...
JAIL_ATTRIBUTES = """\
	jail attributes:
		enforce_statfs: 2
		mount: NO
		fdescfs: NO
		linprocfs: NO
		nullfs: NO
		procfs: NO
		tmpfs: NO
		zfs: NO
		raw_sockets: NO
		sysvshm: new
		sysvsem: new
		sysvmsg: new
		children: 0
		mlock: NO
		devfs_ruleset: 4
		exec_stop: NO
		stop_timeout: 10
"""
ATTRIBUTES = (
    """\
	attributes:
		start-at-boot: NO
		early-start-at-boot: NO
		persistent: YES
		no-rc-script: NO
		prunable: NO
		localhost-tunnel: NO
		no-tmpfs: NO
		no-etc-hosts: NO
		to-be-pruned: NO
"""
    + JAIL_ATTRIBUTES
)


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    return pot_cli


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC (date -r prints local time)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def _seed_pot(env: PotCli) -> None:
    """The pot of the seed guide: imported test_1_0, customised as the seed does it."""
    env.single("test_1_0", network_type="public-bridge", ip="10.192.0.15", release="12.0")
    path = env.fs_root / "jails" / "test_1_0" / "conf" / "pot.conf"
    conf = potconf.read(path)
    potconf.set_cmd(conf, "nginx -g 'daemon off;'")
    potconf.set_attr(conf, "no-rc-script", "YES")
    potconf.set_attr(conf, "persistent", "NO")
    potconf.set_rss(conf, "cpus", "1")
    potconf.write(path, conf)
    target = Target(Kind.POT, "test_1_0")
    snapshots.take(env.settings, target, now=lambda: 1569922467)


# --------------------------------------------------------------------------- info -p


def test_info_verbose_of_the_seed_pot(env: PotCli) -> None:
    # The seed guide's listing comes from an older pot (procfs and fdescfs among the
    # attributes, no "jail attributes" part); every line it has is here, in 0.16's layout.
    _seed_pot(env)
    z = env.zfs_root
    expected = f"""\
pot name : test_1_0
	type : single
	base : 12.0
	level : 0
	network_type : public-bridge
	ip : 10.192.0.15
		no ports exported
	active : false
	datasets:
		test_1_0/m
	snapshots:
		{z}/jails/test_1_0@1569922467
		{z}/jails/test_1_0/m@1569922467
	attributes:
		start-at-boot: NO
		early-start-at-boot: NO
		persistent: NO
		no-rc-script: YES
		prunable: NO
		localhost-tunnel: NO
		no-tmpfs: NO
		no-etc-hosts: NO
		to-be-pruned: NO
{JAIL_ATTRIBUTES}\
	resource limits:
		max amount cpus: 1

"""
    assert env.run("info", "-vp", "test_1_0") == (0, expected, "")


def test_info_without_verbose_of_an_inherit_pot(env: PotCli) -> None:
    env.single("plain")
    expected = (
        "pot name : plain\n\ttype : single\n\tbase : 14.1\n\tlevel : 0\n"
        "\tnetwork_type : inherit\n\tactive : false\n" + ATTRIBUTES + "\n"
    )
    assert env.run("info", "-p", "plain") == (0, expected, "")


def test_info_verbose_of_a_level_2_private_bridge_pot(env: PotCli) -> None:
    env.multi(
        "web",
        level=2,
        potbase="lvl1",
        network_type="private-bridge",
        ip="10.192.0.18",
        bridge="br1",
    )
    env.set("web", "pot.export.ports", "80:8080 443")
    env.set("web", "pot.rss.memory", "64M")
    env.start("web")
    expected = f"""\
pot name : web
	type : multi
	base : 14.1
	level : 2
	base pot : lvl1
	network_type : private-bridge
	ip : 10.192.0.18
	bridge : br1
		exported ports: 80:8080 443
	active : true
	datasets:
		/ => bases/14.1
		/usr/local => jails/lvl1/usr.local
		/opt/custom => jails/web/custom
	snapshots:
		no snapshots
{ATTRIBUTES}\
	resource limits:
		max amount memory: 64M

"""
    assert env.run("info", "-v", "-p", "web") == (0, expected, "")


# --------------------------------------------------------------------------- -E


def _env_lines(env: PotCli, pot: str) -> list[str]:
    code, out, err = env.run("info", "-E", "-p", pot)
    assert (code, err) == (0, "")
    return out.splitlines()


def test_environment_of_each_network_type(env: PotCli) -> None:
    env.single("inh")
    env.single("pub", network_type="public-bridge", ip="10.192.0.3")
    env.single("priv", network_type="private-bridge", ip="10.192.0.18", bridge="br1")
    assert _env_lines(env, "inh") == ["export _POT_NAME=inh", "export _POT_IP="]
    assert _env_lines(env, "pub") == ["export _POT_NAME=pub", "export _POT_IP=10.192.0.3"]
    assert _env_lines(env, "priv") == [
        "export _POT_NAME=priv",
        "export _POT_IP=10.192.0.18",
        "export _POT_BRIDGE=br1",
    ]


def test_environment_of_an_alias_pot_lists_ipv4_then_ipv6(env: PotCli) -> None:
    env.pot_env.write_conf(POT_EXTIF="vtnet0")
    env.single("al", network_type="alias", ip="2001:db8::5 em1|192.168.0.50 bad", stack="dual")
    assert _env_lines(env, "al") == [
        "export _POT_NAME=al",
        "export _POT_IP=192.168.0.50",
        "export _POT_IP_0=192.168.0.50",
        "export _POT_NIC_0=em1",
        "export _POT_IP_1=2001:db8::5",
        "export _POT_NIC_1=vtnet0",
        "export _POT_IP_LIST=_POT_IP_0\\ _POT_IP_1",
        "export _POT_NIC_LIST=_POT_NIC_0\\ _POT_NIC_1",
    ]
    env.set("al", "pot.stack", "ipv6")
    assert _env_lines(env, "al")[1:] == [
        "export _POT_IP=2001:db8::5",
        "export _POT_IP_0=2001:db8::5",
        "export _POT_NIC_0=vtnet0",
        "export _POT_IP_LIST=_POT_IP_0",
        "export _POT_NIC_LIST=_POT_NIC_0",
    ]


def test_environment_of_a_running_pot_has_its_jail_id(env: PotCli) -> None:
    env.single("pub", network_type="public-bridge", ip="10.192.0.3")
    env.start("pub")
    jid = env.standins.jails()["pub"]["jid"]
    assert _env_lines(env, "pub") == [
        "export _POT_NAME=pub",
        "export _POT_IP=10.192.0.3",
        f"export _POT_JID={jid}",
    ]


# --------------------------------------------------------------------------- -s -r -q


@pytest.mark.usefixtures("utc")
def test_snapshot_list(env: PotCli) -> None:
    env.single("web")
    env.snap("jails/web", "1569922467")
    env.snap("jails/web/m", "1600000000", recursive=False)
    env.snap("jails/web", "1569922999")
    assert env.run("info", "-s", "-p", "web") == (0, "1569922467\n1569922999\n", "")
    assert env.run("info", "-s", "-v", "-p", "web") == (
        0,
        "1569922467: ->  Tue Oct  1 09:34:27 UTC 2019\n"
        "1569922999: ->  Tue Oct  1 09:43:19 UTC 2019\n",
        "",
    )


def test_running_check_and_quiet(env: PotCli) -> None:
    env.single("web")
    assert env.run("info", "-r", "-p", "web") == (1, "", "")
    assert env.run("info", "-q", "-p", "web") == (0, "", "")
    env.start("web")
    assert env.run("info", "-r", "-p", "web") == (0, "", "")
    assert env.run("info", "-p", "web")[1].splitlines()[5] == "\tactive : true"


def test_not_a_pot(env: PotCli) -> None:
    assert env.run("info", "-p", "nope") == (1, "###>  NO nope is not a pot\n" + HELP["info"], "")
    # quiet drops the message, not the help (as upstream)
    assert env.run("info", "-q", "-p", "nope") == (1, HELP["info"], "")
    assert env.run("info", "-q", "-r", "-p", "nope") == (1, HELP["info"], "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Option -p or -b are mandatory"),
        (("-p", "web", "-B", "br1"), "Option -p and -b are mutually exclusive"),
        (("-q", "-v", "-p", "web"), "Option -q and -v are mutually exclusive"),
        (("-E", "-B", "br1"), "Environment variable output available for pot only"),
    ],
)
def test_option_errors(env: PotCli, args: tuple[str, ...], message: str) -> None:
    assert env.run("info", *args) == (1, f"###>  {message}\n" + HELP["info"], "")


# --------------------------------------------------------------------------- -B


def test_bridge_addresses_as_potnet_shows_them(env: PotCli) -> None:
    env.bridge("br1", "10.192.0.16/29", "10.192.0.17")
    env.single("inside", network_type="private-bridge", ip="10.192.0.18", bridge="br1")
    env.single("outside", network_type="public-bridge", ip="10.192.0.3")
    env.single("host", network_type="inherit")
    expected = (
        "\t10.192.0.16\tbr1 bridge - network \n"
        "\t10.192.0.17\tbr1 bridge - gateway \n"
        "\t10.192.0.18\tinside\n"
        "\t10.192.0.23\tbr1 bridge - broadcast \n"
    )
    assert env.run("info", "-B", "br1") == (0, expected, "")
    assert env.run("info", "-s", "-B", "br1") == (
        0,
        "===>  Bridges has no snapshots - -s ignored\n" + expected,
        "",
    )
    assert env.run("info", "-q", "-B", "br1") == (0, "", "")


def test_not_a_bridge(env: PotCli) -> None:
    assert env.run("info", "-B", "nb") == (1, "###>  NO nb is not a bridge\n", "")
    assert env.run("info", "-q", "-B", "nb") == (1, "", "")
    (env.fs_root / "bridges" / "junk").write_text("net=nonsense\n")
    assert env.run("info", "-B", "junk") == (0, "", "bridge junk not found\n")


# --------------------------------------------------------------------------- last-run-stats


def test_last_run_stats(env: PotCli) -> None:
    env.single("web")
    assert env.run("last-run-stats", "-p", "web") == (0, "{}\n", "")
    stats = env.fs_root / "jails" / "web" / "conf" / ".last_run_stats"
    stats.write_text('{ "ExitCode": 3 }\n')
    assert env.run("last-run-stats", "-p", "web") == (0, '{ "ExitCode": 3 }\n', "")
    assert env.run("last-run-stats") == (
        1,
        "###>  A pot name is mandatory\n" + HELP["last-run-stats"],
        "",
    )
    assert env.run("last-run-stats", "-p", "nope") == (
        1,
        "###>   Pot nope not found\n###>  nope is not a pot\n",
        "",
    )


# --------------------------------------------------------------------------- show


def _used(env: PotCli, dataset: str) -> str:
    return env.zfs("list", "-H", "-o", "used", f"{env.zfs_root}/{dataset}").strip()


def test_show_lists_and_blocks(env: PotCli) -> None:
    env.single("a")
    env.single("b")
    env.start("b")
    assert env.run("show", "-a", "-q") == (0, "a\nb\n", "")
    assert env.run("show", "-q") == (0, "b\n", "")
    assert env.run("show", "-p", "a") == (
        0,
        f"pot a\n\tdisk usage      : {_used(env, 'jails/a')}\n",
        "",
    )


def test_show_verbose_of_a_multi_pot(env: PotCli) -> None:
    env.base("14.1")
    env.multi("lvl1", level=1)
    env.fscomp("data")
    conf = env.fs_root / "jails" / "lvl1" / "conf" / "fscomp.conf"
    with conf.open("a") as f:
        f.write(f"{env.zfs_root}/fscomp/data /data\n/some/host/dir /dir\n")
    assert env.run("show", "-v", "-p", "lvl1") == (
        0,
        f"pot lvl1\n"
        f"\tdisk usage      : {_used(env, 'jails/lvl1')}\n"
        f"\tbase usage      : {_used(env, 'bases/14.1')}\n"
        f"\tdataset fscomp/data usage  : {_used(env, 'fscomp/data')}\n",
        "",
    )


def test_show_runtime_of_a_running_pot(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    env.single("web")
    env.set("web", "pot.rss.cpus", "2")
    env.start("web")
    head = f"pot web\n\tdisk usage      : {_used(env, 'jails/web')}\n"
    assert env.run("show", "-p", "web") == (
        0,
        head + "===>  runtime memory usage require rctl enabled\n"
        "\tmax amount of CPUs: 2\n\tallocated CPUs    : 0,1,2,3\n",
        "",
    )
    env.standins.set_sysctl("kern.racct.enable", "1")
    assert env.run("show", "-r") == (
        0,
        head + "\tvirtual memory  : 0\n\tphysical memory : 0\n"
        "\tmax amount of CPUs: 2\n\tallocated CPUs    : 0,1,2,3\n",
        "",
    )
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("show", "-p", "web") == (
        0,
        head + "===>  some runtime information requires root privileges\n",
        "",
    )


def test_show_errors(env: PotCli) -> None:
    assert env.run("show", "-a", "-r") == (
        1,
        "###>  -p -r -a are mutually exclusive\n" + HELP["show"],
        "",
    )
    assert env.run("show", "-p", "nope") == (
        1,
        "###>   Pot nope not found\n###>  nope is not a valid pot\n",
        "",
    )
