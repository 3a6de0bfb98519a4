"""The bootstrap script of a flavour, run for real in the started pot (stand-ins + zfs-fuse)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from standins.harness import Standins

from pot import flavours
from pot.errors import PotError
from pot.ops import flavour

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

NGINX_TEST = """\
set-cmd -p test -c "nginx -g 'daemon off;'"
set-attribute -p test -A no-rc-script -V YES
set-attribute -p test -A persistent -V NO
set-rss -C 1
"""
SCRIPT = '#!/bin/sh\necho "bootstrap of $1" > /root/bootstrapped\n'


@pytest.fixture
def host(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> PotEnv:
    return potfactory.setup_host(pot_env, standins, tmp_path)


def _flavour(env: PotEnv, script: str) -> flavours.Flavour:
    (env.etc / "flavours" / "nginx-test").write_text(NGINX_TEST)
    (env.etc / "flavours" / "nginx-test.sh").write_text(script)
    return flavour.find(env.settings(), "nginx-test", env.etc)


def test_script_runs_in_the_pot_and_conf_equals_manual(host: PotEnv, standins: Standins) -> None:
    test = potfactory.make_pot(host, "test", network_type="public-bridge", ip="10.192.0.3")
    manual = potfactory.make_pot(host, "manual", network_type="public-bridge", ip="10.192.0.3")
    for step in (
        ("set-cmd", "-p", "manual", "-c", "nginx -g 'daemon off;'"),
        ("set-attr", "-p", "manual", "-A", "no-rc-script", "-V", "ON"),
        ("set-attr", "-p", "manual", "-A", "persistent", "-V", "NO"),
        ("set-rss", "-p", "manual", "-C", "1"),
    ):
        assert standins.run_pot(*step)[0] == 0
    flavour.apply(host.settings(), "test", _flavour(host, SCRIPT), cwd=host.etc)
    assert (test / "m" / "root" / "bootstrapped").read_text() == "bootstrap of test\n"
    manual_conf = (manual / "conf" / "pot.conf").read_text()
    expected = manual_conf.replace("manual.test", "test.test").replace("manual", "test")
    # the same lines; persistent=NO comes last because it is set back after the script
    # (upstream's set-attribute moves the line the same way)
    lines = (test / "conf" / "pot.conf").read_text().splitlines()
    assert sorted(lines) == sorted(expected.splitlines())
    assert lines[-2:] == ["pot.rss.cpus=1", "pot.attr.persistent=NO"]
    assert standins.jails() == {}
    assert standins.mounts() == []
    assert potfactory.status_text(host, "test") == "pot.status=stopped,\n"


def test_failing_script_fails_and_stops(host: PotEnv, standins: Standins) -> None:
    test = potfactory.make_pot(host, "test", network_type="public-bridge", ip="10.192.0.3")
    with pytest.raises(PotError) as err:
        flavour.apply(host.settings(), "test", _flavour(host, "#!/bin/sh\nexit 2\n"), cwd=Path())
    assert err.value.lines == ("create: flavour nginx-test failed (script)",)
    assert standins.jails() == {}
    assert standins.mounts() == []
    assert [n for n in standins.interfaces() if n.startswith(("epair", "p4"))] == []
    assert "pot.attr.persistent=YES" in (test / "conf" / "pot.conf").read_text()
