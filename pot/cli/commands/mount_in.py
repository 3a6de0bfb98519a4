"""pot mount-in: mount a directory, dataset or fscomp into a pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, require_root, verbose_option
from pot.cli.syslog import argv_logging_command
from pot.ops import files


@argv_logging_command("mount-in")
@verbose_option
@click.option("-p", "pot", default="")
@click.option("-f", "fscomp", default="")
@click.option("-d", "directory", default="")
@click.option("-z", "dataset", default="")
@click.option("-m", "mountpoint", default="")
@click.option("-w", "remount", is_flag=True)
@click.option("-r", "readonly", is_flag=True)
@pass_app
def command(
    app: App,
    pot: str,
    fscomp: str,
    directory: str,
    dataset: str,
    mountpoint: str,
    remount: bool,
    readonly: bool,
) -> None:
    request = files.MountIn(
        mountpoint,
        fscomp=fscomp,
        directory=directory,
        dataset=dataset,
        remount=remount,
        readonly=readonly,
    )
    files.mount_in(app.settings, pot, request, authorize=require_root)
