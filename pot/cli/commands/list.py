"""pot list (alias ls): pots, bases, fscomps, flavours or bridges."""

from __future__ import annotations

from collections.abc import Callable

import click

from pot.cli.params import App, pass_app, pot_command, quiet_option, verbose_option
from pot.errors import UsageError
from pot.ops import listing
from pot.ops.listing import PotSummary
from pot.settings import Settings

EXCLUSIVE = "Options -b -p -f -F -B -a are mutually exclusive"
_KIND = "pot.list.kind"
# the label of each kind's lines, and how its names are found
_NAMED: dict[str, tuple[str, Callable[[Settings], list[str]]]] = {
    "bases": ("bases", listing.base_names),
    "fscomp": ("fscomp", listing.fscomp_names),
    "flavour": ("flavour", listing.flavour_names),
    "bridges": ("bridge", listing.bridge_names),
}


def _kind(kind: str) -> Callable[[click.Context, click.Parameter, int], int]:
    """Record the kind asked for; any second one (even the same again) is an error."""

    def callback(ctx: click.Context, _param: click.Parameter, count: int) -> int:
        if count and (count > 1 or _KIND in ctx.meta):
            raise UsageError(EXCLUSIVE)
        if count:
            ctx.meta[_KIND] = kind
        return count

    return callback


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
            click.echo(name)
        return
    verbose = app.verbosity > 1
    pots = listing.pots(app.settings, verbose=verbose)
    if not pots:
        click.echo("No pot created yet...")
    for pot in pots:
        click.echo(pot_block(pot, verbose=verbose), nl=False)


def _named(app: App, kind: str, *, quiet: bool) -> None:
    label, find = _NAMED[kind]
    for name in find(app.settings):
        click.echo(name if quiet else f"{label}: {name}")


@pot_command("list")
@verbose_option
@quiet_option
@click.option("-p", "pots", count=True, callback=_kind("pots"), expose_value=False)
@click.option("-b", "bases", count=True, callback=_kind("bases"), expose_value=False)
@click.option("-f", "fscomps", count=True, callback=_kind("fscomp"), expose_value=False)
@click.option("-F", "flavours", count=True, callback=_kind("flavour"), expose_value=False)
@click.option("-B", "bridges", count=True, callback=_kind("bridges"), expose_value=False)
@click.option("-a", "everything", count=True, callback=_kind("all"), expose_value=False)
@click.pass_context
@pass_app
def command(app: App, ctx: click.Context, quiet: bool) -> None:
    kind = ctx.meta.get(_KIND, "pots")
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
