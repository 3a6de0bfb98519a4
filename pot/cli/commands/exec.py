"""pot exec: run a command inside a running pot."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import running


def _env(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        running.check_env_assignment(value)
    return values


@pot_command("exec")
@verbose_option
@click.option("-d", "detach", is_flag=True)
@click.option("-t", "tty", is_flag=True)
@click.option("-e", "env", multiple=True, callback=_env)
@click.option("-u", "host_user", default="")
@click.option("-U", "pot_user", default="")
@click.option("-p", "pot", default="")
@click.argument("cmd", nargs=-1, type=click.UNPROCESSED)
@pass_app
def command(
    app: App,
    detach: bool,
    tty: bool,
    env: tuple[str, ...],
    host_user: str,
    pot_user: str,
    pot: str,
    cmd: tuple[str, ...],
) -> int:
    request = running.ExecRequest(pot, cmd, env, host_user, pot_user, detach, tty)
    return running.exec_in(request, authorize=require_root)
