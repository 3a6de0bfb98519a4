"""pot.net against the FreeBSD stand-ins: the exact argv of setup, vnet-start and teardown.

Expected sequences are written from upstream's start.sh (_js_create_epair, _js_vnet,
_js_vnet_ipv6, _js_private_vnet, _js_export_ports), vnet-start.sh, stop.sh and
network.sh, with these deliberate differences (see pot/net/start.py):
* ``[ -c /dev/pf ]`` is ``kldstat -q -m pf``;
* a query upstream repeats right away is made once (``pfctl -s Anchors`` of the
  network check, the bridge look-up after a successful check, the free-port queries);
* private bridges get no second, always failing ``addm``;
* the ncat ``-c`` string has single spaces and names the ncat that was found.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import potfactory
import pytest
from standins.harness import Standins, wait_for

from pot import net
from pot.errors import CommandFailed
from pot.net import NetworkError, NetworkSetup, TeardownError, pfctl
from pot.potconf import PotConf
from pot.settings import Settings

PF_CONF = 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n'
RC_CONF = (
    'hostname="web"\nifconfig_epair3b="inet 10.192.0.9 netmask 255.192.0.0"\nsshd_enable="YES"\n'
)


class Like:
    """Equal to any string that fully matches the regular expression."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    __hash__ = None  # type: ignore[assignment]  # equal to many strings: not hashable

    def __repr__(self) -> str:
        return f"Like({self.pattern.pattern!r})"


@dataclass
class Host:
    standins: Standins
    root: Path
    s: Settings

    @property
    def fs_root(self) -> Path:
        return self.root / "pot"

    def pot(self, name: str, text: str) -> PotConf:
        """A pot folder with a root holding etc/rc.conf, and its pot.conf."""
        folder = self.fs_root / "jails" / name
        (folder / "m" / "etc" / "rc.d").mkdir(parents=True)
        (folder / "m" / "tmp").mkdir()
        (folder / "m" / "etc" / "rc.conf").write_text(RC_CONF)
        potfactory.pot_conf_file(self.fs_root, name, text)
        return PotConf.parse(text)

    def rc_conf(self, name: str) -> str:
        return (self.fs_root / "jails" / name / "m" / "etc" / "rc.conf").read_text()

    def bridge_file(self, name: str, net: str, gateway: str) -> None:
        potfactory.bridge_file(self.fs_root, name, net, gateway)

    def calls(self) -> list[list[str]]:
        return self.standins.calls()

    def settings(self, **values: str) -> Settings:
        return self.s.with_values(**values)

    def tmp_file(self, prefix: str) -> Like:
        return Like(re.escape(f"{self.root}/tmp/{prefix}.") + r"[^/]+")

    def pf(self) -> dict[str, Any]:
        state: dict[str, Any] = self.standins.state()["pf"]
        return state

    def anchor_rules(self, anchor: str) -> list[str]:
        ruleset = self.pf()["anchors"].get(anchor)
        return list(ruleset["nat"]) if ruleset else []


@pytest.fixture
def host(standins: Standins, tmp_path: Path) -> Host:
    (tmp_path / "tmp").mkdir()
    (tmp_path / "pf.conf").write_text(PF_CONF)
    with standins.edit() as st:
        st["rc_conf"]["pf_rules"] = str(tmp_path / "pf.conf")
    s = Settings().with_values(
        POT_FS_ROOT=str(tmp_path / "pot"), POT_TMP=str(tmp_path / "tmp"), POT_EXTIF="em0"
    )
    (tmp_path / "pot" / "jails").mkdir(parents=True)
    return Host(standins, tmp_path, s)


def wait_block(interface: str) -> tuple[str, ...]:
    """The start of every tinirc network block (upstream's heredoc, tabs stripped)."""
    return (
        f"if ! ifconfig {interface} >/dev/null 2>&1; then",
        "    sleep 1",
        f"    if ! ifconfig {interface} >/dev/null 2>&1; then",
        f'        >&2 echo "Interface {interface} does not exist"',
        "        exit 1",
        "    fi",
        "fi",
    )


def epair_name(family: str) -> Like:
    return Like(f"p{family}[0-9a-f]{{8}}{os.getpid():x}")


def network_is_up(h: Host) -> None:
    """The public bridge and pf NAT as vnet-start leaves them; the calls forgotten."""
    net.vnet_start(h.s)
    h.standins.clear_calls()


VNET_START_IPV4 = [
    ["sysctl", "-qn", "net.inet.ip.forwarding=1"],
    ["ifconfig", "-g", "bridge"],
    ["ifconfig", "bridge", "create", "descr", "pot public bridge", "group", "pot"],
    ["ifconfig", "bridge0", "inet", "10.192.0.1", "netmask", "255.192.0.0"],
    ["kldload", "-n", "pf"],
    ["sysrc", "-n", "pf_rules"],
    ["pfctl", "-s", "Anchors"],
]


