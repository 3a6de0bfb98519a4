"""pot set-cmd: the command a pot starts with."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("set-cmd")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-c", "cmd", default="")
@pass_app
def command(app: App, pot: str, cmd: str) -> None:
    attrs.set_cmd(app.settings, pot, cmd, authorize=require_root)
