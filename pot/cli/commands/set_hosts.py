"""pot set-hosts: extra /etc/hosts entries of a pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("set-hosts")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-H", "hosts", multiple=True)
@pass_app
def command(app: App, pot: str, hosts: tuple[str, ...]) -> None:
    attrs.set_hosts(app.settings, pot, hosts, authorize=require_root)