def vnet_start_ipv4(h: Host) -> list[Any]:
    return [
        *VNET_START_IPV4,
        ["pfctl", "-f", str(h.root / "pf.conf")],
        ["pfctl", "-a", "pot-nat", "-f", h.tmp_file("pot_pf_nat_rules")],
        ["pfctl", "-e"],
    ]


# ---------------------------------------------------------------- inherit and alias


@pytest.mark.parametrize(
    ("stack", "params"),
    [
        ("ipv4", ("ip4=inherit",)),
        ("ipv6", ("ip6=inherit",)),
        ("dual", ("ip4=inherit", "ip6=inherit")),
    ],
)
def test_inherit_runs_nothing(host: Host, stack: str, params: tuple[str, ...]) -> None:
    conf = host.pot("web", f"network_type=inherit\npot.stack={stack}\n")
    assert net.setup(host.s, "web", conf) == NetworkSetup(params)
    assert host.calls() == []


@pytest.mark.parametrize(
    ("stack", "params"),
    [
        ("ipv4", ("ip4.addr=em0|192.168.0.20",)),
        ("ipv6", ("ip6.addr=em0|2001:db8::20",)),
        ("dual", ("ip4.addr=em0|192.168.0.20", "ip6.addr=em0|2001:db8::20")),
    ],
)
def test_alias_runs_nothing(host: Host, stack: str, params: tuple[str, ...]) -> None:
    conf = host.pot("web", f"network_type=alias\nip=192.168.0.20 2001:db8::20\npot.stack={stack}\n")
    assert net.setup(host.s, "web", conf) == NetworkSetup(params)
    assert host.calls() == []


def test_alias_teardown_removes_the_addresses_still_there(host: Host) -> None:
    conf = host.pot("web", "network_type=alias\nip=192.168.0.20 em0|2001:db8::20\n")
    host.standins.add_interface("em1")
    with host.standins.edit() as st:
        from standins import netif

        netif.add_alias(st, "em0", "192.168.0.20")
    host.standins.clear_calls()
    net.teardown(host.s, "web", conf, [])
    assert host.calls() == [
        ["ifconfig", "em0"],
        ["ifconfig", "em0", "inet", "192.168.0.20", "-alias"],
        ["ifconfig", "em0"],  # no inet6 2001:db8::20 on em0: jail -r removed it
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q"],
        ["pgrep", "-q", "-f", f"{host.fs_root}/jails/web/ncat-web"],
    ]
    assert host.standins.interfaces()["em0"]["inet"] == ["192.168.0.10/24"]


# ---------------------------------------------------------------- public-bridge, IPv4


def test_public_bridge_on_a_fresh_host_runs_vnet_start(host: Host) -> None:
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    result = net.setup(host.s, "web", conf)
    assert result.plan.ipv4 is not None
    p4 = result.plan.ipv4.host
    assert p4 == epair_name("4")
    m = host.fs_root / "jails" / "web" / "m"
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", p4],
        ["ifconfig", "-g", "bridge"],  # no bridge: the network is not up
        *vnet_start_ipv4(host),
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["ifconfig", p4, "up"],
        ["ifconfig", "bridge0", "addm", p4],
        ["sysrc", "-f", f"{m}/etc/rc.conf", "defaultrouter=10.192.0.1"],
    ]
    assert result.params == ("vnet", "vnet.interface=epair0b")
    assert result.status_interfaces == f"{p4}:"
    assert (result.tinirc, result.tinirc_tail) == ((), ())
    # rc.conf: the old epair line replaced, as upstream's sed and echo leave it
    assert host.rc_conf("web") == (
        'hostname="web"\nsshd_enable="YES"\n'
        'ifconfig_epair0b="inet 10.192.0.3 netmask 255.192.0.0"\n'
        'defaultrouter="10.192.0.1"\n'
    )
    ifaces = host.standins.interfaces()
    assert ifaces["bridge0"]["inet"] == ["10.192.0.1/10"]
    assert ifaces["bridge0"]["members"] == [p4]
    assert ifaces["bridge0"]["descr"] == "pot public bridge"
    assert ifaces[p4]["up"] and ifaces[p4]["descr"] == "web"
    assert ifaces[p4]["groups"] == ["epair", "pot"]
    assert host.anchor_rules("pot-nat") == ["nat on em0 from 10.192.0.0/10 to any -> (em0:0)"]
    assert host.pf()["enabled"] is True
    assert list(host.pf()["anchors"]) == ["pot-nat"]  # no rdr rules: no ports exported
    assert host.standins.state()["sysctl"]["net.inet.ip.forwarding"] == "1"
    assert sorted(os.listdir(host.root / "tmp")) == []  # the rules file is gone


def test_public_bridge_on_an_up_network(host: Host) -> None:
    network_is_up(host)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    result = net.setup(host.s, "web", conf)
    assert result.plan.ipv4 is not None
    p4 = result.plan.ipv4.host
    m = host.fs_root / "jails" / "web" / "m"
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", p4],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-s", "Anchors"],
        ["pfctl", "-s", "nat", "-a", "pot-nat"],
        ["ifconfig", p4, "up"],
        ["ifconfig", "bridge0", "addm", p4],
        ["sysrc", "-f", f"{m}/etc/rc.conf", "defaultrouter=10.192.0.1"],
    ]


