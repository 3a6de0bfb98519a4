"""pot set-env: the environment of the pot's command."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("set-env")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-E", "env", multiple=True)
@pass_app
def command(app: App, pot: str, env: tuple[str, ...]) -> None:
    attrs.set_env(app.settings, pot, env, authorize=require_root)
