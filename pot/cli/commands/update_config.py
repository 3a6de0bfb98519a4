"""pot update-config: bring older pots' configuration up to date."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.errors import PotError
from pot.ops import update_config


@pot_command("update-config")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-a", "every", is_flag=True)
@pass_app
def command(app: App, pot: str, every: bool) -> None:
    # upstream checks root before it looks at -p/-a
    require_root()
    if pot:
        update_config.update_pot(app.settings, pot)
    elif every:
        update_config.update_all(app.settings)
    else:
        raise PotError("A pot name or -a are mandatory", usage=True)
