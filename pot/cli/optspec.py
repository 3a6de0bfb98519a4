"""The option tables of the commands that run every second, and a getopts that reads them.

nomad-pot-driver runs ``get-rss``, ``last-run-stats``, ``ls``, ``signal``, ``info``,
``get-attr`` and ``version`` for every task, every second; loading click costs more than
their work. Each table here is the one declaration of its command's options: click's
options are generated from it (:func:`pot.cli.params.table_options`) and so is the parse
of the fast path (:func:`parse`), which loads nothing. tests/unit/test_optspec.py feeds
both every combination of upstream's getopts letters and compares the outcomes.

Upstream parses with sh's getopts: letters may be grouped (``-vJ``), a value follows its
letter in the same word or the next one, ``--`` ends the options and the first operand
stops them. What the fast parse does not understand (a word starting with ``--`` other
than ``--`` itself) it leaves to click.
"""

from __future__ import annotations

# kinds: a flag (True when given), a count (times given), a value (the last one wins)
FLAG = "flag"
COUNT = "count"
VALUE = "value"
# -v: counted, and every one raises the process's verbosity (not passed to the command)
VERBOSE = "verbose"
# signal -l: prints the signal names and exits before anything else is looked at
EAGER = "eager"

Value = str | bool | int


class Opt:
    """One option letter: its destination name, its kind and its default."""

    __slots__ = ("default", "dest", "hidden", "kind", "letter")

    def __init__(
        self, letter: str, dest: str, kind: str, default: Value = "", *, hidden: bool = False
    ) -> None:
        self.letter = letter
        self.dest = dest
        self.kind = kind
        self.default = default
        self.hidden = hidden

    def initial(self) -> Value:
        if self.kind == FLAG:
            return False
        if self.kind in (COUNT, VERBOSE):
            return 0
        return self.default


_V = Opt("v", "verbose", VERBOSE)
_Q = Opt("q", "quiet", FLAG)
_P = Opt("p", "pot", VALUE)

TABLES: dict[str, tuple[Opt, ...]] = {
    "version": (_V, _Q),
    "get-rss": (_V, _P, Opt("J", "as_json", FLAG)),
    "last-run-stats": (_V, _P),
    "list": (
        _V,
        _Q,
        Opt("p", "pots", COUNT),
        Opt("b", "bases", COUNT),
        Opt("f", "fscomps", COUNT),
        Opt("F", "flavours", COUNT),
        Opt("B", "bridges", COUNT),
        Opt("a", "everything", COUNT),
    ),
    "signal": (
        _V,
        Opt("l", "names", EAGER),
        Opt("f", "force", FLAG),
        Opt("C", "dry_run", FLAG),
        Opt("s", "signal", VALUE, "SIGINFO"),
        Opt("P", "pid", VALUE),
        Opt("m", "pattern", VALUE),
        _P,
    ),
    "info": (
        _V,
        _Q,
        _P,
        Opt("B", "bridge", VALUE),
        Opt("r", "running", FLAG),
        Opt("E", "env", FLAG),
        Opt("s", "snaps", FLAG),
    ),
    "get-attribute": (
        _V,
        _Q,
        _P,
        Opt("A", "attr", VALUE),
        # accepted and ignored, as upstream
        Opt("V", "_value", VALUE, hidden=True),
    ),
}


class OptionError(Exception):
    """getopts' complaint: ``Illegal option -x`` or ``No arg for -x option``."""


class Unsupported(Exception):
    """A word the fast parse leaves to click."""


class Parsed:
    """The outcome of :func:`parse`: the values by destination, the operands, and
    ``early``: the first of -h and an eager letter given ("" for neither), which runs
    instead of the command, as click runs the first eager option it meets.
    """

    __slots__ = ("early", "rest", "values")

    def __init__(self, values: dict[str, Value], rest: list[str]) -> None:
        self.values = values
        self.early = ""
        self.rest = rest


def parse(table: tuple[Opt, ...], argv: list[str]) -> Parsed:
    """Parse argv as the click command generated from ``table`` does (-h included)."""
    by_letter = {o.letter: o for o in table}
    parsed = Parsed({o.dest: o.initial() for o in table if o.kind != EAGER}, [])
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            i += 1
            break
        if word.startswith("--"):
            raise Unsupported(word)
        if not word.startswith("-") or word == "-":
            break
        i = _group(by_letter, parsed, argv, i)
    parsed.rest = argv[i:]
    return parsed


def _group(by_letter: dict[str, Opt], parsed: Parsed, argv: list[str], i: int) -> int:
    """Take the letters of argv[i] (and a value in argv[i + 1]); the next word's index."""
    word = argv[i]
    for j in range(1, len(word)):
        letter = word[j]
        if letter == "h":
            parsed.early = parsed.early or "h"
            continue
        opt = by_letter.get(letter)
        if opt is None:
            raise OptionError(f"Illegal option -{letter}")
        if opt.kind == VALUE:
            if j + 1 < len(word):
                parsed.values[opt.dest] = word[j + 1 :]
                return i + 1
            if i + 1 < len(argv):
                parsed.values[opt.dest] = argv[i + 1]
                return i + 2
            raise OptionError(f"No arg for -{letter} option")
        _take(opt, parsed, letter)
    return i + 1


def _take(opt: Opt, parsed: Parsed, letter: str) -> None:
    if opt.kind == FLAG:
        parsed.values[opt.dest] = True
    elif opt.kind == EAGER:
        parsed.early = parsed.early or letter
    else:
        count = parsed.values[opt.dest]
        assert isinstance(count, int)
        parsed.values[opt.dest] = count + 1
