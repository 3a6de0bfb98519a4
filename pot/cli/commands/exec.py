"""pot exec: run a command inside a running pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.checks import every
from pot.cli.root import require_root
from pot.ops import running


def env(_app: App, values: tuple[str, ...]) -> tuple[str, ...]:
    return every(values, running.check_env_assignment)


def run(
    app: App,
    detach: bool,
    tty: bool,
    env: tuple[str, ...],
    host_user: str,
    pot_user: str,
    pot: str,
    cmd: tuple[str, ...],
) -> int:
    """Options: pot.cli.optspec.TABLES["exec"]."""
    request = running.ExecRequest(pot, cmd, env, host_user, pot_user, detach, tty)
    return running.exec_in(request, authorize=require_root)
