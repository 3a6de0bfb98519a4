from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from golden import CREATED_ATTRIBUTES, expected_conf

from pot import potconf
from pot.errors import ConfigError, PotError, UsageError
from pot.potconf import FsCompEntry, NewPot, PotConf

# ----------------------------------------------------------------- parse / text


def test_round_trip_keeps_every_line_and_the_order() -> None:
    text = (
        "pot.level=0\n"
        "# a comment someone added\n"
        "my.own.key=x=y\n"
        "\n"
        "pot.cmd=sh /etc/rc\n"
        "not an assignment\n"
        "pot.cmd=second\r\n"
    )
    assert PotConf.parse(text).text() == text


def test_round_trip_without_final_newline_and_empty() -> None:
    assert PotConf.parse("a=1\nb=2").text() == "a=1\nb=2"
    assert PotConf.parse("").text() == ""
    assert PotConf.parse("\n").text() == "\n"


def test_an_edit_terminates_the_last_line() -> None:
    conf = PotConf.parse("a=1")
    conf.add("b", "2")
    assert conf.text() == "a=1\nb=2\n"


# ----------------------------------------------------------------------- readers


def test_generic_reader_deletes_blanks_and_quotes_and_cuts_at_second_equal() -> None:
    conf = PotConf.parse(
        "host.hostname=\"my host.example\"\npot.attr.exec_stop=sh -c 'x=1'\nip=10.1.2.3\tfoo\n"
    )
    assert conf.get("host.hostname") == "myhost.example"
    assert conf.get("pot.attr.exec_stop") == "sh-c'x"
    assert conf.get("ip") == "10.1.2.3foo"


def test_string_reader_keeps_blanks_and_quotes() -> None:
    conf = PotConf.parse("pot.attr.exec_stop=sh -c 'x=1'\nhost.hostname=\"a b\"\n")
    assert conf.get_string("pot.attr.exec_stop") == "sh -c 'x"
    assert conf.get_string("host.hostname") == '"a b"'
    assert conf.get_string("nothing") is None


def test_missing_key_gives_default_and_empty_value_gives_empty_string() -> None:
    conf = PotConf.parse("pot.attr.exec_stop=\n")
    assert conf.get("pot.attr.exec_stop") == ""
    assert conf.get("pot.attr.mlock") is None
    assert conf.get("pot.attr.mlock", "NO") == "NO"
    assert conf.has("pot.attr.exec_stop")
    assert not conf.has("pot.attr.mlock")


def test_key_is_matched_at_line_start_with_dots_as_wildcards() -> None:
    # upstream greps ^<key>= with the key as a regular expression
    conf = PotConf.parse("potXcmd=a\n pot.cmd=b\npot.cmdx=c\nxpot.cmd=d\n")
    assert conf.get_all("pot.cmd") == ["a"]


def test_repeated_lines_are_joined_like_a_shell_variable() -> None:
    conf = PotConf.parse("pot.attr.persistent=YES\npot.attr.persistent=NO\nx=\nx=\n")
    assert conf.get("pot.attr.persistent") == "YES\nNO"
    assert conf.get("x") == ""


def test_get_all_for_dependencies() -> None:
    conf = PotConf.parse("pot.depend=dns\npot.cmd=x\npot.depend=db\n")
    assert conf.get_all("pot.depend") == ["dns", "db"]
    assert conf.get_all("pot.hosts") == []


def test_raw_readers_keep_everything_after_the_key() -> None:
    conf = PotConf.parse(
        'pot.env="A=b \\"c\\""\n'
        'pot.env="X=1"\n'
        "pot.hosts=10.0.0.1 db\n"
        "ip=em0|10.1.1.1 fe80::1\n"
        "pot.cmd=nginx -g 'daemon off;'\n"
    )
    assert conf.raw_all("pot.env") == ['"A=b \\"c\\""', '"X=1"']
    assert conf.raw_all("pot.hosts") == ["10.0.0.1 db"]
    assert conf.raw("ip") == "em0|10.1.1.1 fe80::1"
    assert conf.raw("pot.cmd") == "nginx -g 'daemon off;'"
    assert conf.raw("bridge") is None


def test_export_ports_reader_takes_lines_containing_the_key_with_one_equal() -> None:
    conf = PotConf.parse(
        "pot.export.ports=80:30000 udp:53\n"
        'pot.env="pot.export.ports=ignored"\n'
        "old.pot.export.ports=8080\n"
    )
    assert conf.get_export_ports() == "80:30000 udp:53\n8080"
    assert PotConf.parse("pot.cmd=x\n").get_export_ports() is None


