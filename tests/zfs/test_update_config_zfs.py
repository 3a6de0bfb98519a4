"""update-config on real ZFS: old pot.conf keys converted, missing defaults appended."""

from __future__ import annotations

from pathlib import Path

import pytest
from potcli import PotCli

from pot.cli.helptext import HELP

pytestmark = pytest.mark.zfs

# a pot.conf of an old pot (before network_type, dns, the newer attributes)
OLD_CONF = (
    "pot.level=0\n"
    "pot.type=single\n"
    "pot.base=12.1\n"
    "host.hostname=old.test\n"
    'osrelease="12.1-RELEASE"\n'
    "ip4=10.192.0.9\n"
    "vnet=true\n"
    "pot.export.static.ports=80 443\n"
    "pot.export.ports=8080:80\n"
    "pot.rss.cpuset=0,1\n"
    "pot.attr.exec_stop=\n"
)
ADDED = (
    "pot.dns=inherit\n"
    "pot.cmd=sh /etc/rc\n"
    "pot.attr.no-rc-script=NO\n"
    "pot.attr.persistent=YES\n"
    "pot.attr.start-at-boot=NO\n"
    "pot.attr.early-start-at-boot=NO\n"
    "pot.attr.enforce_statfs=2\n"
    "pot.attr.mount=NO\n"
    "pot.attr.fdescfs=NO\n"
    "pot.attr.linprocfs=NO\n"
    "pot.attr.nullfs=NO\n"
    "pot.attr.procfs=NO\n"
    "pot.attr.tmpfs=NO\n"
    "pot.attr.zfs=NO\n"
    "pot.attr.raw_sockets=NO\n"
    "pot.attr.sysvshm=new\n"
    "pot.attr.sysvsem=new\n"
    "pot.attr.sysvmsg=new\n"
    "pot.attr.children=0\n"
    "pot.attr.mlock=NO\n"
    "pot.attr.devfs_ruleset=4\n"
    "pot.attr.stop_timeout=10\n"
    "pot.attr.prunable=NO\n"
    "pot.attr.localhost-tunnel=NO\n"
    "pot.attr.no-tmpfs=NO\n"
    "pot.attr.no-etc-hosts=NO\n"
)


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    return pot_cli


def old_pot(env: PotCli, name: str) -> Path:
    folder = env.single(name)
    (folder / "conf" / "pot.conf").write_text(OLD_CONF)
    root = env.fs_root / "jails" / name / "m"
    (folder / "conf" / "fscomp.conf").write_text(f"/data {root}/srv ro\n")
    return folder


def test_an_old_pot_is_converted_and_completed(env: PotCli) -> None:
    folder = old_pot(env, "old")
    code, out, err = env.run("update-config", "-p", "old")
    assert (code, err) == (0, "")
    assert out == (
        "===>  Removing cpuset rss allocation: 0,1\n"
        "===>  rss.cpuset has been deprecated; please use the more generic rss.cpus\n"
    )
    kept = "".join(
        line + "\n"
        for line in OLD_CONF.splitlines()
        if not line.startswith(("ip4=", "pot.export.", "pot.rss.cpuset="))
    )
    assert (folder / "conf" / "pot.conf").read_text() == (
        kept
        + ADDED
        + "pot.export.ports=8080:80 80:80 443:443\n"
        + "network_type=public-bridge\n"
        + "ip=10.192.0.9\n"
    )
    assert (folder / "conf" / "fscomp.conf").read_text() == "/data /srv ro\n"
    # a second run changes nothing (upstream appended the misspelt early-start key again)
    assert env.run("update-config", "-p", "old") == (0, "", "")
    assert (folder / "conf" / "pot.conf").read_text().count("early-start-at-boot") == 1


def test_alias_and_inherit_conversions(env: PotCli) -> None:
    alias = old_pot(env, "al")
    text = OLD_CONF.replace("vnet=true", "vnet=false").replace("pot.rss.cpuset=0,1\n", "")
    (alias / "conf" / "pot.conf").write_text(text)
    inherit = old_pot(env, "inh")
    (inherit / "conf" / "pot.conf").write_text("pot.type=single\nip4=inherit\n")
    assert env.run("update-config", "-a") == (0, "", "")
    assert (alias / "conf" / "pot.conf").read_text().endswith("network_type=alias\nip=10.192.0.9\n")
    lines = (inherit / "conf" / "pot.conf").read_text().splitlines()
    assert "network_type=inherit" in lines
    assert not any(line.startswith(("ip4=", "ip=")) for line in lines)


def test_an_up_to_date_pot_is_left_byte_for_byte(env: PotCli) -> None:
    folder = env.single("web")
    env.run("update-config", "-p", "web")
    before = (folder / "conf" / "pot.conf").read_bytes()
    assert env.run("update-config", "-p", "web") == (0, "", "")
    assert (folder / "conf" / "pot.conf").read_bytes() == before


def test_refusals(env: PotCli) -> None:
    assert env.run("update-config") == (
        1,
        "###>  A pot name or -a are mandatory\n" + HELP["update-config"],
        "",
    )
    code, out, _ = env.run("update-config", "-p", "nope")
    assert code == 1
    assert out.splitlines()[-1] == "###>  Invalid pot name"
