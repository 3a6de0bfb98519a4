"""Every command's option table, and a getopts that reads them.

nomad-pot-driver runs ``get-rss``, ``last-run-stats``, ``ls``, ``signal``, ``info``,
``get-attr`` and ``version`` for every task, every second, and the others around each
task's life; loading click costs more than most commands' work. Each table here is the
one declaration of its command's options: click's options are generated from it
(:func:`pot.cli.params.table_options`) and so is the parse of the fast path
(:func:`parse`, then :func:`apply`), which loads nothing. tests/unit/test_optspec.py feeds
both every combination of upstream's getopts letters and compares the outcomes.

Upstream parses with sh's getopts: letters may be grouped (``-vJ``), a value follows its
letter in the same word or the next one, ``--`` ends the options and the first operand
stops them. What the fast parse does not understand (a word starting with ``--`` other
than ``--`` itself) it leaves to click.
"""

from __future__ import annotations

# typing is not imported at run time (see pot.cli.edge)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pot.cli.app import App

# kinds: a flag (True when given), a count (times given), a value (the last one wins),
# a repeated value (all of them, in order)
FLAG = "flag"
COUNT = "count"
VALUE = "value"
MULTI = "multi"
# a letter without value that adds ``const`` to the values of the MULTI option sharing
# its destination (init's -m among -p/-f: their order on the command line is kept)
CONST = "const"
# -v: counted, and every one raises the process's verbosity (not passed to the command)
VERBOSE = "verbose"
# signal -l: prints the signal names and exits before anything else is looked at
EAGER = "eager"
# not a letter: the words after the options (start, stop, term, exec)
OPERANDS = "operands"

# a destination's value: str, bool, int, None, a tuple, or what a ``call`` returns
Value = object


class Opt:
    """One option letter: its destination name, its kind and its default.

    ``call`` names a function of the command's module, ``f(app, given)``, that checks
    (and may convert) the option's value when the option is given; ``given`` is the tuple
    of every value for VALUE and MULTI (upstream checks each one in its getopts loop),
    True for a flag. What it returns is the value the command gets. A given option
    without ``call`` gives its last value (VALUE) or all of them (MULTI).
    """

    __slots__ = ("call", "const", "default", "dest", "hidden", "kind", "letter")

    def __init__(
        self,
        letter: str,
        dest: str,
        kind: str,
        default: Value = "",
        *,
        call: str = "",
        const: str = "",
        hidden: bool = False,
    ) -> None:
        self.letter = letter
        self.dest = dest
        self.kind = kind
        self.default = default
        self.call = call
        self.const = const
        self.hidden = hidden

    def initial(self) -> Value:
        if self.kind == FLAG:
            return False
        if self.kind in (COUNT, VERBOSE):
            return 0
        if self.kind in (MULTI, CONST, OPERANDS):
            return ()
        return self.default


_V = Opt("v", "verbose", VERBOSE)
_Q = Opt("q", "quiet", FLAG)
_P = Opt("p", "pot", VALUE)
_OPERANDS = Opt("", "operands", OPERANDS)

# init's and de-init's -m among the -p/-f values: the last of -m, -p, -f chooses pf's file
PF_MINIMAL = "\0minimal"


