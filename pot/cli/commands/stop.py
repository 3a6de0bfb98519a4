"""pot stop: stop a pot and undo everything start did."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import lifecycle


@pot_command("stop")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-i", "interfaces", default="")
@click.option("-s", "from_start", is_flag=True)
@click.argument("operands", nargs=-1, type=click.UNPROCESSED)
@pass_app
def command(
    app: App, pot: str, interfaces: str, from_start: bool, operands: tuple[str, ...]
) -> None:
    lifecycle.stop(
        app.settings,
        pot or (operands[0] if operands else ""),
        interfaces=interfaces,
        from_start=from_start,
        authorize=require_root,
    )
