"""pot create-base: a FreeBSD release as a base, with its level-0 pot."""

from __future__ import annotations

import click

from pot.cli.helptext import create_base_help
from pot.cli.params import (
    App,
    app_of,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.cli.progress import fetching
from pot.ops import bases
from pot.release import cached_tarball, valid_releases
from pot.settings import Settings


def _help(settings: Settings) -> str:
    """The help lists the releases valid on this host."""
    return create_base_help(valid_releases(settings))


def _check_releases(ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str:
    # upstream checks each -r inside its getopts loop, before the options that follow
    for value in values:
        bases.check_release_option(app_of(ctx).settings, value)
    return values[-1] if values else ""


def _check_names(ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str:
    for value in values:
        bases.check_name_option(app_of(ctx).settings, value)
    return values[-1] if values else ""


@pot_command("create-base", help_provider=_help)
@verbose_option
@click.option("-r", "rel", multiple=True, callback=_check_releases)
@click.option("-b", "name", multiple=True, callback=_check_names)
@pass_app
def command(app: App, rel: str, name: str) -> None:
    new = bases.plan(app.settings, rel, name)
    require_root()
    with fetching(str(cached_tarball(app.settings, new.release))) as progress:
        bases.create_base(app.settings, new, progress=progress)
