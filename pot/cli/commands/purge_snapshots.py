"""pot purge-snapshots: destroy all snapshots of a pot or an fscomp but the latest (or all)."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import snapshots


@pot_command("purge-snapshots")
@verbose_option
@click.option("-p", "pots", multiple=True)
@click.option("-f", "fscomps", multiple=True)
@click.option("-a", "everything", is_flag=True)
@pass_app
def command(app: App, pots: tuple[str, ...], fscomps: tuple[str, ...], everything: bool) -> None:
    target = snapshots.target(pots, fscomps)
    snapshots.purge(app.settings, target, everything=everything, authorize=require_root)
