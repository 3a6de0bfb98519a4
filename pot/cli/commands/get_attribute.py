"""pot get-attribute (get-attr): print one stored attribute of a pot."""

from __future__ import annotations

from pot.cli import output
from pot.cli.app import App
from pot.ops import attrs


def run(app: App, quiet: bool, pot: str, attr: str, _value: str) -> None:
    """Options: pot.cli.optspec.TABLES["get-attribute"] (-V accepted and ignored)."""
    got = attrs.get_attribute(app.settings, pot, attr, quiet=quiet)
    if quiet:
        output.echo(got.value)
    elif got.value:
        output.info(f"{got.name}: {got.value}")
    else:
        output.info(f"The attribute {got.name} is not set for the pot {got.pot}")
