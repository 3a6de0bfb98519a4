"""pot list (alias ls): pots, bases, fscomps, flavours or bridges."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.output import echo
from pot.errors import UsageError
from pot.ops import listing
from pot.ops.listing import PotSummary
from pot.settings import Settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

EXCLUSIVE = "Options -b -p -f -F -B -a are mutually exclusive"
# the label of each kind's lines, and how its names are found
_NAMED: dict[str, tuple[str, Callable[[Settings], list[str]]]] = {
    "bases": ("bases", listing.base_names),
    "fscomp": ("fscomp", listing.fscomp_names),
    "flavour": ("flavour", listing.flavour_names),
    "bridges": ("bridge", listing.bridge_names),
}


def pot_block(pot: PotSummary, *, verbose: bool) -> str:
    """One pot as upstream prints it: tab-indented lines, then an empty line."""
    lines = [f"pot name : {pot.name}", f"\tnetwork : {pot.network_type}"]
    if pot.network_type != "inherit":
        lines.append(f"\tip : {pot.ip}")
    lines.append(f"\tactive : {'true' if pot.active else 'false'}")
    if verbose:
        lines += [f"\tbase : {pot.base}", f"\tlevel : {pot.level}"]
        if pot.level == "2":
            lines.append(f"\tbase pot : {pot.potbase}")
        lines.append("\tdatasets:")
        lines += [f"\t\t{mountpoint} => {dataset}" for mountpoint, dataset in pot.datasets]
        lines.append("\tsnapshot:")
        lines += [f"\t\t{snap}" for snap in pot.snapshots] or ["\t\tno snapshots"]
    return "".join(line + "\n" for line in lines) + "\n"


def _pots(app: App, *, quiet: bool) -> None:
    if quiet:
        for name in listing.finished_pot_names(app.settings):
            echo(name)
        return
    verbose = app.verbosity > 1
    pots = listing.pots(app.settings, verbose=verbose)
    if not pots:
        echo("No pot created yet...")
    for pot in pots:
        echo(pot_block(pot, verbose=verbose), nl=False)


def _named(app: App, kind: str, *, quiet: bool) -> None:
    label, find = _NAMED[kind]
    for name in find(app.settings):
        echo(name if quiet else f"{label}: {name}")


def _kind(counts: dict[str, int]) -> str:
    """The one kind asked for ("pots" when none); a second one (even the same again)
    is an error.
    """
    given = [kind for kind, count in counts.items() if count]
    if len(given) > 1 or sum(counts.values()) > 1:
        raise UsageError(EXCLUSIVE)
    return given[0] if given else "pots"


def run(
    app: App,
    quiet: bool,
    pots: int,
    bases: int,
    fscomps: int,
    flavours: int,
    bridges: int,
    everything: int,
) -> None:
    """Options: pot.cli.optspec.TABLES["list"]."""
    kind = _kind(
        {
            "pots": pots,
            "bases": bases,
            "fscomp": fscomps,
            "flavour": flavours,
            "bridges": bridges,
            "all": everything,
        }
    )
    if kind == "all":
        if quiet:
            raise UsageError("Options -a and -q are incompatible")
        _named(app, "bases", quiet=False)
        _pots(app, quiet=False)
        for other in ("fscomp", "flavour", "bridges"):
            _named(app, other, quiet=False)
    elif kind == "pots":
        _pots(app, quiet=quiet)
    else:
        _named(app, kind, quiet=quiet)
