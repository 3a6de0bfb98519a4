"""pot signal: send a signal to a process of a running pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import running


def _list(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(" ".join(running.SIGNAL_NAMES))
        ctx.exit(0)


@pot_command("signal")
@verbose_option
@click.option("-l", is_flag=True, expose_value=False, is_eager=True, callback=_list)
@click.option("-f", "force", is_flag=True)
@click.option("-C", "dry_run", is_flag=True)
@click.option("-s", "signal", default=running.DEFAULT_SIGNAL)
@click.option("-P", "pid", default="")
@click.option("-m", "pattern", default="")
@click.option("-p", "pot", default="")
@pass_app
def command(
    app: App, force: bool, dry_run: bool, signal: str, pid: str, pattern: str, pot: str
) -> None:
    request = running.SignalRequest(pot, signal, pid, pattern, force, dry_run)
    shown = running.send_signal(app.settings, request, authorize=require_root)
    if dry_run:
        click.echo(shown, nl=False)
