"""pot get-attribute (get-attr): print one stored attribute of a pot."""

from __future__ import annotations

import click

from pot.cli import output
from pot.cli.params import App, pass_app, pot_command, quiet_option, verbose_option
from pot.ops import attrs


@pot_command("get-attribute")
@verbose_option
@quiet_option
@click.option("-p", "pot", default="")
@click.option("-A", "attr", default="")
@click.option("-V", "_value", default="", hidden=True)  # accepted and ignored, as upstream
@pass_app
def command(app: App, quiet: bool, pot: str, attr: str, _value: str) -> None:
    got = attrs.get_attribute(app.settings, pot, attr, quiet=quiet)
    if quiet:
        click.echo(got.value)
    elif got.value:
        output.info(f"{got.name}: {got.value}")
    else:
        output.info(f"The attribute {got.name} is not set for the pot {got.pot}")
