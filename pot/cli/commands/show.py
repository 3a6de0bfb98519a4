"""pot show: disk usage and, for running pots, runtime information."""

from __future__ import annotations

import os

from pot.cli import output
from pot.cli.app import App
from pot.ops import show
from pot.ops.show import PotUsage, Runtime


def run(app: App, quiet: bool, pot: str, all_pots: bool, running: bool) -> None:
    """Options: pot.cli.optspec.TABLES["show"]."""
    # -v chooses the long format
    pots = show.choose(app.settings, pot, all_pots=all_pots, running=running)
    if quiet and not pot:
        for name in pots:
            output.echo(name)
        return
    root = os.geteuid() == 0
    for usage in show.usage(app.settings, pots, verbose=app.verbosity > 1, root=root):
        _echo(usage)


def _echo(u: PotUsage) -> None:
    output.echo(f"pot {u.name}")
    output.echo(f"\tdisk usage      : {u.disk_usage}")
    if u.base_usage is not None:
        output.echo(f"\tbase usage      : {u.base_usage}")
    for dataset, used in u.datasets:
        output.echo(f"\tdataset {dataset} usage  : {used}")
    if u.runtime is not None:
        _echo_runtime(u.runtime)


def _echo_runtime(r: Runtime) -> None:
    if not r.root:
        output.info("some runtime information requires root privileges")
        return
    if not r.racct:
        output.info("runtime memory usage require rctl enabled")
    else:
        output.echo(f"\tvirtual memory  : {r.virtual_memory}")
        output.echo(f"\tphysical memory : {r.physical_memory}")
    if r.cpus:
        output.echo(f"\tmax amount of CPUs: {r.cpus}")
        output.echo(f"\tallocated CPUs    : {r.allocated_cpus}")
    if r.redirections is not None:
        output.echo("\n\tNetwork port redirection")
        for rule in r.redirections:
            output.echo(f"\t\t{rule}")
