"""pot ps: the running pots."""

from __future__ import annotations

from pot.cli import output
from pot.cli.app import App
from pot.ops import running


def run(app: App, quiet: bool) -> None:
    """Options: pot.cli.optspec.TABLES["ps"]."""
    if not quiet:
        output.info(running.network_state(app.settings))
    for pot in running.running_pots(app.settings):
        output.echo(pot)