# ------------------------------------------------------------------------- edits


def test_set_replaces_in_place_and_drops_duplicates() -> None:
    conf = PotConf.parse("a=1\nip=1.1.1.1\nb=2\nip=2.2.2.2\n")
    conf.set("ip", "3.3.3.3")
    assert conf.text() == "a=1\nip=3.3.3.3\nb=2\n"


def test_set_appends_a_missing_key() -> None:
    conf = PotConf.parse("a=1\n")
    conf.set("vnet", "true")
    assert conf.text() == "a=1\nvnet=true\n"


def test_add_remove_and_replace_line() -> None:
    conf = PotConf.parse("pot.depend=a\nx=1\npot.depend=b\n")
    conf.add("pot.depend", "c")
    assert conf.remove("x") == 1
    assert conf.replace_line("pot.depend=b", "pot.depend=B") == 1
    assert conf.text() == "pot.depend=a\npot.depend=B\npot.depend=c\n"
    assert conf.remove("nothing") == 0


def test_remove_matching_for_clone_style_prefix_deletes() -> None:
    conf = PotConf.parse("ip=1\nip4=2\nvnet=true\npot.level=0\n")
    assert conf.remove_matching(r"^(ip|vnet)") == 3
    assert conf.text() == "pot.level=0\n"


# --------------------------------------------------------- upstream's exact lines


@pytest.mark.parametrize(
    ("cmd", "line"),
    [
        ("sh /etc/rc", "pot.cmd=sh /etc/rc"),
        ("\"nginx -g 'daemon off;'\"", "pot.cmd=nginx -g 'daemon off;'"),
        ("nginx -g 'daemon off;'", "pot.cmd=nginx -g 'daemon off;'"),
        ('"/usr/local/bin/cook"', "pot.cmd=/usr/local/bin/cook"),
        ('"a" "b"', 'pot.cmd=a" "b'),
        ('"only leading', "pot.cmd=only leading"),
        ('trailing only"', 'pot.cmd=trailing only"'),
        ('""', "pot.cmd="),
        ('a "b"', 'pot.cmd=a "b"'),
        ('"two\n"lines"', "pot.cmd=two\nlines"),
    ],
)
def test_cmd_line(cmd: str, line: str) -> None:
    assert potconf.cmd_line(cmd) == line


@pytest.mark.parametrize(
    ("assignment", "line"),
    [
        ("A=b", 'pot.env="A=b"'),
        ('VAR=value1 "value2"', 'pot.env="VAR=value1 \\"value2\\""'),
        ("X=a\\nb 'q'", "pot.env=\"X=a\\nb 'q'\""),
        ("E=", 'pot.env="E="'),
    ],
)
def test_env_line(assignment: str, line: str) -> None:
    assert potconf.env_line(assignment) == line


def test_other_key_lines() -> None:
    assert potconf.hosts_line("10.0.0.1", "db.local") == "pot.hosts=10.0.0.1 db.local"
    assert potconf.hosts_line("fe80::1", "h") == "pot.hosts=fe80::1 h"
    assert potconf.attr_line("persistent", "NO") == "pot.attr.persistent=NO"
    assert potconf.rss_line("memory", "64M") == "pot.rss.memory=64M"
    assert potconf.rss_line("cpus", "2") == "pot.rss.cpus=2"
    ports = ["80:30000", "udp:53"]
    assert potconf.export_ports_line(ports) == "pot.export.ports=80:30000 udp:53"
    assert potconf.depend_line("dns") == "pot.depend=dns"
    assert potconf.hostname_line("p.host") == 'host.hostname="p.host"'
    assert potconf.osrelease_line("13.2-RELEASE") == 'osrelease="13.2-RELEASE"'


@pytest.mark.parametrize(
    ("baseos", "release"),
    [("13.2", "13.2-RELEASE"), ("13.2-RELEASE", "13.2-RELEASE"), ("14.0-RC1", "14.0-RC1")],
)
def test_osrelease_value(baseos: str, release: str) -> None:
    assert potconf.osrelease_value(baseos) == release