def test_public_bridge_without_nat_rules_calls_vnet_start(host: Host) -> None:
    network_is_up(host)
    host.standins.fail("pfctl", "-s", "nat", "-a", "pot-nat", rc=0, out="", times=1)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    result = net.setup(host.s, "web", conf)
    assert result.plan.ipv4 is not None
    p4 = result.plan.ipv4.host
    assert host.calls()[2:] == [
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-s", "Anchors"],
        ["pfctl", "-s", "nat", "-a", "pot-nat"],  # empty: not up
        ["sysctl", "-qn", "net.inet.ip.forwarding=1"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],  # present already
        ["kldload", "-n", "pf"],
        ["sysrc", "-n", "pf_rules"],
        ["pfctl", "-s", "Anchors"],  # anchors are there: no pfctl -f
        ["pfctl", "-a", "pot-nat", "-f", host.tmp_file("pot_pf_nat_rules")],
        ["pfctl", "-e"],  # fails (already enabled), ignored as upstream
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["ifconfig", p4, "up"],
        ["ifconfig", "bridge0", "addm", p4],
        ["sysrc", "-f", f"{host.fs_root}/jails/web/m/etc/rc.conf", "defaultrouter=10.192.0.1"],
    ]


def test_no_rc_script_pot_gets_tinirc_lines(host: Host) -> None:
    network_is_up(host)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.attr.no-rc-script=YES\n")
    result = net.setup(host.s, "web", conf)
    assert result.tinirc == (
        *wait_block("epair0b"),
        "ifconfig epair0b inet 10.192.0.3 netmask 255.192.0.0",
        "route add default 10.192.0.1",
    )
    assert result.tinirc_tail == ("ifconfig lo0 inet 127.0.0.1 alias",)
    assert host.rc_conf("web") == RC_CONF
    assert [c for c in host.calls() if c[0] == "sysrc"] == []


@pytest.mark.parametrize("value", ["YES", "true", "On"])
def test_isolated_vnet_pots_are_private_bridge_members(host: Host, value: str) -> None:
    network_is_up(host)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    result = net.setup(host.settings(POT_ISOLATE_VNET_POTS=value), "web", conf)
    assert result.plan.ipv4 is not None
    p4 = result.plan.ipv4.host
    assert ["ifconfig", "bridge0", "addm", p4, "private", p4] in host.calls()
    assert host.standins.interfaces()["bridge0"]["private"] == [p4]


def test_two_pots_share_the_bridge(host: Host) -> None:
    web = net.setup(host.s, "web", host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n"))
    db = net.setup(host.s, "db", host.pot("db", "network_type=public-bridge\nip=10.192.0.4\n"))
    assert db.params == ("vnet", "vnet.interface=epair1b")
    assert host.standins.interfaces()["bridge0"]["members"] == [*web.interfaces, *db.interfaces]


# ---------------------------------------------------------------- public-bridge, IPv6 and dual


def test_public_bridge_ipv6_only(host: Host) -> None:
    s = host.settings(POT_NETWORK_STACK="ipv6")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    m = host.fs_root / "jails" / "web" / "m"
    (m / "etc" / "rc.d" / "rtsold").write_text("# KEYWORD: nojail shutdown\nname=rtsold\n")
    result = net.setup(s, "web", conf)
    assert result.plan.ipv6 is not None and result.plan.ipv4 is None
    p6 = result.plan.ipv6.host
    assert p6 == epair_name("6")
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", p6],
        ["ifconfig", "-g", "bridge"],  # no bridge with em0: vnet-start (ipv6 part only)
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge", "create", "descr", "pot ipv6 bridge", "group", "pot"],
        ["ifconfig", "bridge0", "inet6", "up"],
        ["ifconfig", "bridge0", "addm", "em0"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0"],
        ["ifconfig", p6, "up"],
        ["ifconfig", "bridge0", "addm", p6],
        ["sysrc", "-f", f"{m}/etc/rc.conf", "rtsold_enable=YES"],
    ]
    assert result.params == ("vnet", "vnet.interface=epair0b")
    assert result.status_interfaces == p6
    assert host.rc_conf("web") == (
        RC_CONF
        + 'ifconfig_epair0b_ipv6="inet6 accept_rtadv auto_linklocal -ifdisabled"\n'
        + 'rtsold_enable="YES"\n'
    )
    assert (m / "etc" / "rc.d" / "rtsold").read_text() == (
        "# KEYWORD: nojailvnet shutdown\nname=rtsold\n"
    )
    assert host.standins.interfaces()["bridge0"]["members"] == ["em0", p6]
    # a second start leaves the fixed keyword alone (upstream's sed adds "vnet" again)
    net.teardown(s, "web", conf, result.interfaces)
    net.setup(s, "web", conf)
    assert (m / "etc" / "rc.d" / "rtsold").read_text() == (
        "# KEYWORD: nojailvnet shutdown\nname=rtsold\n"
    )


def test_public_bridge_ipv6_tinirc(host: Host) -> None:
    s = host.settings(POT_NETWORK_STACK="ipv6")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.attr.no-rc-script=YES\n")
    result = net.setup(s, "web", conf)
    assert result.tinirc == (
        *wait_block("epair0b"),
        "ifconfig epair0b inet6 up accept_rtadv -ifdisabled",
        "/sbin/rtsol -d epair0b",
    )
    assert host.rc_conf("web") == RC_CONF


def test_public_bridge_dual_stack_on_a_fresh_host(host: Host) -> None:
    s = host.settings(POT_NETWORK_STACK="dual")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.attr.no-rc-script=YES\n")
    result = net.setup(s, "web", conf)
    assert result.plan.ipv4 is not None and result.plan.ipv6 is not None
    p4, p6 = result.plan.ipv4.host, result.plan.ipv6.host
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", p4],
        ["ifconfig", "-g", "bridge"],
        *vnet_start_ipv4(host),
        # vnet-start of a dual stack framework brings up the IPv6 bridge too
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0"],
        ["ifconfig", "bridge", "create", "descr", "pot ipv6 bridge", "group", "pot"],
        ["ifconfig", "bridge1", "inet6", "up"],
        ["ifconfig", "bridge1", "addm", "em0"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["ifconfig", p4, "up"],
        ["ifconfig", "bridge0", "addm", p4],
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair1a", "name", p6],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0"],
        ["ifconfig", "bridge1"],
        ["ifconfig", p6, "up"],
        ["ifconfig", "bridge1", "addm", p6],
    ]
    assert result.params == ("vnet", "vnet.interface=epair0b", "vnet.interface=epair1b")
    assert result.status_interfaces == f"{p4}:{p6}"
    assert result.tinirc == (
        *wait_block("epair0b"),
        "ifconfig epair0b inet 10.192.0.3 netmask 255.192.0.0",
        "route add default 10.192.0.1",
        *wait_block("epair1b"),
        "ifconfig epair1b inet6 up accept_rtadv -ifdisabled",
        "/sbin/rtsol -d epair1b",
    )
    # teardown destroys both epairs
    host.standins.clear_calls()
    net.teardown(s, "web", conf, result.interfaces)
    assert host.calls()[:3] == [
        ["sysctl", "-n", "kern.osreldate"],
        ["ifconfig", p4, "destroy"],
        ["ifconfig", p6, "destroy"],
    ]
    assert {n for n in host.standins.interfaces() if n.startswith(("p", "epair"))} == set()


