"""pot revert (rollback): roll a stopped pot or an fscomp back to its latest snapshot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import snapshots


@pot_command("revert")
@verbose_option
@click.option("-p", "pots", multiple=True)
@click.option("-f", "fscomps", multiple=True)
@pass_app
def command(app: App, pots: tuple[str, ...], fscomps: tuple[str, ...]) -> None:
    target = snapshots.target(pots, fscomps)
    snapshots.revert(app.settings, target, authorize=require_root)
