"""pot create-private-bridge: reserve a subnet of POT_NETWORK for a private bridge."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import vnet


@pot_command("create-private-bridge")
@verbose_option
@click.option("-B", "name", default="")
@click.option("-S", "size", default="")
@pass_app
def command(app: App, name: str, size: str) -> None:
    vnet.create_private_bridge(app.settings, name, size, authorize=require_root)