# ---------------------------------------------------------------- private-bridge


def test_private_bridge_on_a_fresh_host(host: Host) -> None:
    host.bridge_file("br", "10.192.0.16/29", "10.192.0.17")
    conf = host.pot("web", "network_type=private-bridge\nip=10.192.0.18\nbridge=br\n")
    result = net.setup(host.s, "web", conf)
    assert result.plan.ipv4 is not None
    p4 = result.plan.ipv4.host
    m = host.fs_root / "jails" / "web" / "m"
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", p4],
        ["ifconfig", "-g", "bridge"],
        ["sysctl", "-qn", "net.inet.ip.forwarding=1"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge", "create", "descr", "pot private bridge", "group", "pot"],
        ["ifconfig", "bridge0", "inet", "10.192.0.17/29"],
        ["kldload", "-n", "pf"],
        ["sysrc", "-n", "pf_rules"],
        ["pfctl", "-s", "Anchors"],
        ["pfctl", "-f", str(host.root / "pf.conf")],
        ["pfctl", "-a", "pot-nat", "-f", host.tmp_file("pot_pf_nat_rules")],
        ["pfctl", "-e"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["ifconfig", p4, "up"],
        ["ifconfig", "bridge0", "addm", p4],
        ["sysrc", "-f", f"{m}/etc/rc.conf", "defaultrouter=10.192.0.17"],
    ]
    assert result.params == ("vnet", "vnet.interface=epair0b")
    # every ifconfig_epair line goes, as upstream's sed '/ifconfig_epair/d'
    assert host.rc_conf("web") == (
        'hostname="web"\nsshd_enable="YES"\n'
        'ifconfig_epair0b="inet 10.192.0.18/29"\n'
        'defaultrouter="10.192.0.17"\n'
    )
    ifaces = host.standins.interfaces()
    assert ifaces["bridge0"]["inet"] == ["10.192.0.17/29"]
    assert ifaces["bridge0"]["descr"] == "pot private bridge"
    assert ifaces["bridge0"]["members"] == [p4]


def test_private_bridge_next_to_the_public_one_and_tinirc(host: Host) -> None:
    network_is_up(host)
    host.bridge_file("br", "10.192.0.16/29", "10.192.0.17")
    net.vnet_start(host.s, "br")
    host.standins.clear_calls()
    conf = host.pot(
        "web",
        "network_type=private-bridge\nip=10.192.0.18\nbridge=br\npot.attr.no-rc-script=YES\n",
    )
    result = net.setup(host.settings(POT_NETWORK_STACK="dual"), "web", conf)
    assert result.plan.ipv4 is not None and result.plan.ipv6 is None
    p4 = result.plan.ipv4.host
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", p4],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["ifconfig", "bridge1", "inet"],
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-s", "Anchors"],
        ["pfctl", "-s", "nat", "-a", "pot-nat"],
        ["ifconfig", p4, "up"],
        ["ifconfig", "bridge1", "addm", p4],
    ]
    assert result.tinirc == (
        *wait_block("epair0b"),
        "ifconfig epair0b inet 10.192.0.18/29",
        "route add default 10.192.0.17",
    )
    assert result.tinirc_tail == ("ifconfig lo0 inet 127.0.0.1 alias",)


