"""pot config: print one item of the framework configuration."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.output import echo
from pot.errors import PotError, QuietExit, UsageError, worded
from pot.ops import config

# -g's check is silenced by a -q that came before it on the command line, which is
# upstream's getopts behaviour (a -q after a bad -g is too late to silence it): -q's
# check is run first then, and it notes that it was seen
_QUIET_SEEN = "config -q"


def note_quiet(app: App, value: bool) -> bool:
    app.notes.add(_QUIET_SEEN)
    return value


def check_names(app: App, names: tuple[str, ...]) -> str:
    """Validate every -g as upstream's getopts loop does, in order; the last one wins."""
    for name in names:
        try:
            config.check_name(name)
        except PotError:
            if _QUIET_SEEN in app.notes:
                raise QuietExit(1) from None
            raise
    return names[-1]


def run(app: App, quiet: bool, name: str) -> None:
    """Options: pot.cli.optspec.TABLES["config"]."""
    if not name:
        if quiet:
            raise QuietExit(1)
        raise UsageError(worded("NO", "option -g is mandatory"))
    item = config.get(app.settings, name)
    echo(item.value if quiet else f"{item.label} = {item.value}")