def test_set_functions_delete_then_append_like_upstream() -> None:
    conf = PotConf.parse(
        "pot.cmd=sh /etc/rc\n"
        'pot.env="A=1"\n'
        "pot.attr.persistent=YES\n"
        "pot.export.ports=80\n"
        "pot.hosts=1.1.1.1 a\n"
        "pot.rss.cpus=1\n"
        "stay=1\n"
    )
    potconf.set_cmd(conf, '"cook"')
    potconf.set_env(conf, ["B=2", 'C="3"'])
    potconf.set_attr(conf, "persistent", "NO")
    potconf.set_export_ports(conf, ["tcp:80:8080", "443"])
    potconf.set_hosts(conf, [("10.0.0.2", "db")])
    potconf.set_rss(conf, "cpus", "2")
    potconf.add_depend(conf, "dns")
    potconf.add_depend(conf, "dns")
    assert conf.text() == (
        "stay=1\n"
        "pot.cmd=cook\n"
        'pot.env="B=2"\n'
        'pot.env="C=\\"3\\""\n'
        "pot.attr.persistent=NO\n"
        "pot.export.ports=tcp:80:8080 443\n"
        "pot.hosts=10.0.0.2 db\n"
        "pot.rss.cpus=2\n"
        "pot.depend=dns\n"
        "pot.depend=dns\n"
    )


def test_set_hosts_without_entries_clears_them() -> None:
    conf = PotConf.parse("pot.hosts=1.1.1.1 a\npot.hosts=2.2.2.2 b\nx=1\n")
    potconf.set_hosts(conf, [])
    assert conf.text() == "x=1\n"


def test_set_export_ports_deletes_any_line_containing_the_key() -> None:
    conf = PotConf.parse('pot.env="pot.export.ports=1"\nold.pot.export.ports=2\nx=1\n')
    potconf.set_export_ports(conf, ["80"])
    assert conf.text() == "x=1\npot.export.ports=80\n"


# ------------------------------------------------------------- create's file


def test_created_private_bridge_pot_with_dns_pot() -> None:
    new = NewPot(
        level=1,
        pot_type="multi",
        base="13.2",
        potbase="",
        dns="pot",
        hostname="web.host.example",
        osrelease="13.2-RELEASE",
        stack="ipv4",
        network_type="private-bridge",
        ip="10.192.0.18",
        bridge="backend",
        dns_pot="dns",
    )
    assert potconf.created(new).text() == expected_conf(
        level=1,
        pot_type="multi",
        base="13.2",
        hostname="web.host.example",
        osrelease="13.2-RELEASE",
        network="private-bridge",
        ip="10.192.0.18",
        bridge="backend",
        dns="pot",
        depend="dns",
    )


def test_created_inherit_single_pot_with_custom_dns() -> None:
    new = NewPot(
        level=0,
        pot_type="single",
        base="14.0",
        potbase="",
        dns="custom:/etc/resolv.conf",
        hostname="s",
        osrelease="14.0-RELEASE",
        stack="dual",
        network_type="inherit",
    )
    text = potconf.created(new).text()
    assert text.startswith("pot.level=0\npot.type=single\npot.base=14.0\npot.potbase=\n")
    assert "pot.dns=custom\n" in text
    assert text.endswith(CREATED_ATTRIBUTES + "pot.stack=dual\nnetwork_type=inherit\nvnet=false\n")


# -------------------------------------------------------------------- attributes


def test_attribute_table_follows_upstream_lists_and_order() -> None:
    rw = "start-at-boot early-start-at-boot persistent no-rc-script prunable localhost-tunnel"
    rw += " no-tmpfs no-etc-hosts"
    jail = "enforce_statfs mount fdescfs linprocfs nullfs procfs tmpfs zfs raw_sockets sysvshm"
    jail += " sysvsem sysvmsg children mlock devfs_ruleset exec_stop stop_timeout"
    names = [a.name for a in potconf.ATTRIBUTES]
    assert names == [*rw.split(), "to-be-pruned", *jail.split()]
    assert [a.name for a in potconf.JAIL_ATTRIBUTES] == jail.split()
    assert [a.name for a in potconf.POT_ATTRIBUTES] == [*rw.split(), "to-be-pruned"]


