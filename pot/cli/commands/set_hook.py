"""pot set-hook: scripts run on the host around start and stop."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("set-hook")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-s", "prestart", multiple=True)
@click.option("-S", "poststart", multiple=True)
@click.option("-t", "prestop", multiple=True)
@click.option("-T", "poststop", multiple=True)
@pass_app
def command(
    app: App,
    pot: str,
    prestart: tuple[str, ...],
    poststart: tuple[str, ...],
    prestop: tuple[str, ...],
    poststop: tuple[str, ...],
) -> None:
    hooks = {
        "prestart": prestart,
        "poststart": poststart,
        "prestop": prestop,
        "poststop": poststop,
    }
    attrs.set_hooks(app.settings, pot, hooks, authorize=require_root)
