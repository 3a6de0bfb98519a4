"""pot rename: give a stopped pot a new name."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import rename


@pot_command("rename")
@verbose_option
@click.option("-p", "old", default="")
@click.option("-n", "new", default="")
@pass_app
def command(app: App, old: str, new: str) -> None:
    rename.rename(app.settings, old, new, authorize=require_root)