def _new_pot(*more: Opt) -> tuple[Opt, ...]:
    """The options create and clone share (-k -p -N -B -S -i -P -d -f), checked as they
    are parsed. A value not given stays None, so that the record it goes to keeps its
    own default (create's network type and dns are "inherit", clone's "")."""
    return (
        _V,
        Opt("k", "keep", FLAG),
        Opt("p", "pot", VALUE, None, call="pot_name"),
        Opt("N", "network_type", VALUE, None, call="network_type"),
        Opt("B", "bridge", VALUE, None),
        Opt("S", "stack", VALUE, None, call="stack"),
        Opt("i", "ips", MULTI),
        Opt("P", "potbase", VALUE, None),
        Opt("d", "dns", VALUE, None, call="dns"),
        Opt("f", "flavours", MULTI, call="flavours"),
        *more,
    )


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
    "add-dep": (_V, _P, Opt("P", "dependency", VALUE)),
    "clone": _new_pot(Opt("s", "snapshot", VALUE, None), Opt("F", "autosnap", FLAG)),
    "clone-fscomp": (_V, Opt("f", "name", VALUE), Opt("F", "source", VALUE)),
    "config": (
        _V,
        Opt("q", "quiet", FLAG, call="note_quiet"),
        Opt("g", "name", VALUE, call="check_names"),
    ),
    "copy-in": (
        _V,
        _P,
        Opt("s", "source", VALUE),
        Opt("d", "destination", VALUE),
        Opt("F", "force", FLAG),
        Opt("c", "create_dirs", FLAG),
    ),
    "copy-out": (
        _V,
        _P,
        Opt("s", "source", VALUE),
        Opt("d", "destination", VALUE),
        Opt("F", "force", FLAG),
    ),
    "create": _new_pot(
        Opt("t", "pot_type", VALUE, None, call="pot_type"),
        Opt("l", "level", VALUE, None),
        Opt("b", "base", VALUE),
    ),
    "create-base": (
        _V,
        Opt("r", "rel", VALUE, call="check_releases"),
        Opt("b", "name", VALUE, call="check_names"),
    ),
    "create-fscomp": (_V, Opt("f", "name", VALUE)),
    "create-private-bridge": (_V, Opt("B", "name", VALUE), Opt("S", "size", VALUE)),
    "de-init": (
        _V,
        Opt("f", "force", FLAG),
        Opt("p", "pf", MULTI),
        Opt("m", "pf", CONST, const=PF_MINIMAL),
    ),
    "destroy": (
        _V,
        Opt("q", "quiet", FLAG, call="quiet"),
        Opt("F", "force", FLAG),
        Opt("r", "recursive", FLAG),
        _P,
        Opt("b", "base", VALUE),
        Opt("f", "fscomp", VALUE),
        Opt("B", "bridge", VALUE),
    ),
    "exec": (
        _V,
        Opt("d", "detach", FLAG),
        Opt("t", "tty", FLAG),
        Opt("e", "env", MULTI, call="env"),
        Opt("u", "host_user", VALUE),
        Opt("U", "pot_user", VALUE),
        _P,
        Opt("", "cmd", OPERANDS),
    ),
    "export": (
        _V,
        Opt("c", "check_tag", FLAG),
        _P,
        Opt("t", "tag", VALUE),
        Opt("D", "directory", VALUE, ".", call="directory"),
        Opt("l", "level", VALUE, 6, call="level"),
        Opt("F", "force", FLAG),
        Opt("A", "auto_fix", FLAG),
        Opt("S", "seckey", VALUE),
    ),
    "export-ports": (_V, _P, Opt("e", "ports", MULTI, call="ports")),
    "import": (
        _V,
        Opt("p", "pot", VALUE, None),
        Opt("t", "tag", VALUE, None),
        Opt("U", "url", VALUE, None, call="url"),
        Opt("C", "pubkey", VALUE, None),
    ),
    "init": (
        _V,
        Opt("p", "pf", MULTI),
        Opt("f", "pf", MULTI),
        Opt("m", "pf", CONST, const=PF_MINIMAL),
        Opt("s", "keep_syslog", FLAG),
    ),
    "mount-in": (
        _V,
        _P,
        Opt("f", "fscomp", VALUE),
        Opt("d", "directory", VALUE),
        Opt("z", "dataset", VALUE),
        Opt("m", "mountpoint", VALUE),
        Opt("w", "remount", FLAG),
        Opt("r", "readonly", FLAG),
    ),
    "mount-out": (_V, _P, Opt("m", "mountpoint", VALUE)),
    "prepare": (
        _V,
        _P,
        # not checked here: an empty -U is refused by the nested import, as upstream
        Opt("U", "url", VALUE, None),
        Opt("t", "tag", VALUE),
        Opt("c", "cmd", VALUE),
        Opt("e", "ports", MULTI, call="ports"),
        Opt("a", "allocation", VALUE),
        Opt("n", "name", VALUE),
        Opt("s", "start", FLAG),
        Opt("N", "network_type", VALUE, call="network_type"),
        Opt("i", "ips", MULTI),
        Opt("B", "bridge", VALUE),
        Opt("S", "stack", VALUE, call="stack"),
        Opt("d", "dns", VALUE, call="dns"),
        Opt("C", "pubkey", VALUE, None),
    ),
    "prune": (_V, _Q, Opt("g", "grace", FLAG), Opt("n", "dry_run", FLAG)),
    "ps": (_V, _Q),
    "purge-snapshots": (
        _V,
        Opt("p", "pots", MULTI),
        Opt("f", "fscomps", MULTI),
        Opt("a", "everything", FLAG),
    ),
    "rename": (_V, Opt("p", "old", VALUE), Opt("n", "new", VALUE)),
    "revert": (_V, Opt("p", "pots", MULTI), Opt("f", "fscomps", MULTI)),
    "set-attribute": (_V, _P, Opt("A", "attr", VALUE), Opt("V", "value", VALUE)),
    "set-cmd": (_V, _P, Opt("c", "cmd", VALUE)),
    "set-env": (_V, _P, Opt("E", "env", MULTI)),
    "set-hook": (
        _V,
        _P,
        Opt("s", "prestart", MULTI),
        Opt("S", "poststart", MULTI),
        Opt("t", "prestop", MULTI),
        Opt("T", "poststop", MULTI),
    ),
    "set-hosts": (_V, _P, Opt("H", "hosts", MULTI)),
    "set-rss": (_V, _P, Opt("C", "cpus", VALUE), Opt("M", "memory", VALUE, call="memory")),
    "set-status": (_V, _P, Opt("i", "interfaces", VALUE), Opt("s", "new", VALUE)),
    "show": (_V, _Q, _P, Opt("a", "all_pots", FLAG), Opt("r", "running", FLAG)),
    "snapshot": (
        _V,
        Opt("r", "replace", FLAG),
        Opt("p", "pots", MULTI),
        Opt("f", "fscomps", MULTI),
    ),
    "start": (_V, Opt("s", "snap", FLAG), Opt("S", "full", FLAG), _P, _OPERANDS),
    "stop": (_V, _P, Opt("i", "interfaces", VALUE), Opt("s", "from_start", FLAG), _OPERANDS),
    "term": (_V, Opt("f", "force", FLAG), _P, _OPERANDS),
    # upstream's top has no -v
    "top": (_P,),
    "update-config": (_V, _P, Opt("a", "every", FLAG)),
    "vnet-start": (_V, Opt("B", "bridge", VALUE)),
}