def test_private_bridge_whose_file_is_gone_fails(host: Host) -> None:
    conf = host.pot("web", "network_type=private-bridge\nip=10.192.0.18\nbridge=br\n")
    with pytest.raises(NetworkError) as err:
        net.setup(host.s, "web", conf)
    assert err.value.lines == ("vnet-start could not bring up the bridge br",)
    assert [n for n in host.standins.interfaces() if n.startswith(("p4", "epair"))] == []


# ---------------------------------------------------------------- exported ports

SOCKSTAT = (
    "USER     COMMAND    PID   FD  PROTO  LOCAL ADDRESS         FOREIGN ADDRESS      \n"
    "root     sshd       812   4   tcp4   *:1024                *:*\n"
)


def other_pot_redirects(h: Host, port: int) -> None:
    rules = h.root / "other.rules"
    rules.write_text(
        f"rdr pass on em0 proto tcp from any to (em0) port {port} -> 10.192.0.9 port 80\n"
    )
    from pot import proc

    proc.run(["pfctl", "-a", "pot-rdr/other", "-f", str(rules)])
    h.standins.clear_calls()


def test_exported_ports_are_redirected(host: Host) -> None:
    network_is_up(host)
    other_pot_redirects(host, 1025)
    host.standins.fail("sockstat", rc=0, out=SOCKSTAT)
    conf = host.pot(
        "web",
        "network_type=public-bridge\nip=10.192.0.3\n"
        "pot.export.ports=80:1026 udp:53 22 tcp:443:8443\n",
    )
    net.setup(host.s, "web", conf)
    assert host.calls()[10:] == [
        ["sysctl", "-n", "net.inet.ip.portrange.reservedhigh"],
        ["sysctl", "-n", "net.inet.ip.portrange.first"],
        ["sockstat", "-p", "1024-49151", "-4l"],
        ["pfctl", "-a", "pot-rdr", "-s", "Anchors"],
        ["pfctl", "-a", "pot-rdr/other", "-s", "nat", "-P"],
        ["pfctl", "-a", "pot-rdr/web", "-f", host.tmp_file("pot_pfrules_web")],
    ]
    # 1024 listens, 1025 is the other pot's, 1026 was just taken: 1027 and 1028
    assert host.anchor_rules("pot-rdr/web") == [
        "rdr pass on em0 proto tcp from any to (em0) port 1026 -> 10.192.0.3 port 80",
        "rdr pass on em0 proto udp from any to (em0) port 1027 -> 10.192.0.3 port 53",
        "rdr pass on em0 proto tcp from any to (em0) port 1028 -> 10.192.0.3 port 22",
        "rdr pass on em0 proto tcp from any to (em0) port 8443 -> 10.192.0.3 port 443",
    ]
    assert sorted(os.listdir(host.root / "tmp")) == []
    host.standins.clear_calls()
    net.teardown(host.s, "web", conf, [])
    assert host.anchor_rules("pot-rdr/web") == []
    assert ["pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q"] in host.calls()


def test_exported_ports_with_external_address_and_extra_interfaces(host: Host) -> None:
    network_is_up(host)
    s = host.settings(POT_EXTIF_ADDR="192.168.0.10", POT_EXTRA_EXTIF="em1")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.export.ports=80:8080\n")
    net.setup(s, "web", conf)
    assert host.anchor_rules("pot-rdr/web") == [
        "rdr pass on em0 proto tcp from any to 192.168.0.10 port 8080 -> 10.192.0.3 port 80",
        "rdr pass on em1 proto tcp from any to (em1) port 8080 -> 10.192.0.3 port 80",
    ]


def test_pfctl_queries_read_the_anchors_and_rules_pot_loaded(host: Host) -> None:
    assert not pfctl.pot_anchors_loaded()
    assert pfctl.anchors() == []
    network_is_up(host)
    assert pfctl.pot_anchors_loaded()
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.export.ports=80:8080\n")
    net.setup(host.s, "web", conf)
    assert pfctl.anchors(pfctl.RDR_ANCHOR) == ["pot-rdr/web"]
    assert pfctl.translation_rules("pot-rdr/web") == [
        "rdr pass on em0 inet proto tcp from any to (em0) port = 8080 -> 10.192.0.3 port 80"
    ]


