"""pot set-rss: resource limits applied at the next start."""

from __future__ import annotations

import click

from pot.cli.params import App, last, pass_app, pot_command, require_root, verbose_option
from pot.ops import attrs


@pot_command("set-rss")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-C", "cpus", default="")
# upstream validates each -M inside its getopts loop; the last one wins
@click.option("-M", "memory", multiple=True, callback=last(attrs.check_memory))
@pass_app
def command(app: App, pot: str, cpus: str, memory: str) -> None:
    attrs.set_rss(app.settings, pot, cpus=cpus, memory=memory, authorize=require_root)
