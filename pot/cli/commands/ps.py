"""pot ps: the running pots."""

from __future__ import annotations

import click

from pot.cli import output
from pot.cli.params import App, pass_app, pot_command, quiet_option, verbose_option
from pot.ops import running


@pot_command("ps")
@verbose_option
@quiet_option
@pass_app
def command(app: App, quiet: bool) -> None:
    if not quiet:
        output.info(running.network_state(app.settings))
    for pot in running.running_pots(app.settings):
        click.echo(pot)
