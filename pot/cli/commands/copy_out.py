"""pot copy-out: copy a file or directory of a pot into a host directory."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import files


@pot_command("copy-out")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-s", "source", default="")
@click.option("-d", "destination", default="")
@click.option("-F", "force", is_flag=True)
@pass_app
def command(app: App, pot: str, source: str, destination: str, force: bool) -> None:
    request = files.CopyOut(source, destination, force=force, verbose=app.verbosity > 1)
    files.copy_out(app.settings, pot, request, authorize=require_root)
