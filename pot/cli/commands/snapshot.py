"""pot snapshot (snap): snapshot a stopped pot or an fscomp."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import snapshots


@pot_command("snapshot")
@verbose_option
@click.option("-r", "replace", is_flag=True)
@click.option("-p", "pots", multiple=True)
@click.option("-f", "fscomps", multiple=True)
@pass_app
def command(app: App, replace: bool, pots: tuple[str, ...], fscomps: tuple[str, ...]) -> None:
    target = snapshots.target(pots, fscomps)
    snapshots.take(app.settings, target, replace=replace, authorize=require_root)
