"""pot prune: destroy the stopped pots marked prunable and to-be-pruned."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, quiet_option, require_root, verbose_option
from pot.errors import QuietExit
from pot.ops import prune


@pot_command("prune")
@verbose_option
@quiet_option
@click.option("-g", "grace", is_flag=True)
@click.option("-n", "dry_run", is_flag=True)
@pass_app
def command(app: App, quiet: bool, grace: bool, dry_run: bool) -> None:
    require_root()
    result = prune.prune(app.settings, dry_run=dry_run, grace=grace, quiet=quiet)
    if result.failed:
        # the failures were reported as they happened
        raise QuietExit(1)
