from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pot import flavours
from pot.flavours import Flavour, FlavourNotFound, Step
from pot.settings import Settings

SHIPPED = Path(__file__).resolve().parents[2] / "flavours"

# One line of every kind found in the bsdpot/potluck flavour command files (and in
# their history), written by us, plus the other commands upstream allows.
POTLUCK_LIKE = """\
set-attribute -A persistent -V OFF
set-attribute -A no-rc-script -V ON
set-attribute -A enforce_statfs -V 1
set-attribute -A fdescfs -V YES
copy-in -s /usr/local/etc/pot/flavours/demo.d/local -d /root/.pot_local
copy-in -s /usr/local/etc/pot/flavours/demo.d/a.conf -d /root/a.confcopy-in -s b -d /c
copy-in-flv -s demo.d/local -d /root/.pot_local
set-cmd -c "/usr/local/bin/cook"
set-cmd -c "nginx -g 'daemon off;'"
set-cmd -c "minio server --config-dir /usr/local/etc/minio /data/"

add-dep -P dns
set-rss -C 1 -M 512M
export-ports -e 80:30000 -e udp:53
mount-in -d /srv/data -m /data
set-env -E "GREETING=hello world" -E X=1
"""


def _steps(text: str) -> list[Step]:
    return flavours.parse(text, "demo")


def test_potluck_like_lines() -> None:
    got = [(s.number, s.command, s.args, s.message, s.fatal) for s in _steps(POTLUCK_LIKE)]
    assert got == [
        (1, "set-attribute", ("-A", "persistent", "-V", "OFF"), None, False),
        (2, "set-attribute", ("-A", "no-rc-script", "-V", "ON"), None, False),
        (3, "set-attribute", ("-A", "enforce_statfs", "-V", "1"), None, False),
        (4, "set-attribute", ("-A", "fdescfs", "-V", "YES"), None, False),
        (
            5,
            "copy-in",
            ("-s", "/usr/local/etc/pot/flavours/demo.d/local", "-d", "/root/.pot_local"),
            None,
            False,
        ),
        # a line glued to the next one (a lost newline) is just more words
        (
            6,
            "copy-in",
            (
                "-s",
                "/usr/local/etc/pot/flavours/demo.d/a.conf",
                "-d",
                "/root/a.confcopy-in",
                "-s",
                "b",
                "-d",
                "/c",
            ),
            None,
            False,
        ),
        (7, "copy-in-flv", ("-s", "demo.d/local", "-d", "/root/.pot_local"), None, False),
        (8, "set-cmd", ("-c", '"/usr/local/bin/cook"'), None, False),
        (9, "set-cmd", ("-c", "\"nginx -g 'daemon off;'\""), None, False),
        (
            10,
            "set-cmd",
            ("-c", '"minio server --config-dir /usr/local/etc/minio /data/"'),
            None,
            False,
        ),
        (11, "", (), "Flavor demo: line  not valid - ignoring", False),
        (12, "add-dep", ("-P", "dns"), None, False),
        (13, "set-rss", ("-C", "1", "-M", "512M"), None, False),
        (14, "export-ports", ("-e", "80:30000", "-e", "udp:53"), None, False),
        (15, "mount-in", ("-d", "/srv/data", "-m", "/data"), None, False),
        # quotes are not interpreted: upstream expands the line unquoted
        (16, "set-env", ("-E", '"GREETING=hello', 'world"', "-E", "X=1"), None, False),
    ]


def test_empty_file_has_no_steps() -> None:
    assert _steps("") == []


def test_argv_puts_the_pot_last() -> None:
    steps = _steps("set-attribute -p other -A persistent -V NO\ncopy-in-flv -s a -d /b\n")
    assert steps[0].argv("web") == (
        "set-attribute",
        "-p",
        "other",
        "-A",
        "persistent",
        "-V",
        "NO",
        "-p",
        "web",
    )
    assert steps[1].argv("web") == ("copy-in", "-s", "a", "-d", "/b", "-p", "web")
    assert steps[1].in_flavour_dir
    assert not steps[0].in_flavour_dir


@pytest.mark.parametrize(
    "line",
    [
        "# a comment",
        "set-attr -A persistent -V NO",
        "start",
        "Set-cmd -c x",
        "copy-in-flvx -s a -d /b",
        "pkg install -y nginx",
    ],
)
def test_other_first_words_are_ignored_with_upstreams_message(line: str) -> None:
    (step,) = _steps(line + "\n")
    assert step.message == f"Flavor demo: line {line} not valid - ignoring"
    assert not step.valid
    assert not step.fatal


@pytest.mark.parametrize(
    "line",
    [
        "set-cmd",
        "set-cmd -c",
        "set-cmd -c   ",
        "set-cmd -p x y",
        "set-cmd  -c y",
        "set-cmd\t-c y",
    ],
)
def test_set_cmd_must_be_written_set_cmd_dash_c(line: str) -> None:
    (step,) = _steps(line + "\n")
    assert (step.command, step.args) == ("set-cmd", ())
    assert step.message == "In flavour only 'set-cmd -c ' is supported"
    assert step.fatal


def test_set_cmd_with_a_pot_name_as_in_the_image_guide() -> None:
    # upstream 0.16 refuses this line of the guide's own flavour; we accept it
    (step,) = _steps("set-cmd -p test -c \"nginx -g 'daemon off;'\"\n")
    assert (step.command, step.args) == ("set-cmd", ("-c", "\"nginx -g 'daemon off;'\""))
    assert step.valid


