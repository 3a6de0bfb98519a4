"""pot clone: a new pot made of ZFS clones of another pot."""

from __future__ import annotations

from pathlib import Path

import click

from pot.cli.params import (
    App,
    app_of,
    dns_option,
    last,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.flavours import Flavour
from pot.ops import clone, create, flavour


def _flavours(
    ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Flavour, ...]:
    cwd = Path.cwd()
    return tuple(flavour.find(app_of(ctx).settings, value, cwd) for value in values)


@pot_command("clone")
@verbose_option
@click.option("-k", "keep", is_flag=True)
@click.option("-p", "pot", multiple=True, callback=last(create.check_pot_name))
@click.option("-N", "network_type", multiple=True, callback=last(create.check_network_type))
@click.option("-i", "ips", multiple=True)
@click.option("-P", "potbase", multiple=True, callback=last())
@click.option("-s", "snapshot", multiple=True, callback=last())
@click.option("-B", "bridge", multiple=True, callback=last())
@click.option("-S", "stack", multiple=True, callback=last(create.check_stack))
@click.option("-F", "autosnap", is_flag=True)
@click.option("-f", "flavours", multiple=True, callback=_flavours)
@click.option("-d", "dns", multiple=True, callback=dns_option)
@pass_app
def command(
    app: App,
    keep: bool,
    pot: str,
    network_type: str,
    ips: tuple[str, ...],
    potbase: str,
    snapshot: str,
    bridge: str,
    stack: str,
    autosnap: bool,
    flavours: tuple[Flavour, ...],
    dns: str,
) -> None:
    options = clone.CloneOptions(
        pot=pot,
        potbase=potbase,
        snapshot=snapshot,
        autosnap=autosnap,
        network_type=network_type,
        ips=ips,
        bridge=bridge,
        stack=stack,
        dns=dns,
        flavours=flavours,
        keep=keep,
        cwd=Path.cwd(),
    )
    clone.clone(app.settings, options, authorize=require_root)
