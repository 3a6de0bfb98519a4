"""pot create-fscomp: a new fs component (a dataset pots can mount)."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import fscomp


@pot_command("create-fscomp")
@verbose_option
@click.option("-f", "name", default="")
@pass_app
def command(app: App, name: str) -> None:
    fscomp.create_fscomp(app.settings, name, authorize=require_root)
