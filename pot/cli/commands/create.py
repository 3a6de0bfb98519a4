"""pot create: a new pot (jail) from a base, a FreeBSD release or another pot."""

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
from pot.cli.progress import fetching
from pot.flavours import Flavour
from pot.ops import create, flavour
from pot.release import cached_tarball


def _flavours(
    ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Flavour, ...]:
    cwd = Path.cwd()
    return tuple(flavour.find(app_of(ctx).settings, value, cwd) for value in values)


def _level(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str | None:
    return values[-1] if values else None


@pot_command("create")
@verbose_option
@click.option("-k", "keep", is_flag=True)
@click.option("-p", "pot", multiple=True, callback=last(create.check_pot_name))
@click.option("-t", "pot_type", multiple=True, callback=last(create.check_type))
@click.option("-N", "network_type", multiple=True, callback=last(create.check_network_type))
@click.option("-B", "bridge", multiple=True, callback=last())
@click.option("-S", "stack", multiple=True, callback=last(create.check_stack))
@click.option("-i", "ips", multiple=True)
@click.option("-l", "level", multiple=True, callback=_level)
@click.option("-b", "base", multiple=True, callback=last())
@click.option("-P", "potbase", multiple=True, callback=last())
@click.option("-d", "dns", multiple=True, callback=dns_option)
@click.option("-f", "flavours", multiple=True, callback=_flavours)
@pass_app
def command(
    app: App,
    keep: bool,
    pot: str,
    pot_type: str,
    network_type: str,
    bridge: str,
    stack: str,
    ips: tuple[str, ...],
    level: str | None,
    base: str,
    potbase: str,
    dns: str,
    flavours: tuple[Flavour, ...],
) -> None:
    options = create.CreateOptions(
        pot=pot,
        pot_type=pot_type or "multi",
        level=level,
        base=base,
        potbase=potbase,
        network_type=network_type or "inherit",
        ips=ips,
        bridge=bridge,
        stack=stack,
        dns=dns or "inherit",
        flavours=flavours,
        keep=keep,
        cwd=Path.cwd(),
    )
    target = str(cached_tarball(app.settings, base)) if base else ""
    with fetching(target) as progress:
        create.create(app.settings, options, authorize=require_root, progress=progress)
