"""The option tables' two parsers agree: click's options generated from a table and the
fast path's getopts (pot.cli.optspec.parse) give the same outcome for every combination
of upstream's option letters, errors and help included."""

from __future__ import annotations

import contextlib
import io
import itertools
from typing import cast

import click
import pytest

from pot.cli import optspec
from pot.cli.app import App
from pot.cli.main import cli
from pot.errors import QuietExit
from pot.settings import Settings

# upstream's getopts strings: share/pot/<command>.sh, pot-<command>()
GETOPTS = {
    "version": "hvq",
    "get-rss": "hvp:J",
    "last-run-stats": "hvp:",
    "list": "hvbfFapqB",
    "signal": "hvflCs:P:m:p:",
    "info": "hvqp:rB:Es",
    "get-attribute": "hvqp:A:V:",
}

# an outcome: ("ok", values, verbosity, operands), ("early", letter),
# ("error", stderr line) or ("click",) for a word the fast parse leaves to click
Outcome = tuple[object, ...]


def _letters(getopts: str) -> list[tuple[str, bool]]:
    """(letter, takes a value) for each letter of a getopts string."""
    return [(c, getopts[i + 1 : i + 2] == ":") for i, c in enumerate(getopts) if c != ":"]


def _words(getopts: str) -> list[str]:
    """The words a combination is made of: every letter alone, every value letter with
    its value attached, flag letters grouped, an unknown letter, ``--``, ``-`` and an
    operand (which is also what a value letter takes from the next word)."""
    letters = _letters(getopts)
    words = [f"-{c}" for c, _ in letters]
    words += [f"-{c}val" for c, value in letters if value]
    flags = [c for c, value in letters if not value and c != "h"]
    words += [f"-{a}{b}" for a, b in zip(flags, flags[1:] + flags[:1], strict=True)]
    if any(value for _, value in letters):
        flag = flags[0]
        value_letter = next(c for c, value in letters if value)
        words.append(f"-{flag}{value_letter}")  # a value letter ending a group
    return [*words, "-x", "--", "-", "operand", "--long"]


def _fast(name: str, argv: list[str]) -> Outcome:
    try:
        parsed = optspec.parse(optspec.TABLES[name], argv)
    except optspec.OptionError as exc:
        return ("error", str(exc))
    except optspec.Unsupported:
        return ("click",)
    if parsed.early:
        return ("early", parsed.early)
    values = dict(parsed.values)
    verbosity = 1 + cast(int, values.pop("verbose"))
    return ("ok", values, verbosity, parsed.rest)


def _click(name: str, argv: list[str]) -> Outcome:
    command = cli.get_command(None, name)
    assert command is not None
    app = App(cast(Settings, None))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ctx = command.make_context(f"pot {name}", list(argv), obj=app)
        except QuietExit:
            return ("error", err.getvalue().rstrip("\n"))
        except click.exceptions.Exit:
            if out.getvalue() == optspec_help(name):
                return ("early", "h")
            return ("early", "l")
    return ("ok", ctx.params, app.verbosity, ctx.args)


def optspec_help(name: str) -> str:
    from pot.cli.helptext import command_help

    return command_help(name)


def _combinations(getopts: str) -> list[list[str]]:
    words = _words(getopts)
    found: list[list[str]] = [[]]
    for size in (1, 2, 3):
        found += [list(c) for c in itertools.product(words, repeat=size)]
    return found


def test_the_tables_declare_upstreams_letters() -> None:
    for name, getopts in GETOPTS.items():
        declared = sorted(
            opt.letter + (":" if opt.kind == optspec.VALUE else "") for opt in optspec.TABLES[name]
        )
        upstream = sorted(c + (":" if value else "") for c, value in _letters(getopts) if c != "h")
        assert declared == upstream, name


@pytest.mark.parametrize("name", sorted(GETOPTS))
def test_click_and_the_fast_parse_agree(name: str) -> None:
    differences = []
    for argv in _combinations(GETOPTS[name]):
        fast = _fast(name, argv)
        if fast == ("click",):
            continue
        slow = _click(name, argv)
        if fast != slow:
            differences.append((argv, fast, slow))
    assert differences[:5] == []


@pytest.mark.parametrize("name", sorted(GETOPTS))
def test_an_option_error_prints_getopts_message_then_the_help(name: str) -> None:
    help_text = optspec_help(name)
    for argv, message in ((["-x"], "Illegal option -x"), (["-p"], "No arg for -p option")):
        if argv == ["-p"] and "p:" not in GETOPTS[name]:
            continue
        command = cli.get_command(None, name)
        assert command is not None
        out, err = io.StringIO(), io.StringIO()
        app = App(cast(Settings, None))
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            pytest.raises(QuietExit) as exc,
        ):
            command.make_context(f"pot {name}", argv, obj=app)
        assert (exc.value.exit_code, out.getvalue(), err.getvalue()) == (
            1,
            help_text,
            message + "\n",
        )
