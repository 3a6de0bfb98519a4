"""The customising commands as library calls (what flavours use): argument checks in
upstream's order with upstream's messages, and the exact pot.conf text they leave.

The pot lives in a temporary POT_FS_ROOT; the two checks that would ask ZFS and jls
(dataset exists, pot running) are answered by the test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

import potfactory
import pytest

from pot import potconf
from pot.errors import PotError, PotNotFound, PotRunning, QuietExit, UsageError
from pot.ops import attrs
from pot.potconf import NewPot
from pot.settings import DEFAULTS, Settings

CREATED = potconf.created(
    NewPot(
        level=0,
        pot_type="single",
        base="14.1",
        potbase="",
        dns="inherit",
        hostname="test.example",
        osrelease="14.1-RELEASE",
        stack="ipv4",
        network_type="public-bridge",
        ip="10.192.0.3",
    )
).text()
# the 31 lines create writes before the network part, then the network part
HEAD, NET = CREATED.split("pot.stack=")
NET = "pot.stack=" + NET


class Host:
    """What the library asks outside pot.conf: datasets that exist, jails that run."""

    def __init__(self) -> None:
        self.datasets: set[str] = set()
        self.running: set[str] = set()
        self.root_checks = 0

    def authorize(self) -> None:
        self.root_checks += 1


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> Host:
    h = Host()
    monkeypatch.setattr("pot.ops.common.zfs.exists", lambda name: name in h.datasets)
    monkeypatch.setattr(
        "pot.ops.common.zfs.user_props",
        lambda name, props: dict.fromkeys(props, "") if name in h.datasets else None,
    )
    monkeypatch.setattr("pot.jail.is_running", lambda name: name in h.running)
    return h


@pytest.fixture
def s(tmp_path: Path) -> Settings:
    values = dict(DEFAULTS, POT_FS_ROOT=str(tmp_path / "pot"), POT_ZFS_ROOT="zp/pot")
    return Settings(tmp_path / "etc", MappingProxyType(values))


def make_pot(s: Settings, host: Host, name: str = "test", text: str = CREATED) -> Path:
    folder = s.fs_root / "jails" / name
    (folder / "m").mkdir(parents=True)
    conf = potfactory.pot_conf_file(s.fs_root, name, text)
    (folder / "conf" / "fscomp.conf").write_text("")
    host.datasets.add(f"zp/pot/jails/{name}")
    return conf


def lines(exc: pytest.ExceptionInfo[PotError]) -> tuple[tuple[str, ...], bool]:
    return exc.value.lines, exc.value.usage


# ------------------------------------------------------------------ the seed workflow


def test_seed_commands_give_upstreams_file(s: Settings, host: Host) -> None:
    conf = make_pot(s, host)
    attrs.set_cmd(s, "test", "nginx -g 'daemon off;'", authorize=host.authorize)
    attrs.set_attribute(s, "test", "no-rc-script", "ON", authorize=host.authorize)
    attrs.set_attribute(s, "test", "persistent", "NO", authorize=host.authorize)
    attrs.set_rss(s, "test", cpus="1", authorize=host.authorize)
    expected = (
        CREATED.replace("pot.cmd=sh /etc/rc\n", "")
        .replace("pot.attr.no-rc-script=NO\n", "")
        .replace("pot.attr.persistent=YES\n", "")
        + "pot.cmd=nginx -g 'daemon off;'\n"
        "pot.attr.no-rc-script=YES\n"
        "pot.attr.persistent=NO\n"
        "pot.rss.cpus=1\n"
    )
    assert conf.read_text() == expected
    assert host.root_checks == 4


def test_the_nomad_driver_quoted_command(s: Settings, host: Host) -> None:
    conf = make_pot(s, host, text="pot.cmd=sh /etc/rc\nip=1\n")
    attrs.set_cmd(s, "test", "\"nginx -g 'daemon off;'\"")
    assert conf.read_text() == "ip=1\npot.cmd=nginx -g 'daemon off;'\n"


# ------------------------------------------------------------------ common checks


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: attrs.set_cmd(s, "nope", "x"), "pot nope is not valid"),
        (lambda s: attrs.set_env(s, "nope", ["A=1"]), "pot nope is not valid"),
        (lambda s: attrs.set_hosts(s, "nope", []), "pot nope is not valid"),
        (lambda s: attrs.add_dep(s, "nope", "other"), "pot nope is not valid"),
        (lambda s: attrs.set_rss(s, "nope", cpus="1"), "nope is not a valid pot name"),
        (lambda s: attrs.export_ports(s, "nope", ["80"]), "nope is not a valid pot name"),
        (lambda s: attrs.set_attribute(s, "nope", "mount", "yes"), "nope is not a valid pot"),
    ],
)
def test_nonexistent_pot(
    s: Settings, host: Host, call: Callable[[Settings], object], message: str
) -> None:
    with pytest.raises(PotNotFound) as exc:
        call(s)
    assert lines(exc) == ((" Pot nope not found", message), True)


def test_potcheck_reasons(s: Settings, host: Host) -> None:
    conf = make_pot(s, host)
    host.datasets.clear()
    with pytest.raises(PotNotFound) as exc:
        attrs.set_cmd(s, "test", "x")
    assert exc.value.lines[0] == " zfs dataset test not found"
    host.datasets.add("zp/pot/jails/test")
    conf.unlink()
    with pytest.raises(PotNotFound) as exc:
        attrs.set_cmd(s, "test", "x")
    assert exc.value.lines[0] == " Some component of the pot test is missing"


@pytest.mark.parametrize(
    "call",
    [
        lambda s: attrs.set_cmd(s, "", "x"),
        lambda s: attrs.set_env(s, "", ["A=1"]),
        lambda s: attrs.set_hosts(s, "", []),
        lambda s: attrs.set_hooks(s, "", {}),
        lambda s: attrs.add_dep(s, "", "x"),
        lambda s: attrs.set_rss(s, "", cpus="1"),
        lambda s: attrs.get_rss(s, ""),
        lambda s: attrs.export_ports(s, "", ["80"]),
        lambda s: attrs.set_attribute(s, "", "mount", "yes"),
        lambda s: attrs.get_attribute(s, "", "mount"),
    ],
)
def test_pot_name_is_mandatory(s: Settings, host: Host, call: Callable[[Settings], object]) -> None:
    with pytest.raises(UsageError) as exc:
        call(s)
    assert lines(exc) == (("A pot name is mandatory",), True)


def test_authorize_comes_after_the_argument_checks(s: Settings, host: Host) -> None:
    make_pot(s, host)

    def refuse() -> None:
        raise PotError("needs root")

    with pytest.raises(UsageError):
        attrs.set_attribute(s, "test", "nosuch", "x", authorize=refuse)
    with pytest.raises(PotError, match="needs root"):
        # upstream checks the value only after the root check
        attrs.set_attribute(s, "test", "mount", "maybe", authorize=refuse)
    with pytest.raises(PotError, match="needs root"):
        attrs.set_rss(s, "test", cpus="0", authorize=refuse)


# ------------------------------------------------------------------ set-cmd, set-env


def test_set_cmd_needs_a_command(s: Settings, host: Host) -> None:
    with pytest.raises(UsageError) as exc:
        attrs.set_cmd(s, "test", "")
    assert lines(exc) == (("A command is mandatory",), True)


def test_set_env_replaces_all_lines_in_order(s: Settings, host: Host) -> None:
    conf = make_pot(s, host, text='pot.env="OLD=1"\nip=1\npot.env="OLD=2"\n')
    attrs.set_env(s, "test", ['VAR=value1 "value2"', "B=", "C=a=b"])
    assert conf.read_text() == (
        'ip=1\npot.env="VAR=value1 \\"value2\\""\npot.env="B="\npot.env="C=a=b"\n'
    )


def test_set_env_checks(s: Settings, host: Host) -> None:
    with pytest.raises(UsageError) as exc:
        # -E is checked first, as upstream's getopts loop does
        attrs.set_env(s, "", ["A=1", "NOEQUAL"])
    assert lines(exc) == (("NOEQUAL not in a valid form", "VARIABLE=value is accetped"), True)
    with pytest.raises(UsageError) as exc:
        attrs.set_env(s, "test", [])
    assert lines(exc) == (("A command is mandatory",), True)


# ------------------------------------------------------------------ set-hosts


def test_set_hosts_lines_and_clearing(s: Settings, host: Host) -> None:
    conf = make_pot(s, host, text="pot.hosts=1.1.1.1 old\nip=1\n")
    attrs.set_hosts(s, "test", ["db:10.0.0.5", "v6:fe80::1"])
    assert conf.read_text() == "ip=1\npot.hosts=10.0.0.5 db\npot.hosts=fe80::1 v6\n"
    attrs.set_hosts(s, "test", [])
    assert conf.read_text() == "ip=1\n"


@pytest.mark.parametrize(
    ("entry", "messages"),
    [
        ("db", ("db not in a valid form", "hostname:IP is accepted")),
        (":10.0.0.1", ("Submitted ip or hostname are empty",)),
        ("db:", ("Submitted ip or hostname are empty",)),
        ("db:10.0.0.300", ("Submitted ip 10.0.0.300 is not a valid one",)),
        ("db:fe80::1%em0", ("Submitted ip fe80::1%em0 is not a valid one",)),
        ("db:host.example", ("Submitted ip host.example is not a valid one",)),
    ],
)
def test_parse_host_errors(entry: str, messages: tuple[str, ...]) -> None:
    with pytest.raises(UsageError) as exc:
        attrs.parse_host(entry)
    assert lines(exc) == (messages, True)


def test_parse_host_splits_at_the_first_colon() -> None:
    assert attrs.parse_host("h:2001:db8::1") == ("2001:db8::1", "h")


# ------------------------------------------------------------------ set-hook


def test_set_hooks_copies_the_last_valid_file(
    s: Settings, host: Host, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_pot(s, host)
    good, other, plain = tmp_path / "good.sh", tmp_path / "other.sh", tmp_path / "plain.sh"
    for f in (good, other, plain):
        f.write_text(f"#!/bin/sh\necho {f.name}\n")
    good.chmod(0o755)
    other.chmod(0o700)
    hooks = {"prestart": [str(other), str(good), str(plain)], "poststop": [str(tmp_path)]}
    attrs.set_hooks(s, "test", hooks)
    conf = s.fs_root / "jails/test/conf"
    assert (conf / "prestart.sh").read_text() == "#!/bin/sh\necho good.sh\n"
    assert not (conf / "poststop.sh").exists()
    assert [r.getMessage() for r in caplog.records] == [
        f"{plain} not a valid hook",
        f"{tmp_path} not a valid hook",
    ]


def test_set_hooks_without_a_valid_hook(s: Settings, host: Host, tmp_path: Path) -> None:
    make_pot(s, host)
    with pytest.raises(UsageError) as exc:
        attrs.set_hooks(s, "test", {"prestop": [str(tmp_path / "missing")]})
    assert lines(exc) == (("No hooks provided - at least one hook as to be set",), True)


# ------------------------------------------------------------------ add-dep


def test_add_dep_appends_every_time(s: Settings, host: Host) -> None:
    conf = make_pot(s, host, text="pot.depend=dns\n")
    make_pot(s, host, "db")
    attrs.add_dep(s, "test", "db")
    attrs.add_dep(s, "test", "db")
    assert conf.read_text() == "pot.depend=dns\npot.depend=db\npot.depend=db\n"


def test_add_dep_checks(s: Settings, host: Host) -> None:
    make_pot(s, host)
    with pytest.raises(UsageError) as exc:
        attrs.add_dep(s, "test", "")
    assert lines(exc) == (("A dependency pot is mandatory",), True)
    with pytest.raises(UsageError) as exc:
        attrs.add_dep(s, "test", "test")
    assert lines(exc) == (("a pot cannot be run time dependecy of itself",), True)
    with pytest.raises(PotNotFound) as missing:
        attrs.add_dep(s, "test", "ghost")
    assert lines(missing) == ((" Pot ghost not found", "dependency pot ghost is not valid"), True)


# ------------------------------------------------------------------ set-rss


def test_set_rss_both_and_replacing(s: Settings, host: Host) -> None:
    conf = make_pot(s, host, text="pot.rss.memory=1G\nip=1\n")
    attrs.set_rss(s, "test", cpus="2", memory="64M")
    assert conf.read_text() == "ip=1\npot.rss.cpus=2\npot.rss.memory=64M\n"
    attrs.set_rss(s, "test", cpus="3")
    assert conf.read_text() == "ip=1\npot.rss.memory=64M\npot.rss.cpus=3\n"


@pytest.mark.parametrize("cpus", ["0", "00", "-1", "1.5", "two", "２"])
def test_set_rss_bad_cpus_writes_nothing(s: Settings, host: Host, cpus: str) -> None:
    conf = make_pot(s, host, text="ip=1\n")
    with pytest.raises(PotError) as exc:
        attrs.set_rss(s, "test", cpus=cpus, memory="1G")
    assert lines(exc) == ((f"{cpus} is a not valid amount of CPUs!",), False)
    assert conf.read_text() == "ip=1\n"


@pytest.mark.parametrize("memory", ["1", "64M", "2g", "100b", "010K"])
def test_valid_memory(memory: str) -> None:
    attrs.check_memory(memory)


@pytest.mark.parametrize(
    ("memory", "message"),
    [
        ("64MB", "64MB is not a valid memory constraint"),
        ("M", "M is not a valid memory constraint"),
        ("-1", "-1 is not a valid memory constraint"),
        ("1.5G", "1.5G is not a valid memory constraint"),
        ("0", "Memory constraint has to be greater than zero"),
        ("000M", "Memory constraint has to be greater than zero"),
    ],
)
def test_invalid_memory(memory: str, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        attrs.check_memory(memory)
    assert lines(exc) == ((message,), True)


def test_set_rss_order_of_checks(s: Settings, host: Host) -> None:
    with pytest.raises(UsageError, match="bad is not a valid memory constraint"):
        attrs.set_rss(s, "", memory="bad")
    make_pot(s, host)
    with pytest.raises(UsageError) as exc:
        attrs.set_rss(s, "test")
    assert lines(exc) == (("One resource has to be specified (-C or -M)",), True)


# ------------------------------------------------------------------ get-rss


@pytest.mark.parametrize(
    ("clockrate", "pcpu", "result"),
    [
        ("2400", "50", "1200.000"),
        ("2400", "0", "0"),
        ("1", "50", ".500"),
        ("2401", "3", "72.030"),
        ("", "50", ""),
        ("2400", "", ""),
    ],
)
def test_bc_cputime(clockrate: str, pcpu: str, result: str) -> None:
    assert attrs.bc_cputime(clockrate, pcpu) == result


def test_get_rss_needs_a_running_pot(s: Settings, host: Host) -> None:
    with pytest.raises(PotError) as exc:
        attrs.get_rss(s, "test")
    assert lines(exc) == (("The pot test is not running",), False)


# ------------------------------------------------------------------ export-ports


@pytest.mark.parametrize(
    "spec", ["80", "80:30000", "tcp:80", "udp:53:30053", "65535", "080", "80:30000:junk"]
)
def test_valid_export_ports(spec: str) -> None:
    assert attrs.valid_export_port(spec)


@pytest.mark.parametrize(
    "spec", ["", "0", "65536", "http", "80:", ":80", "sctp:80", "tcp:", "udp:x", "8 0", "-1"]
)
def test_invalid_export_ports(spec: str) -> None:
    assert not attrs.valid_export_port(spec)
    with pytest.raises(UsageError) as exc:
        attrs.check_export_port(spec)
    assert lines(exc) == ((f"{spec} is not a valid port number",), True)


def test_export_ports_line(s: Settings, host: Host, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pot")
    conf = make_pot(s, host, text="pot.export.ports=1\nold.pot.export.ports=2\nip=1\n")
    attrs.export_ports(s, "test", ["udp:53", "80:30000"])
    assert conf.read_text() == "ip=1\npot.export.ports=udp:53 80:30000\n"
    assert [r.getMessage() for r in caplog.records if r.levelname == "INFO"] == [
        "Only public-bridge and private-bridge network type can export ports"
        " - this setting will be ignored during start"
    ]


def test_export_ports_on_ipv6(s: Settings, host: Host, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pot")
    make_pot(s, host, text="network_type=public-bridge\npot.stack=ipv6\n")
    attrs.export_ports(s, "test", ["80"])
    assert [r.getMessage() for r in caplog.records if r.levelname == "INFO"] == [
        "Only ipv4 can export ports, on ipv6 the pot has already a unique address"
        " - this setting will be ignored during start"
    ]


def test_export_ports_needs_one(s: Settings, host: Host) -> None:
    make_pot(s, host)
    with pytest.raises(UsageError) as exc:
        attrs.export_ports(s, "test", [])
    assert lines(exc) == (("One port has to be specified",), True)


# ------------------------------------------------------------------ set-/get-attribute


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("start-at-boot", "yes", "YES"),
        ("early-start-at-boot", "True", "YES"),
        ("localhost-tunnel", "on", "YES"),
        ("no-etc-hosts", "oFF", "NO"),
        ("prunable", "false", "NO"),
        ("mount", "ON", "YES"),
        ("children", "10", "10"),
        ("enforce_statfs", "1", "1"),
        ("sysvshm", "inherit", "inherit"),
        ("exec_stop", "/bin/sh /etc/rc.shutdown", "/bin/sh /etc/rc.shutdown"),
    ],
)
def test_set_attribute_values(s: Settings, host: Host, name: str, value: str, stored: str) -> None:
    conf = make_pot(s, host, text=f"pot.attr.{name}=x\nip=1\n")
    attrs.set_attribute(s, "test", name, value)
    assert conf.read_text() == f"ip=1\npot.attr.{name}={stored}\n"


@pytest.mark.parametrize(
    ("name", "value", "messages"),
    [
        ("nosuch", "x", ("nosuch is not a valid attribute",)),
        ("to-be-pruned", "YES", ("to-be-pruned is not a valid attribute",)),
        ("set-attr", "YES", ("set-attr is not a valid attribute",)),
        ("persistent", "maybe", ("value  is not a valid boolean value",)),
        ("children", "-1", ("value -1 is not a valid uint value",)),
        ("sysvsem", "old", ("value must be one of 'new', 'inherit', 'disable'",)),
    ],
)
def test_set_attribute_errors_change_nothing(
    s: Settings, host: Host, name: str, value: str, messages: tuple[str, ...]
) -> None:
    conf = make_pot(s, host)
    with pytest.raises(UsageError) as exc:
        attrs.set_attribute(s, "test", name, value)
    assert lines(exc) == (messages, True)
    assert conf.read_text() == CREATED


def test_set_attribute_missing_options(s: Settings, host: Host) -> None:
    with pytest.raises(UsageError) as exc:
        attrs.set_attribute(s, "test", "", "x")
    assert lines(exc) == (("Option -A is mandatory",), True)
    with pytest.raises(UsageError) as exc:
        attrs.set_attribute(s, "test", "exec_stop", "")
    assert lines(exc) == (("Option -V is mandatory",), True)


def test_no_tmpfs_only_on_stopped_single_pots(s: Settings, host: Host) -> None:
    multi = make_pot(s, host, "multi", text="pot.type=multi\n")
    with pytest.raises(PotError) as exc:
        attrs.set_attribute(s, "multi", "no-tmpfs", "YES")
    assert lines(exc) == (("Attribute no-tmpfs is only usable with single type pot",), False)
    assert multi.read_text() == "pot.type=multi\n"
    single = make_pot(s, host)
    host.running.add("test")
    with pytest.raises(PotRunning) as exc:
        attrs.set_attribute(s, "test", "no-tmpfs", "YES")
    assert lines(exc) == (("pot test is still running",), False)
    assert single.read_text() == CREATED
    host.running.clear()
    attrs.set_attribute(s, "test", "no-tmpfs", "YES")
    assert single.read_text() == CREATED.replace("pot.attr.no-tmpfs=NO\n", "") + (
        "pot.attr.no-tmpfs=YES\n"
    )


def test_get_attribute(s: Settings, host: Host) -> None:
    make_pot(s, host, text='pot.attr.exec_stop=sh -c "x=1"\npot.attr.to-be-pruned=YES\n')
    assert attrs.get_attribute(s, "test", "to-be-pruned").value == "YES"
    # no default is applied and the generic reader mangles the string
    assert attrs.get_attribute(s, "test", "persistent").value == ""
    assert attrs.get_attribute(s, "test", "exec_stop").value == "sh-cx"


def test_get_attribute_errors(s: Settings, host: Host) -> None:
    with pytest.raises(PotNotFound) as missing:
        attrs.get_attribute(s, "ghost", "persistent")
    assert lines(missing) == (("no Pot ghost not found", "ghost is not a valid pot"), True)
    with pytest.raises(QuietExit) as quiet:
        attrs.get_attribute(s, "ghost", "persistent", quiet=True)
    assert quiet.value.lines == ()
    make_pot(s, host)
    with pytest.raises(UsageError) as exc:
        attrs.get_attribute(s, "test", "nosuch", quiet=True)
    assert lines(exc) == (("nosuch is not a valid attribute",), True)
    with pytest.raises(UsageError) as exc:
        attrs.get_attribute(s, "test", "")
    assert lines(exc) == (("Option -A is mandatory",), True)


@pytest.mark.parametrize("clockrate", ["2400", "2400.5", "0", "1.", ".05", "3999.999"])
@pytest.mark.parametrize("pcpu", ["0", "3", "12.5", ".001", "100", "7.25", "0.0004"])
def test_bc_cputime_without_decimal_agrees_with_decimal(
    monkeypatch: pytest.MonkeyPatch, clockrate: str, pcpu: str
) -> None:
    # short numbers are computed in integers; longer ones with decimal, as before
    fast = attrs.bc_cputime(clockrate, pcpu)
    monkeypatch.setattr(attrs, "_EXACT_DIGITS", -1)
    assert attrs.bc_cputime(clockrate, pcpu) == fast
