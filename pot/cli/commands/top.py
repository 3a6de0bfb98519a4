"""pot top: top(1) of one running pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command
from pot.ops import running


@pot_command("top")
@click.option("-p", "pot", default="")
@pass_app
def command(app: App, pot: str) -> int:
    return running.top(app.settings, pot)
