"""The customising commands end to end: a pot on real ZFS made by tests/potfactory, the
CLI as users run it, pot.conf compared as whole text with what upstream writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from golden import expected_conf
from potfactory import init_layout, single_pot
from standins.harness import Standins, run_pot

from pot.cli.helptext import help_text

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

ROOT_ERROR = "###>   This operation needs 'root' privilegies\n"


@pytest.fixture
def conf(pot_env: PotEnv, standins: Standins) -> Path:
    """pot.conf of the public-bridge single pot ``test`` (and a pot ``dns``)."""
    init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    for name, ip in (("test", "10.192.0.3"), ("dns", "10.192.0.2")):
        single_pot(
            pot_env.zfs_root,
            pot_env.fs_root,
            name,
            network_type="public-bridge",
            ip=ip,
        )
    return pot_env.fs_root / "jails" / "test" / "conf" / "pot.conf"


# create's file for this pot; its network part starts at pot.stack
CREATED = expected_conf(
    level=0,
    pot_type="single",
    base="14.1",
    hostname="test.test",
    osrelease="14.1-RELEASE",
    network="public-bridge",
    ip="10.192.0.3",
)
CREATED_HEAD = CREATED[: CREATED.index("pot.stack=")]
CREATED_NET = CREATED[len(CREATED_HEAD) :]


def test_the_seed_workflow(conf: Path) -> None:
    assert conf.read_text() == CREATED
    assert run_pot("set-cmd", "-p", "test", "-c", "nginx -g 'daemon off;'") == (0, "", "")
    assert run_pot("set-attr", "-p", "test", "-A", "no-rc-script", "-V", "ON") == (0, "", "")
    assert run_pot("set-attr", "-p", "test", "-A", "persistent", "-V", "NO") == (0, "", "")
    assert run_pot("set-rss", "-p", "test", "-C", "1") == (0, "", "")
    # upstream deletes each key's line and appends the new one at the end
    assert conf.read_text() == (
        CREATED_HEAD.replace("pot.cmd=sh /etc/rc\n", "")
        .replace("pot.attr.no-rc-script=NO\n", "")
        .replace("pot.attr.persistent=YES\n", "")
        + CREATED_NET
        + "pot.cmd=nginx -g 'daemon off;'\n"
        "pot.attr.no-rc-script=YES\n"
        "pot.attr.persistent=NO\n"
        "pot.rss.cpus=1\n"
    )
    assert run_pot("get-attr", "-p", "test", "-A", "no-rc-script") == (
        0,
        "===>  no-rc-script: YES\n",
        "",
    )
    assert run_pot("get-attr", "-p", "test", "-A", "persistent", "-q") == (0, "NO\n", "")


def test_every_command_in_one_sequence(conf: Path, tmp_path: Path) -> None:
    hook = tmp_path / "hook.sh"
    hook.write_text("#!/bin/sh\necho hi\n")
    hook.chmod(0o755)
    steps = [
        ("set-env", "-p", "test", "-E", "A=1", "-E", 'B=say "hi"'),
        ("set-hosts", "-p", "test", "-H", "db:10.0.0.5"),
        ("add-dep", "-p", "test", "-P", "dns"),
        ("export-ports", "-p", "test", "-e", "80:30000", "-e", "udp:53"),
        ("set-rss", "-p", "test", "-M", "512M", "-C", "2"),
        ("set-attribute", "-p", "test", "-A", "exec_stop", "-V", "/bin/sh /etc/rc.shutdown"),
        ("set-env", "-p", "test", "-E", "C=3"),
        ("set-hook", "-p", "test", "-s", str(hook), "-T", str(hook)),
        ("set-cmd", "-p", "test", "-c", '"/usr/local/bin/app -x"'),
        ("add-dep", "-p", "test", "-P", "dns"),
    ]
    for step in steps:
        assert run_pot(*step) == (0, "", ""), step
    assert conf.read_text() == (
        CREATED_HEAD.replace("pot.cmd=sh /etc/rc\n", "").replace("pot.attr.exec_stop=\n", "")
        + CREATED_NET
        + "pot.hosts=10.0.0.5 db\n"
        "pot.depend=dns\n"
        "pot.export.ports=80:30000 udp:53\n"
        "pot.rss.cpus=2\n"
        "pot.rss.memory=512M\n"
        "pot.attr.exec_stop=/bin/sh /etc/rc.shutdown\n"
        'pot.env="C=3"\n'
        "pot.cmd=/usr/local/bin/app -x\n"
        "pot.depend=dns\n"
    )
    hooks = conf.parent
    assert sorted(p.name for p in hooks.glob("*.sh")) == ["poststop.sh", "prestart.sh"]
    assert (hooks / "prestart.sh").read_text() == hook.read_text()


def test_get_attribute_outputs(conf: Path) -> None:
    assert run_pot("get-attribute", "-p", "test", "-A", "early-start-at-boot") == (
        0,
        "===>  The attribute early-start-at-boot is not set for the pot test\n",
        "",
    )
    assert run_pot("get-attr", "-q", "-p", "test", "-A", "early-start-at-boot") == (0, "\n", "")
    assert run_pot("get-attr", "-p", "test", "-A", "stop_timeout", "-V", "ignored")[1] == (
        "===>  stop_timeout: 10\n"
    )
    help_ = help_text("get-attribute")
    assert run_pot("get-attr", "-p", "nope", "-A", "persistent") == (
        1,
        "###>  no Pot nope not found\n###>  nope is not a valid pot\n" + help_,
        "",
    )
    assert run_pot("get-attr", "-q", "-p", "nope", "-A", "persistent") == (1, "", "")
    assert run_pot("get-attr", "-q", "-p", "test", "-A", "bad") == (
        1,
        "###>  bad is not a valid attribute\n" + help_,
        "",
    )


# ------------------------------------------------------------------------- bad input


HELPED = [
    (("set-cmd", "-p", "test"), "A command is mandatory"),
    (("set-cmd", "-c", "x"), "A pot name is mandatory"),
    (("set-attr", "-p", "test", "-A", "nosuch", "-V", "1"), "nosuch is not a valid attribute"),
    (
        ("set-attr", "-p", "test", "-A", "to-be-pruned", "-V", "YES"),
        "to-be-pruned is not a valid attribute",
    ),
    (
        ("set-attr", "-p", "test", "-A", "persistent", "-V", "maybe"),
        "value  is not a valid boolean value",
    ),
    (
        ("set-attr", "-p", "test", "-A", "children", "-V", "1k"),
        "value 1k is not a valid uint value",
    ),
    (
        ("set-attr", "-p", "test", "-A", "sysvshm", "-V", "yes"),
        "value must be one of 'new', 'inherit', 'disable'",
    ),
    (("set-attr", "-p", "test", "-V", "1"), "Option -A is mandatory"),
    (("set-attr", "-p", "test", "-A", "mount"), "Option -V is mandatory"),
    (("set-rss", "-p", "test"), "One resource has to be specified (-C or -M)"),
    (("set-rss", "-p", "test", "-M", "1T"), "1T is not a valid memory constraint"),
    (
        ("set-rss", "-p", "test", "-M", "0", "-C", "1"),
        "Memory constraint has to be greater than zero",
    ),
    (("set-env", "-p", "test", "-E", "NOVALUE"), "NOVALUE not in a valid form"),
    (("set-env", "-p", "test"), "A command is mandatory"),
    (("set-hosts", "-p", "test", "-H", "db:10.0.0"), "Submitted ip 10.0.0 is not a valid one"),
    (("set-hook", "-p", "test"), "No hooks provided - at least one hook as to be set"),
    (("add-dep", "-p", "test"), "A dependency pot is mandatory"),
    (("add-dep", "-p", "test", "-P", "test"), "a pot cannot be run time dependecy of itself"),
    (("export-ports", "-p", "test", "-e", "70000"), "70000 is not a valid port number"),
    (("export-ports", "-p", "test"), "One port has to be specified"),
]


def test_bad_input_prints_the_error_and_the_help(conf: Path) -> None:
    # one pot for all cases: each must leave pot.conf as it was
    for args, message in HELPED:
        name = {"set-attr": "set-attribute"}.get(args[0], args[0])
        extra = "###>  VARIABLE=value is accetped\n" if "NOVALUE" in args else ""
        expected = (1, f"###>  {message}\n{extra}" + help_text(name), "")
        assert run_pot(*args) == expected, args
        assert conf.read_text() == CREATED


NONEXISTENT = [
    (("set-cmd", "-p", "nope", "-c", "x"), "pot nope is not valid"),
    (("set-attribute", "-p", "nope", "-A", "mount", "-V", "1"), "nope is not a valid pot"),
    (("set-rss", "-p", "nope", "-C", "1"), "nope is not a valid pot name"),
    (("set-env", "-p", "nope", "-E", "A=1"), "pot nope is not valid"),
    (("set-hosts", "-p", "nope", "-H", "a:1.2.3.4"), "pot nope is not valid"),
    (("set-hook", "-p", "nope", "-s", "/bin/sh"), "pot nope is not valid"),
    (("add-dep", "-p", "nope", "-P", "test"), "pot nope is not valid"),
    (("add-dep", "-p", "test", "-P", "nope"), "dependency pot nope is not valid"),
    (("export-ports", "-p", "nope", "-e", "80"), "nope is not a valid pot name"),
]


def test_nonexistent_pot(conf: Path) -> None:
    for args, message in NONEXISTENT:
        expected = (1, f"###>   Pot nope not found\n###>  {message}\n" + help_text(args[0]), "")
        assert run_pot(*args) == expected, args
    assert conf.read_text() == CREATED


def test_errors_without_help(conf: Path) -> None:
    assert run_pot("set-rss", "-p", "test", "-C", "0", "-M", "1G") == (
        1,
        "###>  0 is a not valid amount of CPUs!\n",
        "",
    )
    conf.write_text(conf.read_text().replace("pot.type=single", "pot.type=multi"))
    (conf.parent / "fscomp.conf").write_text("")
    multi = conf.read_text()
    assert run_pot("set-attr", "-p", "test", "-A", "no-tmpfs", "-V", "YES") == (
        1,
        "###>  Attribute no-tmpfs is only usable with single type pot\n",
        "",
    )
    assert conf.read_text() == multi


def test_no_tmpfs_on_a_running_pot(conf: Path, standins: Standins) -> None:
    standins.fail("jls", "-j", "test", rc=0)
    assert run_pot("set-attr", "-p", "test", "-A", "no-tmpfs", "-V", "YES") == (
        1,
        "###>  pot test is still running\n",
        "",
    )
    assert conf.read_text() == CREATED
    standins.clear_calls()
    (standins.state_dir / "overrides.json").unlink()
    assert run_pot("set-attr", "-p", "test", "-A", "no-tmpfs", "-V", "yes") == (0, "", "")
    assert conf.read_text().endswith("pot.attr.no-tmpfs=YES\n")


def test_export_ports_infos(conf: Path) -> None:
    dns_conf = conf.parent.parent.parent / "dns" / "conf" / "pot.conf"
    dns_conf.write_text(dns_conf.read_text().replace("public-bridge", "alias"))
    assert run_pot("export-ports", "-p", "dns", "-e", "53") == (
        0,
        "===>  Only public-bridge and private-bridge network type can export ports - this"
        " setting will be ignored during start\n",
        "",
    )
    assert run_pot("export-ports", "-v", "-p", "test", "-e", "80")[1].endswith(
        "=====>  Exporting the following ports: 80\n"
    )


def test_root_is_checked_after_the_arguments(conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert run_pot("set-cmd", "-p", "test") == (
        1,
        "###>  A command is mandatory\n" + help_text("set-cmd"),
        "",
    )
    for args in (
        ("set-cmd", "-p", "test", "-c", "x"),
        ("set-attr", "-p", "test", "-A", "persistent", "-V", "maybe"),
        ("set-rss", "-p", "test", "-C", "1"),
        ("set-env", "-p", "test", "-E", "A=1"),
        ("set-hosts", "-p", "test"),
        ("add-dep", "-p", "test", "-P", "dns"),
        ("export-ports", "-p", "test", "-e", "80"),
    ):
        assert run_pot(*args) == (1, ROOT_ERROR, ""), args
    assert conf.read_text() == CREATED
    # get-attribute needs no root
    assert run_pot("get-attr", "-p", "test", "-A", "persistent", "-q") == (0, "YES\n", "")
