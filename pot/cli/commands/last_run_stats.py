"""pot last-run-stats: the exit status of a pot's last main command, as JSON."""

from __future__ import annotations

import click

from pot.cli import output
from pot.cli.params import App, pass_app, pot_command, verbose_option
from pot.ops import info


@pot_command("last-run-stats")
@verbose_option
@click.option("-p", "pot", default="")
@pass_app
def command(app: App, pot: str) -> None:
    with output.command_trace(visible=app.verbosity > 2):
        click.echo(info.last_run_stats(app.settings, pot), nl=False)
