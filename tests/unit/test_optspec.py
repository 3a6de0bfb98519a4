"""The option tables' two parsers agree: click's options generated from a table and the
fast path's getopts (pot.cli.optspec.parse) give the same outcome for every combination
of upstream's option letters, errors and help included."""

from __future__ import annotations

import contextlib
import importlib
import io
import itertools
from pathlib import Path

import click
import pytest

from pot.cli import optspec
from pot.cli.app import App
from pot.cli.helptext import help_text
from pot.cli.main import COMMANDS, cli, module_name
from pot.errors import PotError, QuietExit
from pot.settings import DEFAULTS, Settings

# upstream's getopts strings: share/pot/<command>.sh, pot-<command>()
GETOPTS = {
    "add-dep": "hvp:P:",
    "clone": "hvp:i:P:FN:B:S:f:ks:d:",
    "clone-fscomp": "hvf:F:",
    "config": "hvqg:",
    "copy-in": "hvs:d:p:Fc",
    "copy-out": "hvs:d:p:F",
    "create": "hvp:t:N:i:l:b:f:P:d:B:S:k",
    "create-base": "hr:b:v",
    "create-fscomp": "hvf:",
    "create-private-bridge": "hvB:S:",
    "de-init": "fhmvp:",
    "destroy": "hvrf:p:b:FB:q",
    "exec": "hvdtp:e:u:U:",
    "export": "hvcp:t:D:l:FAS:",
    "export-ports": "hvp:e:",
    "get-attribute": "hvqp:A:V:",
    "get-rss": "hvp:J",
    "import": "hvp:t:U:C:",
    "info": "hvqp:rB:Es",
    "init": "hmsvf:p:",
    "last-run-stats": "hvp:",
    "list": "hvbfFapqB",
    "mount-in": "hvf:d:z:p:m:wr",
    "mount-out": "hvp:m:",
    "prepare": "hvp:U:t:c:e:a:n:sN:i:B:S:d:C:",
    "prune": "hvqgn",
    "ps": "hvq",
    "purge-snapshots": "hvp:f:a",
    "rename": "hvp:n:",
    "revert": "hvp:f:",
    "set-attribute": "hvp:A:V:",
    "set-cmd": "hvp:c:",
    "set-env": "hvp:E:",
    "set-hook": "hvp:s:S:t:T:",
    "set-hosts": "hvp:H:",
    "set-rss": "hvp:C:M:",
    "set-status": "hvp:i:s:",
    "show": "hvp:arq",
    "signal": "hvflCs:P:m:p:",
    "snapshot": "hvp:f:r",
    "start": "hvsSp:",
    "stop": "hvp:i:s",
    "term": "hvfp:",
    "top": "hp:",
    "update-config": "hvp:a",
    "version": "hvq",
    "vnet-start": "hvB:",
}

# an outcome: ("ok", values, verbosity, operands), ("early", letter), ("error", stderr
# line) for getopts' complaint or a quiet failure, ("raised", lines) for an option's
# check that failed, or ("click",) for a word the fast parse leaves to click
Outcome = tuple[object, ...]
# more words than this: the combinations of three words are a fixed sample
_FULL_THREES = 16


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
    if flags and any(value for _, value in letters):
        flag = flags[0]
        value_letter = next(c for c, value in letters if value)
        words.append(f"-{flag}{value_letter}")  # a value letter ending a group
    return [*words, "-x", "--", "-", "operand", "--long"]


def _app() -> App:
    return App(Settings(Path("/nonexistent/pot-etc"), dict(DEFAULTS)))


def _fast(name: str, argv: list[str]) -> Outcome:
    """What pot.cli.edge does with argv, up to the command's ``run``."""
    out, err = io.StringIO(), io.StringIO()
    app = _app()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            parsed = optspec.parse(optspec.TABLES[name], argv, breaks=name in optspec.BREAKS)
        except optspec.OptionError as exc:
            return ("error", str(exc))
        except optspec.Unsupported:
            return ("click",)
        if parsed.early:
            return ("early", parsed.early)
        module = importlib.import_module(module_name(name))
        try:
            values = optspec.apply(parsed, app, module)
        except QuietExit:
            return ("error", "")
        except PotError as exc:
            return ("raised", exc.lines)
    return ("ok", values, app.verbosity, parsed.rest, parsed.complaint)


def _click(name: str, argv: list[str]) -> Outcome:
    command = cli.get_command(None, name)
    assert command is not None
    app = _app()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ctx = command.make_context(f"pot {name}", list(argv), obj=app)
        except QuietExit:
            return ("error", err.getvalue().rstrip("\n"))
        except PotError as exc:
            return ("raised", exc.lines)
        except click.exceptions.Exit:
            return ("early", "h" if out.getvalue() == _help(name, app) else "l")
    # a breaking command's complaint is on stderr
    return ("ok", ctx.params, app.verbosity, ctx.args, err.getvalue().rstrip("\n"))


def _help(name: str, app: App) -> str:
    return help_text(name, app.settings)


def optspec_help(name: str) -> str:
    from pot.cli.helptext import command_help

    return command_help(name)


def _combinations(getopts: str) -> list[list[str]]:
    """Every combination of one and two words, and of three: all of them, or for the
    commands with many letters every 7th (each word still starts, ends and follows
    every other in some of them)."""
    words = _words(getopts)
    found: list[list[str]] = [[]]
    for size in (1, 2):
        found += [list(c) for c in itertools.product(words, repeat=size)]
    threes = [list(c) for c in itertools.product(words, repeat=3)]
    return found + (threes if len(words) <= _FULL_THREES else threes[::7])


def test_every_command_has_a_table_and_upstreams_letters() -> None:
    assert sorted(optspec.TABLES) == sorted(set(COMMANDS) - {"promote"}) == sorted(GETOPTS)
    for name, getopts in GETOPTS.items():
        declared = sorted(
            opt.letter + (":" if opt.kind in (optspec.VALUE, optspec.MULTI) else "")
            for opt in optspec.TABLES[name]
            if opt.kind != optspec.OPERANDS
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


@pytest.mark.parametrize("name", sorted(set(GETOPTS) - optspec.BREAKS))
def test_an_option_error_prints_getopts_message_then_the_help(name: str) -> None:
    help_text = optspec_help(name)
    for argv, message in ((["-x"], "Illegal option -x"), (["-p"], "No arg for -p option")):
        if argv == ["-p"] and "p:" not in GETOPTS[name]:
            continue
        command = cli.get_command(None, name)
        assert command is not None
        out, err = io.StringIO(), io.StringIO()
        app = _app()
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
