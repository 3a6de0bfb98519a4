"""pot.net's pure parts: jail parameters, names, rules text, export-port entries, /etc/hosts.

Expected values come from upstream's start.sh (_js_start, _js_etc_hosts, _js_export_ports),
vnet-start.sh and network.sh, not from our code.
"""

from __future__ import annotations

from pathlib import Path

import potfactory
import pytest

from pot import net
from pot.net import Epair, ExportPort, NetworkError, NetworkPlan, NetworkSetup
from pot.potconf import PotConf
from pot.settings import Settings

S = Settings().with_values(POT_EXTIF="em0")
V4 = Epair("p465a1b2c31f3a", "epair0b")
V6 = Epair("p665a1b2c31f3a", "epair1b")


def conf(text: str) -> PotConf:
    return PotConf.parse(text)


# ---------------------------------------------------------------- jail parameters


@pytest.mark.parametrize(
    ("stack", "params"),
    [
        ("ipv4", ["ip4=inherit"]),
        ("ipv6", ["ip6=inherit"]),
        ("dual", ["ip4=inherit", "ip6=inherit"]),
    ],
)
def test_inherit(stack: str, params: list[str]) -> None:
    c = conf("network_type=inherit\nip=\n")
    assert net.jail_network_params(S, "web", c, stack) == params


ALIAS = conf("network_type=alias\nip=192.168.0.20 em1|10.0.0.5 2001:db8::20 vtnet0|fd00::5\n")


@pytest.mark.parametrize(
    ("stack", "params"),
    [
        ("ipv4", ["ip4.addr=em0|192.168.0.20,em1|10.0.0.5"]),
        ("ipv6", ["ip6.addr=em0|2001:db8::20,vtnet0|fd00::5"]),
        (
            "dual",
            ["ip4.addr=em0|192.168.0.20,em1|10.0.0.5", "ip6.addr=em0|2001:db8::20,vtnet0|fd00::5"],
        ),
    ],
)
def test_alias(stack: str, params: list[str]) -> None:
    assert net.jail_network_params(S, "web", ALIAS, stack) == params


def test_alias_without_an_address_of_the_stack_fails_with_upstreams_message() -> None:
    only6 = conf("network_type=alias\nip=2001:db8::20\n")
    only4 = conf("network_type=alias\nip=em1|10.0.0.5\n")
    with pytest.raises(NetworkError) as err:
        net.jail_network_params(S, "web", only6, "ipv4")
    assert err.value.lines == ("No ipv4 address found for web",)
    with pytest.raises(NetworkError) as err:
        net.jail_network_params(S, "web", only4, "ipv6")
    assert err.value.lines == ("No ipv6 address found for web",)
    # dual with one family passes that one
    assert net.jail_network_params(S, "web", only6, "dual") == ["ip6.addr=em0|2001:db8::20"]
    assert net.jail_network_params(S, "web", only4, "dual") == ["ip4.addr=em1|10.0.0.5"]


def test_alias_addresses_are_judged_as_potnet_does() -> None:
    # a prefix length, a zone index or a host name is no address
    c = conf("network_type=alias\nip=10.0.0.5/24 fe80::1%em0 host.example 10.0.0.6\n")
    assert net.jail_network_params(S, "web", c, "dual") == ["ip4.addr=em0|10.0.0.6"]


@pytest.mark.parametrize(
    ("stack", "plan", "params"),
    [
        ("ipv4", NetworkPlan(V4), ["vnet", "vnet.interface=epair0b"]),
        ("ipv6", NetworkPlan(None, V6), ["vnet", "vnet.interface=epair1b"]),
        (
            "dual",
            NetworkPlan(V4, V6),
            ["vnet", "vnet.interface=epair0b", "vnet.interface=epair1b"],
        ),
    ],
)
def test_public_bridge(stack: str, plan: NetworkPlan, params: list[str]) -> None:
    c = conf("network_type=public-bridge\nip=10.192.0.3\n")
    assert net.jail_network_params(S, "web", c, stack, plan) == params


@pytest.mark.parametrize("stack", ["ipv4", "dual"])
def test_private_bridge_is_ipv4_only(stack: str) -> None:
    c = conf("network_type=private-bridge\nip=10.192.0.18\nbridge=br\n")
    assert net.jail_network_params(S, "web", c, stack, NetworkPlan(V4)) == [
        "vnet",
        "vnet.interface=epair0b",
    ]


