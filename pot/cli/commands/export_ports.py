"""pot export-ports: ports forwarded from the host to the pot at start."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


def _check_ports(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    # upstream validates each -e inside its getopts loop, before the other checks
    for value in values:
        attrs.check_export_port(value)
    return values


@pot_command("export-ports")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-e", "ports", multiple=True, callback=_check_ports)
@pass_app
def command(app: App, pot: str, ports: tuple[str, ...]) -> None:
    attrs.export_ports(app.settings, pot, ports, authorize=require_root)
