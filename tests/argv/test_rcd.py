"""etc/rc.d/pot and etc/rc.d/pot_early, installed by etc/install.sh, run on Linux with a
small stand-in for FreeBSD's /etc/rc.subr and a fake pot that records its argv.

Behaviour as upstream's boot scripts: `pot ls -q`, then per pot `pot get-attr -p NAME -A
ATTR -q` and, when it prints YES, `pot start|stop NAME`, in the order of the listing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from installed import REPO, SYSTEM_PATH, install

# just what the scripts use: load_rc_config reads $RC_CONF, run_rc_command runs
# ${verb}_cmd when the rcvar is YES (as rc.subr, without rc.subr's checks)
RC_SUBR = """\
load_rc_config()
{
	[ -r "$RC_CONF" ] && . "$RC_CONF"
	return 0
}

checkyesno()
{
	eval "_value=\\${$1}"
	case $_value in
	[Yy][Ee][Ss] | [Tt][Rr][Uu][Ee] | [Oo][Nn] | 1) return 0 ;;
	*) return 1 ;;
	esac
}

run_rc_command()
{
	checkyesno "$rcvar" || return 0
	eval "_cmd=\\${$1_cmd}"
	[ -n "$_cmd" ] || { echo "rc.subr stand-in: no $1_cmd" >&2; return 1; }
	$_cmd
}
"""

# ls -q lists $POTS; get-attr prints $ATTRS/<pot>.<attr> or NO; info -qrp succeeds for
# the pots in $RUNNING
FAKE_POT = """\
#!/bin/sh
echo "$*" >> "$POT_LOG"
case $1 in
ls) printf '%s\\n' $POTS ;;
get-attr) cat "$ATTRS/$3.$5" 2>/dev/null || echo NO ;;
info) case " $RUNNING " in *" $3 "*) exit 0 ;; esac; exit 1 ;;
esac
exit 0
"""

POTS = "web db misc app"
# web and app at boot, db early
ATTRS = {"web.start-at-boot": "YES", "app.start-at-boot": "YES", "db.early-start-at-boot": "YES"}


class Host:
    """An installation whose bin/pot is the fake, its boot scripts and a log."""

    def __init__(self, tmp_path: Path) -> None:
        self.prefix = tmp_path / "prefix"
        install(self.prefix, "/bin/true")
        pot = self.prefix / "bin" / "pot"
        pot.write_text(FAKE_POT)
        self.log = tmp_path / "pot.log"
        self.attrs = tmp_path / "attrs"
        self.attrs.mkdir()
        for name, value in ATTRS.items():
            (self.attrs / name).write_text(value + "\n")
        self.rc_conf = tmp_path / "rc.conf"
        self.rc_conf.write_text('pot_enable="YES"\npot_restart_delay=0\n')
        self.rc_subr = tmp_path / "rc.subr"
        self.rc_subr.write_text(RC_SUBR)

    def script(self, name: str) -> Path:
        return self.prefix / "etc" / "rc.d" / name

    def run(self, name: str, verb: str, running: str = "") -> tuple[int, str, list[str]]:
        """Run the boot script (with our rc.subr); exit status, stdout, pot calls."""
        text = self.script(name).read_text()
        assert text.count(". /etc/rc.subr\n") == 1
        runnable = self.prefix / f"{name}.test"
        runnable.write_text(text.replace(". /etc/rc.subr\n", f". {self.rc_subr}\n"))
        env = {
            "PATH": SYSTEM_PATH,
            "RC_CONF": str(self.rc_conf),
            "POT_LOG": str(self.log),
            "POTS": POTS,
            "ATTRS": str(self.attrs),
            "RUNNING": running,
        }
        self.log.unlink(missing_ok=True)
        done = subprocess.run(
            ["sh", str(runnable), verb], env=env, capture_output=True, text=True, check=False
        )
        assert done.stderr == ""
        calls = self.log.read_text().splitlines() if self.log.exists() else []
        return done.returncode, done.stdout, calls


@pytest.fixture
def host(tmp_path: Path) -> Host:
    return Host(tmp_path)


def _listing(attr: str, acted: dict[str, str]) -> list[str]:
    """ls -q, then for each pot its get-attr and, where given, the action."""
    calls = ["ls -q"]
    for name in POTS.split():
        calls.append(f"get-attr -p {name} -A {attr} -q")
        if name in acted:
            calls.append(f"{acted[name]} {name}")
    return calls


BOOT = {"web": "start", "app": "start"}
EARLY = {"db": "start"}


def test_pot_starts_the_start_at_boot_pots_in_listing_order(host: Host) -> None:
    assert host.run("pot", "start") == (0, "", _listing("start-at-boot", BOOT))


def test_pot_stops_them(host: Host) -> None:
    stops = {name: "stop" for name in BOOT}
    assert host.run("pot", "stop") == (0, "", _listing("start-at-boot", stops))


def test_pot_early_starts_and_stops_the_early_pots(host: Host) -> None:
    assert host.run("pot_early", "start") == (0, "", _listing("early-start-at-boot", EARLY))
    stops = {"db": "stop"}
    assert host.run("pot_early", "stop") == (0, "", _listing("early-start-at-boot", stops))


def test_pot_restart_stops_both_kinds_then_starts_early_ones_first(host: Host) -> None:
    code, out, calls = host.run("pot", "restart")
    assert (code, out) == (0, "")
    assert calls == (
        _listing("start-at-boot", {"web": "stop", "app": "stop"})
        + _listing("early-start-at-boot", {"db": "stop"})
        + _listing("early-start-at-boot", EARLY)
        + _listing("start-at-boot", BOOT)
    )


def test_pot_status_reports_the_boot_pots(host: Host) -> None:
    code, out, calls = host.run("pot", "status", running="web db")
    assert code == 0
    assert out == ("pot web is up and running\npot db is up and running\npot app is not running\n")
    assert calls == [
        "ls -q",
        "get-attr -p web -A early-start-at-boot -q",
        "get-attr -p web -A start-at-boot -q",
        "info -qrp web",
        "get-attr -p db -A early-start-at-boot -q",
        "info -qrp db",
        "get-attr -p misc -A early-start-at-boot -q",
        "get-attr -p misc -A start-at-boot -q",
        "get-attr -p app -A early-start-at-boot -q",
        "get-attr -p app -A start-at-boot -q",
        "info -qrp app",
    ]


@pytest.mark.parametrize("name", ["pot", "pot_early"])
def test_nothing_runs_unless_pot_enable_is_yes(host: Host, name: str) -> None:
    host.rc_conf.write_text("")
    assert host.run(name, "start") == (0, "", [])
    host.rc_conf.write_text('pot_enable="NO"\n')
    assert host.run(name, "stop") == (0, "", [])


def test_no_boot_attribute_no_start(host: Host) -> None:
    (host.attrs / "web.start-at-boot").unlink()
    (host.attrs / "app.start-at-boot").unlink()
    assert host.run("pot", "start") == (0, "", _listing("start-at-boot", {}))


# rcorder(8) reads these lines: the same as upstream's, so the boot order is the same
HEADERS = {
    "pot": [
        "# PROVIDE: pot",
        "# REQUIRE: NETWORKING LOGIN FILESYSTEM",
        "# BEFORE: securelevel",
        "# KEYWORD: shutdown nojail",
    ],
    "pot_early": [
        "# PROVIDE: pot_early",
        "# REQUIRE: NETWORKING syslogd pf",
        "# BEFORE: ntpdate",
        "# KEYWORD: shutdown nojail",
    ],
}


@pytest.mark.parametrize("name", ["pot", "pot_early"])
def test_installed_scripts_carry_upstreams_rcorder_lines_and_the_prefix(
    host: Host, name: str
) -> None:
    script = host.script(name)
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/bin/sh"
    assert [
        line
        for line in lines
        if line.split(":")[0] in {"# PROVIDE", "# REQUIRE", "# BEFORE", "# KEYWORD"}
    ] == HEADERS[name]
    assert f'name="{name}"' in lines
    assert "rcvar=pot_enable" in lines
    assert f"pot_cmd={host.prefix}/bin/pot" in lines
    assert "%%PREFIX%%" not in script.read_text()
    assert "%%PREFIX%%" in (REPO / "etc" / "rc.d" / name).read_text()
    assert script.stat().st_mode & 0o777 == 0o755


def test_scripts_are_valid_sh(host: Host) -> None:
    for name in ("pot", "pot_early"):
        done = subprocess.run(
            ["sh", "-n", str(host.script(name))], capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stderr) == (0, "")