def test_rules_hook_writes_the_rules(host: Host) -> None:
    network_is_up(host)
    record = host.root / "hook.args"
    hook = host.root / "hook.sh"
    hook.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {record}\n'
        'echo "rdr pass on $1 proto $5 from any to ($2) port $6 -> $7 port $8"\n'
    )
    hook.chmod(0o755)
    s = host.settings(POT_EXPORT_PORTS_PF_RULES_HOOK=str(hook))
    conf = host.pot(
        "web",
        "network_type=public-bridge\nip=10.192.0.3\npot.attr.localhost-tunnel=YES\n"
        "pot.export.ports=80:8080 udp:53\n",
    )
    net.setup(s, "web", conf)
    assert record.read_text() == (
        "em0 bridge0 10.192.0.0/10 10.192.0.1 tcp 8080 10.192.0.3 80\n"
        "em0 bridge0 10.192.0.0/10 10.192.0.1 udp 1024 10.192.0.3 53\n"
    )
    assert host.anchor_rules("pot-rdr/web") == [
        "rdr pass on em0 proto tcp from any to (bridge0) port 8080 -> 10.192.0.3 port 80",
        "rdr pass on em0 proto udp from any to (bridge0) port 1024 -> 10.192.0.3 port 53",
    ]
    assert [c for c in host.calls() if c[0] == "daemon"] == []  # no tunnels with a hook


