"""pot add-dep: a pot started before this one."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("add-dep")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-P", "dependency", default="")
@pass_app
def command(app: App, pot: str, dependency: str) -> None:
    attrs.add_dep(app.settings, pot, dependency, authorize=require_root)
