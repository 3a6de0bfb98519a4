"""Pure parts of snapshot, info and show: option targets, formats, parsers."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from pot import rctl
from pot.cli.commands.info import render
from pot.errors import UsageError
from pot.ops import info, show, snapshots
from pot.ops.info import PotInfo
from pot.ops.snapshots import Kind, Target
from pot.potconf import PotConf
from pot.settings import Settings

# --------------------------------------------------------------------------- snapshot targets


def test_target_is_the_one_option_given() -> None:
    assert snapshots.target(("web",), ()) == Target(Kind.POT, "web")
    assert snapshots.target((), ("data",)) == Target(Kind.FSCOMP, "data")


@pytest.mark.parametrize(
    ("pots", "fscomps", "message"),
    [
        ((), (), "one of -p|-f has to be used"),
        (("a",), ("b",), "-p|-f are exclusive"),
        (("a", "a"), (), "-p|-f are exclusive"),
        (("",), ("b",), "-p|-f are exclusive"),
        ((), ("",), "-p|-f options need an argument"),
    ],
)
def test_target_errors(pots: tuple[str, ...], fscomps: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError) as failed:
        snapshots.target(pots, fscomps)
    assert failed.value.lines == (message,)
    assert failed.value.usage


# --------------------------------------------------------------------------- info formats


@pytest.fixture
def utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.usefixtures("utc")
def test_snapshot_date_is_what_date_r_prints() -> None:
    assert info.snapshot_date("1569922467") == "Tue Oct  1 09:34:27 UTC 2019"
    assert info.snapshot_date("1700000000") == "Tue Nov 14 22:13:20 UTC 2023"
    assert info.snapshot_date("base-14_1") == ""


def _info(**changes: object) -> PotInfo:
    values: dict[str, object] = {
        "name": "p",
        "type": "single",
        "base": "14.1",
        "level": "0",
        "potbase": None,
        "network_type": "inherit",
        "ip": None,
        "bridge": None,
        "export_ports": "",
        "active": False,
        "attributes": (("start-at-boot", "NO"),),
        "jail_attributes": (("mount", "NO"),),
        "cpus": "",
        "memory": "",
    }
    values.update(changes)
    return PotInfo(**values)  # type: ignore[arg-type]


def test_render_short() -> None:
    assert render(_info(cpus="2")) == (
        "pot name : p\n\ttype : single\n\tbase : 14.1\n\tlevel : 0\n"
        "\tnetwork_type : inherit\n\tactive : false\n"
        "\tattributes:\n\t\tstart-at-boot: NO\n\tjail attributes:\n\t\tmount: NO\n\n"
    )


def test_render_verbose_parts_come_with_the_facts() -> None:
    text = render(
        _info(
            network_type="alias",
            ip="em0|10.0.0.5",
            active=True,
            datasets=(),
            snapshots=(),
            memory="1G",
        )
    )
    assert text == (
        "pot name : p\n\ttype : single\n\tbase : 14.1\n\tlevel : 0\n"
        "\tnetwork_type : alias\n\tip : em0|10.0.0.5\n\t\tno ports exported\n"
        "\tactive : true\n\tdatasets:\n\tsnapshots:\n\t\tno snapshots\n"
        "\tattributes:\n\t\tstart-at-boot: NO\n\tjail attributes:\n\t\tmount: NO\n"
        "\tresource limits:\n\t\tmax amount memory: 1G\n\n"
    )


def test_alias_addresses_follow_the_stack_and_skip_invalid_entries() -> None:
    s = Settings().with_values(POT_EXTIF="vtnet0", POT_NETWORK_STACK="ipv6")
    conf = PotConf.parse("ip=2001:db8::1 em1|10.1.2.3 300.1.1.1 em2|fe80::1 x|y|z\n")
    # no pot.stack: the host's (ipv6) applies
    assert info.alias_addresses(s, conf) == [("vtnet0", "2001:db8::1"), ("em2", "fe80::1")]
    conf.append("pot.stack=dual")
    assert info.alias_addresses(s, conf) == [
        ("em1", "10.1.2.3"),
        ("vtnet0", "2001:db8::1"),
        ("em2", "fe80::1"),
    ]
    conf.set("pot.stack", "ipv4")
    assert info.alias_addresses(s, conf) == [("em1", "10.1.2.3")]


# --------------------------------------------------------------------------- show helpers


def test_rdr_rules_are_shortened_as_upstream_prints_them() -> None:
    tcp = (
        "rdr pass on em0 inet proto tcp from any to 192.168.0.10 port = 8080 -> 10.192.0.3 port 80"
    )
    assert show.shorten_rdr_rule(tcp) == "192.168.0.10 port 8080 -> 10.192.0.3 port 80"
    udp = "rdr pass on em0 inet proto udp from any to 192.168.0.10 port = 53 -> 10.192.0.3 port 53"
    assert show.shorten_rdr_rule(udp) == (
        "rdr pass on em0 inet proto udp from any to 192.168.0.10 port 53 -> 10.192.0.3 port 53"
    )


def test_cpuset_output_is_cut_as_upstream_does() -> None:
    text = "jail 3 mask: 0, 1, 2\njail 3 domain policy: first-touch mask: 0\n"
    assert rctl.parse_cpuset(text) == "0,1,2"
    assert rctl.parse_cpuset("") == ""
    assert rctl.parse_cpuset("no colon here\n") == "nocolonhere"
