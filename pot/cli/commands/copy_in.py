"""pot copy-in: copy a host file or directory into a pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import files


@pot_command("copy-in")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-s", "source", default="")
@click.option("-d", "destination", default="")
@click.option("-F", "force", is_flag=True)
@click.option("-c", "create_dirs", is_flag=True)
@pass_app
def command(
    app: App, pot: str, source: str, destination: str, force: bool, create_dirs: bool
) -> None:
    request = files.CopyIn(
        source,
        destination,
        force=force,
        create_dirs=create_dirs,
        verbose=app.verbosity > 1,  # upstream's -v also makes cp verbose
    )
    files.copy_in(app.settings, pot, request, authorize=require_root)
