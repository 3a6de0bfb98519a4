"""pot version: the upstream version we are compatible with."""

from __future__ import annotations

import click

from pot import UPSTREAM_VERSION, __version__
from pot.cli.params import App, pass_app, pot_command, quiet_option, verbose_option


@pot_command("version")
@verbose_option
@quiet_option
@pass_app
def command(app: App, quiet: bool) -> None:
    if quiet:
        click.echo(UPSTREAM_VERSION)
        return
    click.echo(f"pot version: {UPSTREAM_VERSION}")
    if app.verbosity > 1:
        click.echo(f"bsdpot-py version: {__version__}")
