from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from pot.net import addresses
from pot.settings import DEFAULTS, Settings


def _settings(tmp_path: Path, **over: str) -> Settings:
    values = dict(DEFAULTS)
    values["POT_FS_ROOT"] = str(tmp_path)
    values.update(over)
    return Settings(tmp_path / "etc", values)


def _pot(s: Settings, name: str, ntype: str, ip: str = "") -> None:
    conf = s.fs_root / "jails" / name / "conf"
    conf.mkdir(parents=True)
    lines = [f"network_type={ntype}"] + ([f"ip={ip}"] if ip else [])
    (conf / "pot.conf").write_text("\n".join(lines) + "\n")


def _bridge(s: Settings, name: str, net: str, gw: str) -> None:
    folder = s.fs_root / "bridges"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"net={net}\ngateway={gw}\nname={name}\n")


def test_first_address_skips_network_gateway_and_dns(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    assert addresses.next_address(s) == ipaddress.IPv4Address("10.192.0.3")


def test_bridge_pots_reserve_even_when_stopped_alias_pots_do_not(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    _pot(s, "a", "public-bridge", "10.192.0.3")
    _pot(s, "b", "private-bridge", "10.192.0.4")
    _pot(s, "c", "alias", "10.192.0.5")
    _pot(s, "d", "inherit")
    assert str(addresses.next_address(s)) == "10.192.0.5"
    assert not addresses.validate(s, "10.192.0.3")
    assert addresses.validate(s, "10.192.0.5")
    assert not addresses.validate(s, "192.168.0.1")  # outside POT_NETWORK
    assert not addresses.validate(s, "not-an-ip")


def test_private_bridge_subnet_is_reserved_and_allocates_inside(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    _bridge(s, "br1", "10.192.0.16/29", "10.192.0.17")
    _pot(s, "p", "private-bridge", "10.192.0.18")
    assert addresses.validate(s, "10.192.0.19", "br1")
    assert not addresses.validate(s, "10.192.0.17", "br1")  # gateway
    assert not addresses.validate(s, "10.192.0.18", "br1")  # used
    assert not addresses.validate(s, "10.192.0.3", "br1")  # outside
    assert str(addresses.next_address(s, "br1")) == "10.192.0.19"
    assert addresses.next_address(s, "nosuch") is None
    assert not addresses.validate(s, "10.192.0.20")  # belongs to the bridge


def test_new_net_sizes_and_skips_used_space(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    first = addresses.new_net(s, 5)
    assert first is not None
    assert (str(first.net), str(first.gateway)) == ("10.192.0.8/29", "10.192.0.9")
    two = addresses.new_net(s, 2)
    assert two is not None and str(two.net) == "10.192.0.4/30"
    with pytest.raises(Exception, match="at least 2"):
        addresses.new_net(s, 1)


def test_config_check(tmp_path: Path) -> None:
    assert addresses.config_check(_settings(tmp_path))
    assert not addresses.config_check(_settings(tmp_path, POT_NETMASK="255.255.0.0"))
    assert not addresses.config_check(_settings(tmp_path, POT_GATEWAY="192.168.1.1"))


def test_etc_hosts_sorted_by_address(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    _pot(s, "zz", "public-bridge", "10.192.0.3")
    _pot(s, "aa", "public-bridge", "10.192.0.10")
    _pot(s, "pb", "private-bridge", "10.192.0.18")
    _bridge(s, "br1", "10.192.0.16/29", "10.192.0.17")
    assert [(str(i), n) for i, n in addresses.etc_hosts(s)] == [
        ("10.192.0.3", "zz"),
        ("10.192.0.10", "aa"),
    ]
    assert [n for _, n in addresses.etc_hosts(s, "br1")] == ["pb"]


@pytest.mark.parametrize(
    ("text", "version"),
    [("10.0.0.1", 4), ("::1", 6), ("fe80::1%em0", None), ("010.0.0.1", None), ("x", None)],
)
def test_ip_version(text: str, version: int | None) -> None:
    # potnet's ip4check/ip6check: a zone index is no address (info, create and start agree)
    assert addresses.ip_version(text) == version


def test_alias_entries_split_nic_and_address_as_upstream_cuts_them(tmp_path: Path) -> None:
    s = _settings(tmp_path, POT_EXTIF="em0")
    assert addresses.alias_entries(s, "10.0.0.1 em1|::1 x|y|z |10.0.0.2") == [
        ("em0", "10.0.0.1"),
        ("em1", "::1"),
        ("x", "y"),
        ("", "10.0.0.2"),
    ]
    assert addresses.alias_entry("10.0.0.3", "") == ("", "10.0.0.3")