def test_bridge_types_need_their_epairs() -> None:
    c = conf("network_type=public-bridge\nip=10.192.0.3\n")
    with pytest.raises(ValueError, match="IPv6"):
        net.jail_network_params(S, "web", c, "dual", NetworkPlan(V4))


def test_unknown_type_or_stack_gives_no_parameter() -> None:
    assert net.jail_network_params(S, "web", conf("network_type=bogus\n"), "ipv4") == []
    assert net.jail_network_params(S, "web", conf("network_type=inherit\n"), "ipv5") == []


def test_pot_stack_falls_back_to_the_framework() -> None:
    dual = S.with_values(POT_NETWORK_STACK="dual")
    assert net.pot_stack(dual, conf("pot.stack=ipv6\n")) == "ipv6"
    assert net.pot_stack(dual, conf("pot.stack=\n")) == "dual"
    assert net.pot_stack(S.with_values(POT_NETWORK_STACK="bogus"), conf("")) == "ipv4"


# ---------------------------------------------------------------- names


def test_epair_name_is_upstreams_printf() -> None:
    # upstream start.sh, _js_create_epair: printf "p%s%x%x" 4 <epoch> <pid>
    assert net.epair_name("4", 0x65A1B2C3, 0x1F3A) == "p465a1b2c31f3a"
    assert net.epair_name("6", 1700000000, 99999) == "p66553f1001869f"


def test_anchor_name_keeps_the_last_55_characters_without_leading_underscores() -> None:
    assert net.anchor_name("web") == "web"
    assert net.anchor_name("a" * 55) == "a" * 55
    long = "x" * 5 + "___" + "b" * 52
    assert net.anchor_name(long) == "b" * 52
    assert net.anchor_name("y" * 56) == "y" * 55


def test_status_interfaces_as_upstream_joins_them() -> None:
    # _ifaces="$_epaira:$_ipv6_epaira"; _ifaces="${_ifaces#:}"
    assert NetworkSetup((), NetworkPlan(V4)).status_interfaces == "p465a1b2c31f3a:"
    assert NetworkSetup((), NetworkPlan(None, V6)).status_interfaces == "p665a1b2c31f3a"
    both = NetworkSetup((), NetworkPlan(V4, V6))
    assert both.status_interfaces == "p465a1b2c31f3a:p665a1b2c31f3a"
    assert both.interfaces == ("p465a1b2c31f3a", "p665a1b2c31f3a")
    assert NetworkSetup(("ip4=inherit",)).status_interfaces == ""


# ---------------------------------------------------------------- rules text


def test_nat_rules_default() -> None:
    assert net.nat_rules(S) == (
        'ext_if = "em0"\n'
        'localnet = "10.192.0.0/10"\n'
        "nat on $ext_if from $localnet to any -> ($ext_if:0)\n"
    )


def test_nat_rules_with_external_address_extra_interfaces_and_vpn() -> None:
    s = S.with_values(
        POT_EXTRA_EXTIF="em1 em2",
        POT_NETWORK_em1="192.168.5.0/24",
        POT_VPN_EXTIF="tun0",
        POT_VPN_NETWORKS="10.8.0.0/24 10.9.0.0/24",
    )
    assert net.nat_rules(s, "192.168.0.10") == (
        'ext_if = "em0"\n'
        'localnet = "10.192.0.0/10"\n'
        'ext_addr = "192.168.0.10"\n'
        "nat on $ext_if from $localnet to any -> $ext_addr\n"
        "nat on em1 from $localnet to 192.168.5.0/24 -> (em1:0)\n"
        "nat on tun0 from $localnet to 10.8.0.0/24 -> (tun0:0)\n"
        "nat on tun0 from $localnet to 10.9.0.0/24 -> (tun0:0)\n"
    )
    # VPN networks need the VPN interface
    assert "tun0" not in net.nat_rules(S.with_values(POT_VPN_NETWORKS="10.8.0.0/24"))


