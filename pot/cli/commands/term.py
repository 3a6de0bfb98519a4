"""pot term (and pot run = term -f): a login shell inside a running pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import running


@pot_command("term")
@verbose_option
@click.option("-f", "force", is_flag=True)
@click.option("-p", "pot", default="")
@click.argument("operands", nargs=-1, type=click.UNPROCESSED)
@pass_app
def command(app: App, force: bool, pot: str, operands: tuple[str, ...]) -> int:
    name = pot or (operands[0] if operands else "")
    return running.term(app.settings, name, force=force, authorize=require_root)
