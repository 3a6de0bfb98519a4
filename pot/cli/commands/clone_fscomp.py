"""pot clone-fscomp: a new fs component cloned from the last snapshot of another."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import fscomp


@pot_command("clone-fscomp")
@verbose_option
@click.option("-f", "name", default="")
@click.option("-F", "source", default="")
@pass_app
def command(app: App, name: str, source: str) -> None:
    fscomp.clone_fscomp(app.settings, name, source, authorize=require_root)
