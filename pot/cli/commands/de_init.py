"""pot de-init: destroy POT_ZFS_ROOT and take pot's anchors out of pf."""

from __future__ import annotations

import importlib

import click

from pot.cli.commands.init import MINIMAL, pf_choice
from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.errors import NotImplementedCommand
from pot.ops import init
from pot.settings import Settings


def _stop(s: Settings, pot: str) -> None:
    """The stop command's library call, ``pot.ops.lifecycle.stop``."""
    # TODO: import it directly once the stop command has landed
    try:
        lifecycle = importlib.import_module("pot.ops.lifecycle")
    except ImportError:
        raise NotImplementedCommand("stop") from None
    lifecycle.stop(s, pot)


@pot_command("de-init")
@verbose_option
@click.option("-f", "force", is_flag=True)
# both options feed one list, so their order on the command line is kept
@click.option("-p", "pf", multiple=True)
@click.option("-m", "pf", flag_value=MINIMAL, multiple=True)
@pass_app
def command(app: App, force: bool, pf: tuple[str, ...]) -> None:
    require_root()
    init.deinit(app.settings, force=force, pf_file=pf_choice(pf), stop=_stop, say=click.echo)