def test_failing_rdr_load_is_reported_and_ignored(
    host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    network_is_up(host)
    host.standins.fail("pfctl", "-a", "pot-rdr/web", rc=1, err="pfctl: syntax error\n")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.export.ports=80:8080\n")
    result = net.setup(host.s, "web", conf)
    assert result.params == ("vnet", "vnet.interface=epair0b")
    assert (
        "pfctl failed to apply redirection rules - ignoring but no redirection is performed"
        in caplog.messages
    )


@pytest.fixture
def ncat(host: Host) -> Path:
    """A stand-in ncat on PATH that just waits to be killed."""
    path = host.standins.bin / "ncat"
    path.write_text(f"#!{sys.executable}\nimport signal\nsignal.pause()\n")
    path.chmod(0o755)
    return path


def _alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def test_localhost_tunnels_start_and_stop(host: Host, ncat: Path) -> None:
    network_is_up(host)
    conf = host.pot(
        "web",
        "network_type=public-bridge\nip=10.192.0.3\npot.attr.localhost-tunnel=YES\n"
        "pot.export.ports=80:8080 udp:53:5353 22:2222\n",
    )
    result = net.setup(host.s, "web", conf)
    pdir = host.fs_root / "jails" / "web"
    assert [c for c in host.calls() if c[0] == "daemon"] == [
        [
            "daemon",
            "-f",
            "-p",
            f"{pdir}/ncat-80.pid",
            f"{pdir}/ncat-web-80",
            "-lk",
            "8080",
            "-c",
            f"{ncat} 10.192.0.3 80",
        ],
        [
            "daemon",
            "-f",
            "-p",
            f"{pdir}/ncat-53.pid",
            f"{pdir}/ncat-web-53",
            "-lk",
            "-u",
            "5353",
            "-c",
            f"{ncat} -u 10.192.0.3 53",
        ],
        # upstream's -u sticks after a udp entry; not here
        [
            "daemon",
            "-f",
            "-p",
            f"{pdir}/ncat-22.pid",
            f"{pdir}/ncat-web-22",
            "-lk",
            "2222",
            "-c",
            f"{ncat} 10.192.0.3 22",
        ],
    ]
    assert (pdir / "ncat-web-80").read_bytes() == ncat.read_bytes()
    pidfiles = [pdir / f"ncat-{p}.pid" for p in (80, 53, 22)]
    assert wait_for(lambda: all(_alive(p) for p in pidfiles))
    pids = [int(p.read_text()) for p in pidfiles]
    host.standins.clear_calls()
    net.teardown(host.s, "web", conf, result.interfaces)
    calls = host.calls()
    assert calls[:8] == [
        ["sysctl", "-n", "kern.osreldate"],
        ["ifconfig", result.interfaces[0], "destroy"],
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q"],
        ["pkill", "-F", f"{pdir}/ncat-80.pid", "-f", "ncat-web-80"],
        # upstream kills "<pdir>/ncat-web-udp" here, which never matches
        ["pkill", "-F", f"{pdir}/ncat-53.pid", "-f", "ncat-web-53"],
        ["pkill", "-F", f"{pdir}/ncat-22.pid", "-f", "ncat-web-22"],
        ["pgrep", "-q", "-f", f"{pdir}/ncat-web"],
    ]
    # a tunnel still dying when pgrep looked is killed by name as well
    assert calls[8:] in ([], [["pkill", "-f", f"{pdir}/ncat-web"]])
    assert not any(p.exists() for p in pidfiles)
    assert wait_for(lambda: not any(_pid_alive(pid) for pid in pids))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/cmdline").read_bytes() != b""  # a zombie is gone too


def test_missing_ncat_is_reported(host: Host, caplog: pytest.LogCaptureFixture) -> None:
    network_is_up(host)
    conf = host.pot(
        "web",
        "network_type=public-bridge\nip=10.192.0.3\npot.attr.localhost-tunnel=YES\n"
        "pot.export.ports=80:8080\n",
    )
    if Path("/usr/local/bin/ncat").exists():
        pytest.skip("this host has /usr/local/bin/ncat")
    net.setup(host.s, "web", conf)
    assert "nmap package is missing, localhost-tunnel attribute ignored" in caplog.messages
    assert host.anchor_rules("pot-rdr/web") != []


# ---------------------------------------------------------------- failures


def test_epair_create_failure(host: Host, capsys: pytest.CaptureFixture[str]) -> None:
    host.standins.fail("ifconfig", "epair", "create", rc=1, err="ifconfig: SIOCIFCREATE2: bad\n")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    with pytest.raises(NetworkError) as err:
        net.setup(host.s, "web", conf)
    assert err.value.lines == ("ifconfig epair failed",)
    # ifconfig's own words reach the user first, as upstream's $(ifconfig ...) leaves them
    assert capsys.readouterr().err == "ifconfig: SIOCIFCREATE2: bad\n"
    assert host.calls() == [["ifconfig", "epair", "create", "descr", "web", "group", "pot"]]


def test_epair_rename_failure_destroys_the_epair(host: Host) -> None:
    host.standins.fail("ifconfig", "epair0a", "name", rc=1, err="ifconfig: bad\n")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    with pytest.raises(NetworkError) as err:
        net.setup(host.s, "web", conf)
    assert err.value.lines == ("ifconfig epair rename failed",)
    assert host.calls() == [
        ["ifconfig", "epair", "create", "descr", "web", "group", "pot"],
        ["ifconfig", "epair0a", "name", epair_name("4")],
        ["ifconfig", "epair0a", "destroy"],
    ]
    assert "epair0a" not in host.standins.interfaces()


def test_epair_name_taken_in_the_same_second(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1700000000.5)
    taken = net.epair_name("4", 1700000000, os.getpid())
    host.standins.add_interface(taken)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    network_is_up(host)
    result = net.setup(host.s, "web", conf)
    following = net.epair_name("4", 1700000001, os.getpid())
    assert host.calls()[1:3] == [
        ["ifconfig", "epair0a", "name", taken],
        ["ifconfig", "epair0a", "name", following],
    ]
    assert result.interfaces == (following,)


def test_addm_failure_undoes_the_epair_and_redirections(host: Host) -> None:
    network_is_up(host)
    host.standins.fail("ifconfig", "bridge0", "addm", rc=1, err="ifconfig: BRDGADD x: bad\n")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\npot.export.ports=80:8080\n")
    with pytest.raises(CommandFailed):
        net.setup(host.s, "web", conf)
    calls = host.calls()
    p4 = calls[1][3]
    assert calls[-7:] == [
        ["ifconfig", "bridge0", "addm", p4],
        ["sysctl", "-n", "kern.osreldate"],
        ["ifconfig", p4, "destroy"],
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q"],
        ["pgrep", "-q", "-f", f"{host.fs_root}/jails/web/ncat-web-80"],
        ["pgrep", "-q", "-f", f"{host.fs_root}/jails/web/ncat-web"],
    ]
    assert not [n for n in host.standins.interfaces() if n.startswith(("p4", "epair"))]


def test_teardown_goes_on_after_failures_and_reports_them(
    host: Host, capsys: pytest.CaptureFixture[str]
) -> None:
    network_is_up(host)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    a = net.setup(host.s, "web", conf).interfaces[0]
    host.standins.fail("ifconfig", a, "destroy", rc=1, err="ifconfig: SIOCIFDESTROY: busy\n")
    host.standins.fail("pfctl", "-a", "pot-rdr/web", rc=1, err="pfctl: bad\n")
    host.standins.clear_calls()
    with pytest.raises(TeardownError) as err:
        net.teardown(host.s, "web", conf, [a, "p4gone"])
    assert err.value.failures == (
        f"ifconfig {a} destroy failed",
        "pfctl could not flush the anchor pot-rdr/web",
    )
    # the tools' messages reach the user, as upstream's stop.sh leaves them
    err_text = capsys.readouterr().err
    assert "ifconfig: SIOCIFDESTROY: busy\n" in err_text
    assert "pfctl: bad\n" in err_text
    assert host.calls() == [
        ["sysctl", "-n", "kern.osreldate"],
        ["ifconfig", a, "destroy"],
        ["ifconfig", "p4gone", "destroy"],  # gone already: not a failure
        ["kldstat", "-q", "-m", "pf"],
        ["pfctl", "-a", "pot-rdr/web", "-F", "nat", "-q"],
        ["pgrep", "-q", "-f", f"{host.fs_root}/jails/web/ncat-web"],
    ]


def test_teardown_without_pf_flushes_nothing(host: Host) -> None:
    conf = host.pot("web", "network_type=inherit\n")
    with host.standins.edit() as st:
        st["modules"].remove("pf")
    net.teardown(host.s, "web", conf, [])
    assert host.calls() == [
        ["kldstat", "-q", "-m", "pf"],
        ["pgrep", "-q", "-f", f"{host.fs_root}/jails/web/ncat-web"],
    ]


def test_old_freebsd_waits_before_destroying_an_epair(
    host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    host.standins.fail("sysctl", "-n", "kern.osreldate", rc=0, out="1300139\n")
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    net.teardown(host.s, "web", conf, ["p4a", "p6a"])
    assert slept == [1, 1]


# ---------------------------------------------------------------- vnet-start


def test_vnet_start_twice_is_harmless(
    host: Host, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    net.vnet_start(host.s)
    assert host.calls() == vnet_start_ipv4(host)
    assert capsys.readouterr().err == "pf enabled\n"
    host.standins.clear_calls()
    caplog.set_level("DEBUG", logger="pot")
    net.vnet_start(host.s)
    # pfctl's answer reaches stderr, as it does under upstream's vnet-start
    assert capsys.readouterr().err == "pfctl: pf already enabled\n"
    assert host.calls() == [
        ["sysctl", "net.inet.ip.forwarding=1"],  # verbose: the plain form
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge0", "inet"],
        ["kldload", "-n", "pf"],
        ["sysrc", "-n", "pf_rules"],
        ["pfctl", "-s", "Anchors"],
        ["pfctl", "-a", "pot-nat", "-f", host.tmp_file("pot_pf_nat_rules")],
        ["pfctl", "-s", "nat", "-a", "pot-nat"],
        ["pfctl", "-e"],
    ]
    assert "Bridge bridge0 already present" in caplog.messages
    assert "net.inet.ip.forwarding: 1 -> 1" in caplog.messages
    assert "nat on em0 inet from 10.192.0.0/10 to any -> (em0:0)" in caplog.messages
    assert len([i for i in host.standins.interfaces() if i.startswith("bridge")]) == 1


def test_vnet_start_of_a_private_bridge(host: Host) -> None:
    host.bridge_file("br", "10.192.0.16/29", "10.192.0.17")
    net.vnet_start(host.s, "br")
    assert host.calls()[:4] == [
        ["sysctl", "-qn", "net.inet.ip.forwarding=1"],
        ["ifconfig", "-g", "bridge"],
        ["ifconfig", "bridge", "create", "descr", "pot private bridge", "group", "pot"],
        ["ifconfig", "bridge0", "inet", "10.192.0.17/29"],
    ]
    assert host.standins.interfaces()["bridge0"]["inet"] == ["10.192.0.17/29"]


def test_vnet_start_of_an_unknown_bridge_only_reports(
    host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    net.vnet_start(host.s, "nope")
    assert caplog.messages == ["nope is not a valid bridge"]
    assert host.calls() == [["sysctl", "-qn", "net.inet.ip.forwarding=1"]]


def test_vnet_start_external_address(host: Host, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="pot")
    net.vnet_start(host.settings(POT_EXTIF_ADDR="192.168.0.10"))
    assert ["ifconfig", "em0"] in host.calls()
    assert host.anchor_rules("pot-nat") == ["nat on em0 from 10.192.0.0/10 to any -> 192.168.0.10"]
    net.vnet_start(host.settings(POT_EXTIF_ADDR="192.168.0.99"))
    net.vnet_start(host.settings(POT_EXTIF_ADDR="not-an-ip"))
    assert caplog.messages == [
        "The IP address 192.168.0.99 [POT_EXTIF_ADDR] is not available on the network interface"
        " em0 [POT_EXTIF]    ",
        "The value not-an-ip [POT_EXTIF_ADDR] is not a valid IPv4 address - ignoring",
    ]
    assert host.anchor_rules("pot-nat") == ["nat on em0 from 10.192.0.0/10 to any -> (em0:0)"]


def test_vnet_start_bridge_creation_failure(host: Host, caplog: pytest.LogCaptureFixture) -> None:
    host.standins.fail("ifconfig", "bridge", "create", rc=1, err="ifconfig: bad\n")
    net.vnet_start(host.s)
    assert caplog.messages == ["Bridge not created"]
    # pf is still set up, as upstream goes on
    assert host.anchor_rules("pot-nat") != []


def test_rc_conf_behind_a_link_out_of_the_pot_is_not_touched(host: Host, tmp_path: Path) -> None:
    network_is_up(host)
    conf = host.pot("web", "network_type=public-bridge\nip=10.192.0.3\n")
    outside = tmp_path / "host-rc.conf"
    outside.write_text("host=1\n")
    etc = host.fs_root / "jails" / "web" / "m" / "etc"
    (etc / "rc.conf").unlink()
    (etc / "rc.conf").symlink_to("../../../../../host-rc.conf")
    net.setup(host.s, "web", conf)
    # the link is replaced by the pot's own rc.conf, never read or written through
    assert outside.read_text() == "host=1\n"
    assert not (etc / "rc.conf").is_symlink()
    assert "host=1" not in (etc / "rc.conf").read_text()
    assert 'ifconfig_epair0b="inet 10.192.0.3 netmask 255.192.0.0"' in (
        (etc / "rc.conf").read_text().splitlines()
    )