@pytest.mark.parametrize(
    ("name", "param", "type_", "default"),
    [
        ("enforce_statfs", "enforce_statfs", "uint", "2"),
        ("mount", "allow.mount", "bool", "NO"),
        ("fdescfs", "mount.fdescfs", "bool", "NO"),
        ("linprocfs", "allow.mount.linprocfs", "bool", "NO"),
        ("nullfs", "allow.mount.nullfs", "bool", "NO"),
        ("procfs", "mount.procfs", "bool", "NO"),
        ("tmpfs", "allow.mount.tmpfs", "bool", "NO"),
        ("zfs", "allow.mount.zfs", "bool", "NO"),
        ("raw_sockets", "allow.raw_sockets", "bool", "NO"),
        ("sysvshm", "sysvshm", "sysvopt", "new"),
        ("sysvsem", "sysvsem", "sysvopt", "new"),
        ("sysvmsg", "sysvmsg", "sysvopt", "new"),
        ("children", "children.max", "uint", "0"),
        ("mlock", "allow.mlock", "bool", "NO"),
        ("devfs_ruleset", "devfs_ruleset", "uint", "4"),
        ("exec_stop", "exec.stop", "string", ""),
        ("stop_timeout", "stop.timeout", "uint", "10"),
    ],
)
def test_jail_attributes(name: str, param: str, type_: str, default: str) -> None:
    spec = potconf.attribute(name)
    assert (spec.jail_param, spec.type, spec.default, spec.kind) == (param, type_, default, "jail")
    assert not spec.readonly
    assert spec.key == f"pot.attr.{name}"


def test_pot_attributes() -> None:
    persistent = potconf.attribute("persistent")
    assert (persistent.jail_param, persistent.type, persistent.kind) == (None, "bool", "pot")
    assert (persistent.default, persistent.created) == (None, "YES")
    assert potconf.attribute("localhost-tunnel").created is None
    assert potconf.attribute("to-be-pruned").readonly
    assert potconf.writable_attribute("prunable").name == "prunable"


@pytest.mark.parametrize("name", ["bogus", "set-attr", "early.start-at-boot", ""])
def test_unknown_attribute(name: str) -> None:
    with pytest.raises(UsageError) as err:
        potconf.attribute(name)
    assert err.value.lines == (f"{name} is not a valid attribute",)
    assert err.value.usage


