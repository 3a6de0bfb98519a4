"""pot clone: a new pot made of ZFS clones of another pot."""

from __future__ import annotations

from typing import Any

import click

from pot.cli.params import (
    App,
    given,
    last,
    new_pot_options,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.ops import clone


@pot_command("clone")
@verbose_option
@new_pot_options
@click.option("-s", "snapshot", multiple=True, callback=last())
@click.option("-F", "autosnap", is_flag=True)
@pass_app
def command(app: App, /, **options: Any) -> None:
    clone.clone(app.settings, clone.CloneOptions(**given(options)), authorize=require_root)
