"""pot config: print one item of the framework configuration."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, verbose_option
from pot.errors import PotError, QuietExit, UsageError, worded
from pot.ops import config

# set by -q's callback; -g's callback sees it only when -q came first on the command line,
# which is upstream's getopts behaviour (a -q after a bad -g is too late to silence it)
_QUIET_SEEN = "pot.config.quiet"


def _note_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_QUIET_SEEN] = True
    return value


def _check_names(ctx: click.Context, _param: click.Parameter, names: tuple[str, ...]) -> str:
    """Validate every -g as upstream's getopts loop does, in order; the last one wins."""
    for name in names:
        try:
            config.check_name(name)
        except PotError:
            if ctx.meta.get(_QUIET_SEEN):
                raise QuietExit(1) from None
            raise
    return names[-1] if names else ""


@pot_command("config")
@verbose_option
@click.option("-q", "quiet", is_flag=True, callback=_note_quiet)
@click.option("-g", "name", multiple=True, callback=_check_names)
@pass_app
def command(app: App, quiet: bool, name: str) -> None:
    if not name:
        if quiet:
            raise QuietExit(1)
        raise UsageError(worded("NO", "option -g is mandatory"))
    item = config.get(app.settings, name)
    click.echo(item.value if quiet else f"{item.label} = {item.value}")
