"""The flavour interpreter: how command-file lines become ops calls (handlers recorded)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from pot.errors import PotError, UsageError
from pot.flavours import Flavour
from pot.ops import flavour
from pot.ops.flavour import Call
from pot.settings import Settings

Recorded = list[tuple[str, dict[str, tuple[str, ...]], Path]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """Replace every adapter by a recorder (same getopts strings)."""
    seen: Recorded = []

    def recorder(name: str) -> Callable[[Call], None]:
        def handler(call: Call) -> None:
            seen.append((name, dict(call.options), call.cwd))

        return handler

    table = {name: (opts, recorder(name)) for name, (opts, _h) in flavour.COMMANDS.items()}
    monkeypatch.setattr(flavour, "COMMANDS", table)
    return seen


def _apply(tmp_path: Path, text: str, *, cwd: Path | None = None) -> None:
    folder = tmp_path / "flavours"
    folder.mkdir(exist_ok=True)
    (folder / "demo").write_text(text)
    found = Flavour("demo", folder / "demo", None)
    flavour.apply(Settings(), "web", found, cwd=cwd or tmp_path)


def test_steps_in_order_with_p_last(tmp_path: Path, calls: Recorded) -> None:
    _apply(
        tmp_path,
        "set-attribute -A persistent -V NO\n"
        "set-rss -C 1 -M 64M -p other\n"
        "add-dep -P dns\n"
        "export-ports -e 80:8080 -e udp:53\n"
        'set-env -E "A=b c" -E X=1\n',
    )
    assert calls == [
        ("set-attribute", {"A": ("persistent",), "V": ("NO",), "p": ("web",)}, tmp_path),
        ("set-rss", {"C": ("1",), "M": ("64M",), "p": ("other", "web")}, tmp_path),
        ("add-dep", {"P": ("dns",), "p": ("web",)}, tmp_path),
        ("export-ports", {"e": ("80:8080", "udp:53"), "p": ("web",)}, tmp_path),
        # quotes are not interpreted: 'c"' is an operand, so getopts stops there (as sh)
        ("set-env", {"E": ('"A=b',)}, tmp_path),
    ]


def test_call_last_value_wins() -> None:
    call = Call(Settings(), {"p": ("other", "web")}, Path("/"))
    assert call.pot == "web"
    assert call.last("A") == ""
    assert not call.flag("F")


def test_invalid_lines_are_errors_and_skipped(
    tmp_path: Path, calls: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="pot")
    _apply(tmp_path, "# a comment\n\nset-attr -A a -V b\nadd-dep -P dns\n")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        "Flavor demo: line # a comment not valid - ignoring",
        "Flavor demo: line  not valid - ignoring",
        "Flavor demo: line set-attr -A a -V b not valid - ignoring",
    ]
    assert [c[0] for c in calls] == ["add-dep"]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert debug == [
        "Flavour: demo",
        "Executing demo pot commands on web",
        "No shell script available for the flavour demo",
    ]


def test_set_cmd_other_forms_fail(tmp_path: Path, calls: Recorded) -> None:
    with pytest.raises(PotError) as err:
        _apply(tmp_path, "add-dep -P dns\nset-cmd -p web ls\nset-rss -C 1\n")
    assert err.value.lines == ("In flavour only 'set-cmd -c ' is supported",)
    assert [c[0] for c in calls] == ["add-dep"]


def test_stray_operand_ends_the_options(tmp_path: Path, calls: Recorded) -> None:
    # sh's getopts stops at "extra", so the appended -p is never seen
    _apply(tmp_path, "set-attribute -A persistent extra -V NO\n")
    assert calls == [("set-attribute", {"A": ("persistent",)}, tmp_path)]


def test_missing_value_takes_the_appended_p(tmp_path: Path, calls: Recorded) -> None:
    # "-C -p web": -C takes "-p", as getopts does
    _apply(tmp_path, "set-rss -C\n")
    assert calls == [("set-rss", {"C": ("-p",)}, tmp_path)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("set-attribute -A persistent -X NO", "Illegal option -X"),
        ("set-rss -C 1 -x", "Illegal option -x"),
    ],
)
def test_bad_options(tmp_path: Path, calls: Recorded, line: str, message: str) -> None:
    with pytest.raises(PotError) as err:
        _apply(tmp_path, line + "\n")
    assert err.value.lines == (message,)
    assert calls == []


def test_copy_in_flv_runs_in_the_flavour_folder(tmp_path: Path, calls: Recorded) -> None:
    _apply(
        tmp_path,
        "copy-in -s data -d /srv\ncopy-in-flv -s demo.d/local -d /root/.local -c\n",
        cwd=tmp_path / "work",
    )
    assert calls == [
        ("copy-in", {"s": ("data",), "d": ("/srv",), "p": ("web",)}, tmp_path / "work"),
        (
            "copy-in",
            {"s": ("demo.d/local",), "d": ("/root/.local",), "c": ("",), "p": ("web",)},
            tmp_path / "flavours",
        ),
    ]


def test_globs_expand_in_the_step_folder(tmp_path: Path, calls: Recorded) -> None:
    (tmp_path / "a.conf").write_text("")
    (tmp_path / "b.conf").write_text("")
    _apply(tmp_path, "export-ports -e 8? -e *.conf\ncopy-in -s a.* -d /x\n")
    # a pattern matching nothing stays; two matches make the second one an operand
    assert calls == [
        ("export-ports", {"e": ("8?", "a.conf")}, tmp_path),
        ("copy-in", {"s": ("a.conf",), "d": ("/x",), "p": ("web",)}, tmp_path),
    ]


def test_relative_paths_from_the_step_folder() -> None:
    call = Call(Settings(), {"s": ("data",), "d": ("/abs",)}, Path("/flv"))
    assert call.path("s") == "/flv/data"
    assert call.path("d") == "/abs"
    assert call.path("x") == ""


def test_usage_errors_lose_the_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(_call: Call) -> None:
        raise UsageError("nope is not a valid attribute")

    monkeypatch.setattr(flavour, "COMMANDS", {"set-attribute": ("hvp:A:V:", fails)})
    with pytest.raises(PotError) as err:
        _apply(tmp_path, "set-attribute -A nope -V 1\n")
    assert err.value.lines == ("nope is not a valid attribute",)
    assert not err.value.usage


def test_script_found(tmp_path: Path) -> None:
    (tmp_path / "web.sh").write_text("pkg install -y nginx\n")
    found = flavour.find(Settings(etc=tmp_path / "etc"), "web", tmp_path)
    assert (found.commands, found.script) == (None, tmp_path / "web.sh")


def test_handlers_cover_the_allowed_commands() -> None:
    from pot.flavours import COMMANDS as ALLOWED

    assert set(flavour.COMMANDS) == set(ALLOWED) - {"set-cmd", "copy-in-flv"}
