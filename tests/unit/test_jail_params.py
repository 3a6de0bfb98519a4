"""The ``jail -c`` parameter list of start (upstream start.sh, _js_start), per network type and
stack, against the list upstream's _js_start builds for the same pot.conf."""

from __future__ import annotations

from pathlib import Path

import pytest

from pot import jail, net, potconf
from pot.net import Epair, NetworkError, NetworkPlan
from pot.potconf import NewPot, PotConf
from pot.settings import Settings

ROOT = Path("/opt/pot/jails/web/m")
FIRST = [
    "allow.set_hostname=false",
    "allow.raw_sockets",
    "allow.socket_af",
    "allow.chflags",
    "exec.clean",
    "mount.devfs",
    # the jail attributes of a created pot.conf
    "enforce_statfs=2",
    "sysvshm=new",
    "sysvsem=new",
    "sysvmsg=new",
    "children.max=0",
    "devfs_ruleset=4",
    "stop.timeout=10",
    "name=web",
    "host.hostname=web.myhost.example.com",
    "osrelease=14.1-RELEASE",
    f"path={ROOT}",
    "persist",
]
LAST = ["exec.start=sh -c 'sleep 1234&'"]
PLAN = NetworkPlan(Epair("p465a1b2c31f3a", "epair7b"), Epair("p665a1b2c31f3a", "epair8b"))
ALIAS_IPS = "em1|10.1.2.3 fd00::3 192.168.5.5"

# upstream's network parameters for each (network type, stack)
EXPECTED_NETWORK = {
    ("inherit", "ipv4"): ["ip4=inherit"],
    ("inherit", "ipv6"): ["ip6=inherit"],
    ("inherit", "dual"): ["ip4=inherit", "ip6=inherit"],
    ("alias", "ipv4"): ["ip4.addr=em1|10.1.2.3,em0|192.168.5.5"],
    ("alias", "ipv6"): ["ip6.addr=em0|fd00::3"],
    ("alias", "dual"): ["ip4.addr=em1|10.1.2.3,em0|192.168.5.5", "ip6.addr=em0|fd00::3"],
    ("public-bridge", "ipv4"): ["vnet", "vnet.interface=epair7b"],
    ("public-bridge", "ipv6"): ["vnet", "vnet.interface=epair8b"],
    ("public-bridge", "dual"): ["vnet", "vnet.interface=epair7b", "vnet.interface=epair8b"],
    # stack ipv6 is refused before the parameters are built; dual ignores IPv6
    ("private-bridge", "ipv4"): ["vnet", "vnet.interface=epair7b"],
    ("private-bridge", "ipv6"): ["vnet", "vnet.interface=epair7b"],
    ("private-bridge", "dual"): ["vnet", "vnet.interface=epair7b"],
}


def created(network_type: str, stack: str) -> PotConf:
    ip = {"inherit": "", "alias": ALIAS_IPS}.get(network_type, "10.192.0.3")
    return potconf.created(
        NewPot(
            level=0,
            pot_type="single",
            base="14.1",
            potbase="",
            dns="inherit",
            hostname="web.myhost.example.com",
            osrelease=potconf.osrelease_value("14.1"),
            stack=stack,
            network_type=network_type,
            ip=ip,
            bridge="br1" if network_type == "private-bridge" else "",
        )
    )


def params(conf: PotConf, stack: str) -> list[str]:
    s = Settings().with_values(POT_EXTIF="em0")
    network = net.jail_network_params(s, "web", conf, stack, PLAN)
    return jail.create_params("web", conf, ROOT, "14.1-RELEASE", network)


@pytest.mark.parametrize(("network_type", "stack"), sorted(EXPECTED_NETWORK))
def test_created_pot_params(network_type: str, stack: str) -> None:
    conf = created(network_type, stack)
    expected = FIRST + EXPECTED_NETWORK[network_type, stack] + LAST
    assert params(conf, stack) == expected


def test_attributes_in_table_order_with_flags_and_strings() -> None:
    conf = created("inherit", "ipv4")
    for name, value in [
        ("mount", "YES"),
        ("fdescfs", "YES"),
        ("linprocfs", "YES"),
        ("nullfs", "YES"),
        ("procfs", "YES"),
        ("tmpfs", "YES"),
        ("zfs", "YES"),
        ("raw_sockets", "YES"),
        ("mlock", "YES"),
        ("sysvshm", "inherit"),
        ("children", "5"),
        ("exec_stop", "sh /etc/rc.shutdown jail"),
        ("persistent", "NO"),
    ]:
        potconf.set_attr(conf, name, value)
    assert jail.attribute_params(conf) == [
        "enforce_statfs=2",
        "allow.mount",
        "mount.fdescfs",
        "allow.mount.linprocfs",
        "allow.mount.nullfs",
        "mount.procfs",
        "allow.mount.tmpfs",
        "allow.mount.zfs",
        "allow.raw_sockets",  # a second time: the attribute cannot turn it off (quirk)
        "sysvshm=inherit",
        "sysvsem=new",
        "sysvmsg=new",
        "children.max=5",
        "allow.mlock",
        "devfs_ruleset=4",
        "exec.stop=sh /etc/rc.shutdown jail",
        "stop.timeout=10",
    ]
    assert "nopersist" in params(conf, "ipv4")
    assert "persist" not in params(conf, "ipv4")


def test_old_pot_conf_without_attributes() -> None:
    """Absent lines pass nothing, except the sysv options, which default to new."""
    conf = PotConf.parse('host.hostname="old"\nnetwork_type=inherit\n')
    assert jail.attribute_params(conf) == ["sysvshm=new", "sysvsem=new", "sysvmsg=new"]
    assert params(conf, "ipv4")[9:15] == [
        "name=web",
        "host.hostname=old",
        "osrelease=14.1-RELEASE",
        f"path={ROOT}",
        "persist",
        "ip4=inherit",
    ]


def test_alias_without_address_of_the_stack() -> None:
    conf = created("alias", "ipv4")
    conf.set("ip", "fd00::3")
    with pytest.raises(NetworkError, match=r"^No ipv4 address found for web$"):
        params(conf, "ipv4")


def test_os_release(tmp_path: Path) -> None:
    conf = PotConf.parse('osrelease="13.2-RELEASE"\n')
    assert jail.os_release(tmp_path, conf) == "13.2-RELEASE"
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "freebsd-version").write_text(
        '#!/bin/sh\nUSERLAND_VERSION="14.1-RELEASE-p6"\nKERNEL="x"\n'
    )
    assert jail.os_release(tmp_path, conf) == "14.1-RELEASE-p6"


def test_least_loaded_cpus() -> None:
    from pot import rctl

    assert rctl.least_loaded(2, 4, []) == "0,1"
    assert rctl.least_loaded(2, 4, ["0,1", "0", "0,1,2,3"]) == "2,3"
    assert rctl.least_loaded(1, 4, ["0,1", "0,2", "3"]) == "1"
    assert rctl.least_loaded(4, 4, []) == ""
