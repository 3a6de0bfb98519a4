"""pot mount-out: remove a mount from a pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, require_root, verbose_option
from pot.cli.syslog import argv_logging_command
from pot.ops import files


@argv_logging_command("mount-out")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-m", "mountpoint", default="")
@pass_app
def command(app: App, pot: str, mountpoint: str) -> None:
    files.mount_out(app.settings, pot, mountpoint, authorize=require_root)