# upstream logs these commands' arguments to syslog (local0.debug) before parsing them
LOGS_ARGV = frozenset({"mount-in", "mount-out"})
# upstream's vnet-start breaks out of its getopts loop at a bad option instead of failing:
# getopts complains on stderr and the command goes on with what it has read
BREAKS = frozenset({"vnet-start"})


class OptionError(Exception):
    """getopts' complaint: ``Illegal option -x`` or ``No arg for -x option``."""


class Unsupported(Exception):
    """A word the fast parse leaves to click."""


class Parsed:
    """The outcome of :func:`parse`.

    ``values``: every destination's value before the checks (:func:`apply` runs them);
    ``given``: the options given, in the order of their first appearance, which is the
    order click runs their callbacks in; ``raw``: the words given to each VALUE and MULTI
    destination; ``rest``: the words after the options (empty when the table takes them
    as OPERANDS); ``early``: the first of -h and an eager letter given ("" for neither),
    which runs instead of the command, as click runs the first eager option it meets;
    ``complaint``: the getopts message a breaking command (``BREAKS``) stopped at.
    """

    __slots__ = ("complaint", "early", "given", "raw", "rest", "values")

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values
        self.given: list[Opt] = []
        self.raw: dict[str, list[str]] = {}
        self.early = ""
        self.rest: list[str] = []
        self.complaint = ""


def parse(table: tuple[Opt, ...], argv: list[str], *, breaks: bool = False) -> Parsed:
    """Parse argv as the click command generated from ``table`` does (-h included).

    With ``breaks`` an option error ends the options instead of failing: what was read
    before it is kept, the rest is dropped, and the message is in ``complaint``.
    """
    by_letter = {o.letter: o for o in table if o.letter}
    parsed = Parsed({o.dest: o.initial() for o in table if o.kind != EAGER})
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
        try:
            i = _group(by_letter, parsed, argv, i)
        except OptionError as exc:
            if not breaks:
                raise
            parsed.complaint = str(exc)
            return parsed
    # a breaking command ignores its operands
    rest = [] if breaks else argv[i:]
    operands = next((o for o in table if o.kind == OPERANDS), None)
    if operands is None:
        parsed.rest = rest
    else:
        parsed.values[operands.dest] = tuple(rest)
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
        if opt.kind in (VALUE, MULTI):
            if j + 1 < len(word):
                _take_value(opt, parsed, word[j + 1 :])
                return i + 1
            if i + 1 < len(argv):
                _take_value(opt, parsed, argv[i + 1])
                return i + 2
            raise OptionError(f"No arg for -{letter} option")
        _take(opt, parsed, letter)
    return i + 1


def _seen(opt: Opt, parsed: Parsed) -> None:
    if opt not in parsed.given:
        parsed.given.append(opt)


def _take_value(opt: Opt, parsed: Parsed, value: str) -> None:
    _seen(opt, parsed)
    raw = parsed.raw.setdefault(opt.dest, [])
    raw.append(value)
    parsed.values[opt.dest] = value if opt.kind == VALUE else tuple(raw)


def _take(opt: Opt, parsed: Parsed, letter: str) -> None:
    if opt.kind == EAGER:
        parsed.early = parsed.early or letter
        return
    _seen(opt, parsed)
    if opt.kind == FLAG:
        parsed.values[opt.dest] = True
    elif opt.kind == CONST:
        raw = parsed.raw.setdefault(opt.dest, [])
        raw.append(opt.const)
        parsed.values[opt.dest] = tuple(raw)
    else:
        count = parsed.values[opt.dest]
        assert isinstance(count, int)
        parsed.values[opt.dest] = count + 1


def apply(parsed: Parsed, app: App, module: object) -> dict[str, object]:
    """The values the command runs with: -v counted into the app's verbosity and every
    given option's ``call`` run, in the order click runs its callbacks."""
    values = dict(parsed.values)
    for opt in parsed.given:
        if opt.kind == VERBOSE:
            count = values[opt.dest]
            assert isinstance(count, int)
            app.verbose(count)
        elif opt.call:
            given = tuple(parsed.raw[opt.dest]) if opt.dest in parsed.raw else values[opt.dest]
            values[opt.dest] = getattr(module, opt.call)(app, given)
    values.pop("verbose", None)
    return values