def test_set_cmd_keeps_the_rest_of_the_line_verbatim() -> None:
    (step,) = _steps("  set-cmd -c  a  'b c'\t\"d\"  \n")
    assert step.args == ("-c", " a  'b c'\t\"d\"")
    assert step.argv("p") == ("set-cmd", "-c", " a  'b c'\t\"d\"", "-p", "p")


def test_lines_are_read_like_read_r() -> None:
    steps = _steps("\t add-dep \t-P  dns\\x  \nset-attribute -A mount -V YES\r\n")
    assert steps[0].line == "add-dep \t-P  dns\\x"
    assert steps[0].args == ("-P", "dns\\x")
    # a carriage return is not blank for the shell: it stays in the last word
    assert steps[1].args == ("-A", "mount", "-V", "YES\r")


def test_last_line_without_newline_is_parsed() -> None:
    (step,) = _steps("set-cmd -c cook")
    assert step.args == ("-c", "cook")


def test_expand_globs(tmp_path: Path) -> None:
    for name in ("a.conf", "b.conf", ".hidden.conf"):
        (tmp_path / name).write_text("")
    words = ("-s", "*.conf", "-d", "/etc/[ab].conf", "x?z")
    assert flavours.expand_globs(words, tmp_path) == (
        "-s",
        "a.conf",
        "b.conf",
        "-d",
        "/etc/[ab].conf",
        "x?z",
    )


# ------------------------------------------------------------------------ look-up


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    folder = tmp_path / "etc"
    (folder / "flavours").mkdir(parents=True)
    for name in ("both", "both.sh", "cmds", "script.sh"):
        (folder / "flavours" / name).write_text("")
    (folder / "flavours" / "folder").mkdir()
    return folder


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_find_in_the_flavour_dir(etc: Path, cwd: Path) -> None:
    s = Settings(etc=etc)
    fdir = etc / "flavours"
    assert flavours.find(s, "both", cwd) == Flavour(
        "both", fdir / "both", fdir / "both.sh", str(fdir / "both.sh")
    )
    assert flavours.find(s, "cmds", cwd) == Flavour("cmds", fdir / "cmds", None)
    assert flavours.find(s, "script", cwd) == Flavour(
        "script", None, fdir / "script.sh", str(fdir / "script.sh")
    )


def test_the_current_directory_shadows_the_flavour_dir(etc: Path, cwd: Path) -> None:
    (cwd / "both").write_text("")
    (cwd / "both.sh").write_text("")
    found = flavours.find(Settings(etc=etc), "both", cwd)
    assert found == Flavour("both", cwd / "both", cwd / "both.sh", "both.sh")


def test_paths_and_script_names(etc: Path, cwd: Path, tmp_path: Path) -> None:
    s = Settings(etc=etc)
    (cwd / "sub").mkdir()
    (cwd / "sub" / "x").write_text("")
    (cwd / "sub" / "x.sh").write_text("")
    assert flavours.find(s, "sub/x", cwd) == Flavour(
        "sub/x", cwd / "sub/x", cwd / "sub/x.sh", "sub/x.sh"
    )
    # a name ending in .sh is a script only, even if a file without .sh exists
    assert flavours.find(s, "sub/x.sh", cwd) == Flavour(
        "sub/x.sh", None, cwd / "sub/x.sh", "sub/x.sh"
    )
    absolute = tmp_path / "abs"
    absolute.write_text("")
    assert flavours.find(s, str(absolute), cwd) == Flavour(str(absolute), absolute, None)


def test_not_found(etc: Path, cwd: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pot.flavours")
    with pytest.raises(FlavourNotFound) as err:
        flavours.find(Settings(etc=etc), "nothing", cwd)
    assert err.value.lines == ("Flavour nothing not found",)
    assert not err.value.usage
    assert caplog.messages == [f"Looking in the flavour dir {etc / 'flavours'}"]


def test_a_folder_is_not_a_flavour(etc: Path, cwd: Path) -> None:
    with pytest.raises(FlavourNotFound):
        flavours.find(Settings(etc=etc), "folder", cwd)


def test_without_flavour_dir_only_paths_work(tmp_path: Path, cwd: Path) -> None:
    s = Settings(etc=tmp_path / "no-etc")
    with pytest.raises(FlavourNotFound):
        flavours.find(s, "both", cwd)
    (cwd / "mine.sh").write_text("")
    assert flavours.find(s, "mine", cwd).script == cwd / "mine.sh"


# --------------------------------------------------------------- shipped flavours


def test_shipped_flavours_are_found(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "flavours").symlink_to(SHIPPED)
    s = Settings(etc=etc)
    found = {name: flavours.find(s, name, tmp_path) for name in ("dns", "slim", "fbsd-update")}
    assert found["dns"] == Flavour(
        "dns", SHIPPED / "dns", SHIPPED / "dns.sh", str(SHIPPED / "dns.sh")
    )
    assert found["slim"].commands is None
    assert found["slim"].script == SHIPPED / "slim.sh"
    assert found["fbsd-update"].commands is None
    assert found["fbsd-update"].script == SHIPPED / "fbsd-update.sh"


def test_shipped_dns_command_file() -> None:
    steps = flavours.parse((SHIPPED / "dns").read_text(), "dns")
    assert [(s.command, s.args, s.valid) for s in steps] == [
        ("set-attribute", ("-A", "start-at-boot", "-V", "YES"), True)
    ]


@pytest.mark.parametrize("script", ["dns.sh", "slim.sh", "fbsd-update.sh"])
def test_shipped_scripts_are_sh_scripts(script: str) -> None:
    assert (SHIPPED / script).read_text().startswith("#!/bin/sh\n")