def test_rdr_rules_of_the_reference_example() -> None:
    s = Settings().with_values(POT_EXTIF="em2")
    assert net.rdr_rules(s, "udp", "53", "1.2.3.4", "53") == [
        "rdr pass on em2 proto udp from any to (em2) port 53 -> 1.2.3.4 port 53"
    ]
    assert net.rdr_rules(s, "tcp", "3333", "1.2.3.4", "80") == [
        "rdr pass on em2 proto tcp from any to (em2) port 3333 -> 1.2.3.4 port 80"
    ]


def test_rdr_rules_with_external_address_and_extra_interfaces() -> None:
    s = S.with_values(POT_EXTIF_ADDR="192.168.0.10", POT_EXTRA_EXTIF="em1")
    assert net.rdr_rules(s, "tcp", "3000", "10.192.0.3", "433") == [
        "rdr pass on em0 proto tcp from any to 192.168.0.10 port 3000 -> 10.192.0.3 port 433",
        "rdr pass on em1 proto tcp from any to (em1) port 3000 -> 10.192.0.3 port 433",
    ]


def test_export_port_entries() -> None:
    c = conf("pot.export.ports=udp:53:53 tcp:80 tcp:433:3000 8080\n")
    assert net.export_ports(c) == [
        ExportPort("udp", "53", "53"),
        ExportPort("tcp", "80", ""),
        ExportPort("tcp", "433", "3000"),
        ExportPort("tcp", "8080", ""),
    ]
    assert net.export_ports(conf("ip=10.192.0.3\n")) == []


# ---------------------------------------------------------------- /etc/hosts


@pytest.fixture
def hosts_settings(tmp_path: Path) -> Settings:
    fs = tmp_path / "pot"
    potfactory.pot_conf_file(fs, "web", "network_type=public-bridge\nip=10.192.0.5\n")
    potfactory.pot_conf_file(fs, "db", "network_type=public-bridge\nip=10.192.0.3\n")
    potfactory.pot_conf_file(fs, "lan", "network_type=private-bridge\nip=10.192.0.18\nbridge=br\n")
    potfactory.pot_conf_file(
        fs, "other", "network_type=private-bridge\nip=10.192.0.26\nbridge=br2\n"
    )
    potfactory.pot_conf_file(fs, "host", "network_type=inherit\n")
    (fs / "bridges").mkdir()
    (fs / "bridges" / "br").write_text("net=10.192.0.16/29\ngateway=10.192.0.17\nname=br\n")
    (fs / "bridges" / "br2").write_text("net=10.192.0.24/29\ngateway=10.192.0.25\nname=br2\n")
    return S.with_values(POT_FS_ROOT=str(fs))


def test_etc_hosts_of_a_public_bridge_pot(hosts_settings: Settings) -> None:
    c = conf(
        'host.hostname="web.test"\nnetwork_type=public-bridge\nip=10.192.0.5\n'
        "pot.hosts=192.168.0.1 gw.lan\npot.hosts=10.1.1.1  two spaces\n"
    )
    assert net.etc_hosts_lines(hosts_settings, "web", c) == [
        "::1 localhost web.test",
        "127.0.0.1 localhost web.test",
        "10.192.0.3 db",
        "10.192.0.5 web",
        "192.168.0.1 gw.lan",
        "10.1.1.1  two spaces",
    ]


def test_etc_hosts_of_a_private_bridge_pot(hosts_settings: Settings) -> None:
    c = conf("host.hostname=lan.test\nnetwork_type=private-bridge\nip=10.192.0.18\nbridge=br\n")
    assert net.etc_hosts_lines(hosts_settings, "lan", c) == [
        "::1 localhost lan.test",
        "127.0.0.1 localhost lan.test",
        "10.192.0.18 lan",
    ]


def test_etc_hosts_without_pot_entries(hosts_settings: Settings) -> None:
    c = conf(
        "host.hostname=web.test\nnetwork_type=public-bridge\npot.attr.no-etc-hosts=YES\n"
        "pot.hosts=1.2.3.4 kept\n"
    )
    assert net.etc_hosts_lines(hosts_settings, "web", c) == [
        "::1 localhost web.test",
        "127.0.0.1 localhost web.test",
        "1.2.3.4 kept",
    ]
    inherit = conf("host.hostname=host.test\nnetwork_type=inherit\n")
    assert net.etc_hosts_lines(hosts_settings, "host", inherit) == [
        "::1 localhost host.test",
        "127.0.0.1 localhost host.test",
    ]