def test_read_only_attribute_is_not_writable() -> None:
    with pytest.raises(UsageError) as err:
        potconf.writable_attribute("to-be-pruned")
    assert str(err.value) == "to-be-pruned is not a valid attribute"
    with pytest.raises(UsageError):
        potconf.normalize(potconf.attribute("to-be-pruned"), "YES")


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("persistent", "YES", "YES"),
        ("persistent", "yes", "YES"),
        ("persistent", "True", "YES"),
        ("start-at-boot", "oN", "YES"),
        ("no-rc-script", "no", "NO"),
        ("mount", "FALSE", "NO"),
        ("mlock", "Off", "NO"),
        ("enforce_statfs", "1", "1"),
        ("children", "007", "007"),
        ("stop_timeout", "30", "30"),
        ("sysvshm", "inherit", "inherit"),
        ("sysvsem", "disable", "disable"),
        ("sysvmsg", "new", "new"),
        ("exec_stop", "sh -c 'x=1' \"q\"", "sh -c 'x=1' \"q\""),
    ],
)
def test_normalize_accepts(name: str, value: str, stored: str) -> None:
    assert potconf.normalize(potconf.attribute(name), value) == stored


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("persistent", "y", "value  is not a valid boolean value"),
        ("persistent", "1", "value  is not a valid boolean value"),
        ("mount", "yes ", "value  is not a valid boolean value"),
        ("mount", "ſes", "value  is not a valid boolean value"),
        ("children", "-1", "value -1 is not a valid uint value"),
        ("devfs_ruleset", "4a", "value 4a is not a valid uint value"),
        ("stop_timeout", "١٢", "value ١٢ is not a valid uint value"),
        ("sysvshm", "New", "value must be one of 'new', 'inherit', 'disable'"),
        ("sysvmsg", "", "value must be one of 'new', 'inherit', 'disable'"),
    ],
)
def test_normalize_refuses(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        potconf.normalize(potconf.attribute(name), value)
    assert err.value.lines == (message,)
    assert err.value.usage


# ------------------------------------------------------------------------ files


def test_read_and_write(tmp_path: Path) -> None:
    path = tmp_path / "pot.conf"
    path.write_bytes(b"pot.level=0\r\nx=\xff\n")
    conf = potconf.read(path)
    assert conf.lines == ["pot.level=0\r", "x=\udcff"]
    conf.add("pot.depend", "dns")
    potconf.write(path, conf)
    assert path.read_bytes() == b"pot.level=0\r\nx=\xff\npot.depend=dns\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["pot.conf"]


def test_read_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        potconf.read(tmp_path / "pot.conf")
    assert str(err.value) == f"{tmp_path / 'pot.conf'}: cannot be read: No such file or directory"


def test_write_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "pot.conf"
    path.write_text("a=1\n")
    path.chmod(0o600)
    potconf.write(path, PotConf.parse("a=2\n"))
    assert path.read_text() == "a=2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_failed_write_leaves_the_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pot.conf"
    path.write_text("a=1\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PotError) as err:
        potconf.write(path, PotConf.parse("a=2\n"))
    assert str(err.value) == f"{path}: cannot be written: No space left on device"
    assert os.listdir(tmp_path) == ["pot.conf"]
    assert path.read_text() == "a=1\n"


def test_interrupted_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        potconf.write(tmp_path / "pot.conf", PotConf.parse("a=2\n"))
    assert os.listdir(tmp_path) == []


# -------------------------------------------------------------------- fscomp.conf


def test_fscomp_entry_parse() -> None:
    assert FsCompEntry.parse("zroot/pot/bases/13.2 /") == FsCompEntry("zroot/pot/bases/13.2", "/")
    assert FsCompEntry.parse("zroot/pot/bases/13.2 / ro") == FsCompEntry(
        "zroot/pot/bases/13.2", "/", "ro"
    )
    assert FsCompEntry.parse("  /data \t/mnt/data  zfs-remount extra") == FsCompEntry(
        "/data", "/mnt/data", "zfs-remount"
    )
    assert FsCompEntry.parse("ds /m ") == FsCompEntry("ds", "/m", None)
    assert FsCompEntry.parse("lonely") == FsCompEntry("lonely", "", None)


def test_fscomp_entry_lines() -> None:
    rw = FsCompEntry("zroot/pot/fscomp/data", "/data")
    ro = FsCompEntry("/host/dir", "/opt/dir", "ro")
    assert rw.line() == "zroot/pot/fscomp/data /data"
    assert rw.rewritten_line() == "zroot/pot/fscomp/data /data "
    assert ro.line() == ro.rewritten_line() == "/host/dir /opt/dir ro"
    assert ro.is_directory
    assert not rw.is_directory


def test_fscomp_files(tmp_path: Path) -> None:
    path = tmp_path / "fscomp.conf"
    # blank lines are skipped, and a last line without newline still counts
    path.write_text(
        "zroot/pot/bases/13.2 / ro\n\n \t\nzroot/pot/jails/p/custom /opt/custom zfs-remount"
    )
    entries = potconf.read_fscomp(path)
    assert entries == [
        FsCompEntry("zroot/pot/bases/13.2", "/", "ro"),
        FsCompEntry("zroot/pot/jails/p/custom", "/opt/custom", "zfs-remount"),
    ]
    potconf.write_fscomp(path, [*entries, FsCompEntry("/srv", "/srv")])
    assert path.read_text() == (
        "zroot/pot/bases/13.2 / ro\nzroot/pot/jails/p/custom /opt/custom zfs-remount\n/srv /srv\n"
    )
    potconf.write_fscomp(path, [])
    assert path.read_text() == ""
    assert sorted(os.listdir(tmp_path)) == ["fscomp.conf"]


KEYS = ["pot.level", "pot.attr.start-at-boot", "ip", "pot.export.ports", "a+b", "x.y*z"]
LINES = [
    "pot.level=0",
    "potXlevel=1",
    "pot.level",
    "pot.levelx=2",
    " pot.level=3",
    "pot.attr.start-at-boot=YES",
    "pot-attr.start-at-boot=NO",
    "ip=10.0.0.1",
    "ipx=1",
    "ip=",
    "a+b=1",
    "aab=1",
    "x.y*z=2",
    "xqy*z=3",
    "xqyyz=4",
    "",
    "=",
    "pot.level\r=0",
]


@pytest.mark.parametrize("key", KEYS)
def test_key_lines_are_matched_as_upstreams_grep_does(key: str) -> None:
    # the matcher without re must agree with the grep pattern upstream uses (^key= with
    # every dot any character) on every line
    pattern = potconf._key_regex(key, anchored=True)
    for line in LINES:
        assert potconf._starts_with_key(line, key) is bool(pattern.match(line)), line


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("a /b ro", ("a", "/b", "ro")),
        ("a\t/b\t\tro extra", ("a", "/b", "ro")),
        ("  a /b  ", ("a", "/b", None)),
        ("a", ("a", "", None)),
        ("", ("", "", None)),
        ("a\r /b", ("a\r", "/b", None)),
    ],
)
def test_fscomp_fields_are_split_on_blanks_only(
    line: str, fields: tuple[str, str, str | None]
) -> None:
    entry = potconf.FsCompEntry.parse(line)
    assert (entry.source, entry.mountpoint, entry.option) == fields
