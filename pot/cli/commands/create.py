"""pot create: a new pot (jail) from a base, a FreeBSD release or another pot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.cli.progress import fetching
from pot.flavours import Flavour
from pot.ops import create, flavour
from pot.release import cached_tarball

Check = Callable[[str], None]


def _app(ctx: click.Context) -> App:
    app = ctx.find_object(App)
    assert app is not None
    return app


def _last(check: Check) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], str]:
    """A callback checking every value as upstream's getopts loop does; the last one wins."""

    def callback(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str:
        for value in values:
            check(value)
        return values[-1] if values else ""

    return callback


def _dns(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str:
    return _last(lambda value: create.check_dns(value, Path.cwd()))(ctx, param, values)


def _flavours(
    ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Flavour, ...]:
    cwd = Path.cwd()
    return tuple(flavour.find(_app(ctx).settings, value, cwd) for value in values)


def _level(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str | None:
    return values[-1] if values else None


@pot_command("create")
@verbose_option
@click.option("-k", "keep", is_flag=True)
@click.option("-p", "pot", multiple=True, callback=_last(create.check_pot_name))
@click.option("-t", "pot_type", multiple=True, callback=_last(create.check_type))
@click.option("-N", "network_type", multiple=True, callback=_last(create.check_network_type))
@click.option("-B", "bridge", multiple=True, callback=_last(lambda _: None))
@click.option("-S", "stack", multiple=True, callback=_last(create.check_stack))
@click.option("-i", "ips", multiple=True)
@click.option("-l", "level", multiple=True, callback=_level)
@click.option("-b", "base", multiple=True, callback=_last(lambda _: None))
@click.option("-P", "potbase", multiple=True, callback=_last(lambda _: None))
@click.option("-d", "dns", multiple=True, callback=_dns)
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
