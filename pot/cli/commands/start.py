"""pot start: start a pot (blocks until a non-persistent pot's command ends)."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import lifecycle


@pot_command("start")
@verbose_option
@click.option("-s", "snap", is_flag=True)
@click.option("-S", "full", is_flag=True)
@click.option("-p", "pot", default="")
@click.argument("operands", nargs=-1, type=click.UNPROCESSED)
@pass_app
def command(app: App, snap: bool, full: bool, pot: str, operands: tuple[str, ...]) -> None:
    # upstream's getopts keeps the last of -s and -S
    kind = "full" if full else "normal" if snap else "none"
    lifecycle.start(
        app.settings,
        pot or (operands[0] if operands else ""),
        snapshot=kind,
        authorize=require_root,
        say=click.echo,
    )
