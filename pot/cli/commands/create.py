"""pot create: a new pot (jail) from a base, a FreeBSD release or another pot."""

from __future__ import annotations

from typing import Any

import click

from pot.cli.params import (
    App,
    given,
    last,
    last_value,
    new_pot_options,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.cli.progress import fetching
from pot.ops import create
from pot.release import cached_tarball


@pot_command("create")
@verbose_option
@new_pot_options
@click.option("-t", "pot_type", multiple=True, callback=last(create.check_type))
@click.option("-l", "level", multiple=True, callback=last_value(str, None))
@click.option("-b", "base", multiple=True, callback=last())
@pass_app
def command(app: App, /, base: str, **options: Any) -> None:
    request = create.CreateOptions(base=base, **given(options))
    target = str(cached_tarball(app.settings, base)) if base else ""
    with fetching(target) as progress:
        create.create(app.settings, request, authorize=require_root, progress=progress)
