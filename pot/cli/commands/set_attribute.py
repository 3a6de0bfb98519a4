"""pot set-attribute (set-attr): store one attribute of a pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("set-attribute")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-A", "attr", default="")
@click.option("-V", "value", default="")
@pass_app
def command(app: App, pot: str, attr: str, value: str) -> None:
    attrs.set_attribute(app.settings, pot, attr, value, authorize=require_root)
