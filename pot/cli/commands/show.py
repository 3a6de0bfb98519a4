"""pot show: disk usage and, for running pots, runtime information."""

from __future__ import annotations

import os

import click

from pot.cli import output
from pot.cli.params import App, pass_app, pot_command, quiet_option, verbose_option
from pot.ops import show
from pot.ops.show import PotUsage, Runtime


@pot_command("show")
@verbose_option
@quiet_option
@click.option("-p", "pot", default="")
@click.option("-a", "all_pots", is_flag=True)
@click.option("-r", "running", is_flag=True)
@pass_app
def command(app: App, quiet: bool, pot: str, all_pots: bool, running: bool) -> None:
    # -v chooses the long format
    pots = show.choose(app.settings, pot, all_pots=all_pots, running=running)
    if quiet and not pot:
        for name in pots:
            click.echo(name)
        return
    root = os.geteuid() == 0
    for usage in show.usage(app.settings, pots, verbose=app.verbosity > 1, root=root):
        _echo(usage)


def _echo(u: PotUsage) -> None:
    click.echo(f"pot {u.name}")
    click.echo(f"\tdisk usage      : {u.disk_usage}")
    if u.base_usage is not None:
        click.echo(f"\tbase usage      : {u.base_usage}")
    for dataset, used in u.datasets:
        click.echo(f"\tdataset {dataset} usage  : {used}")
    if u.runtime is not None:
        _echo_runtime(u.runtime)


def _echo_runtime(r: Runtime) -> None:
    if not r.root:
        output.info("some runtime information requires root privileges")
        return
    if not r.racct:
        output.info("runtime memory usage require rctl enabled")
    else:
        click.echo(f"\tvirtual memory  : {r.virtual_memory}")
        click.echo(f"\tphysical memory : {r.physical_memory}")
    if r.cpus:
        click.echo(f"\tmax amount of CPUs: {r.cpus}")
        click.echo(f"\tallocated CPUs    : {r.allocated_cpus}")
    if r.redirections is not None:
        click.echo("\n\tNetwork port redirection")
        for rule in r.redirections:
            click.echo(f"\t\t{rule}")
