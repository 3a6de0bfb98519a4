"""pot last-run-stats: the exit status of a pot's last main command, as JSON."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.output import echo
from pot.ops import info


def run(app: App, pot: str) -> None:
    """Options: pot.cli.optspec.TABLES["last-run-stats"]."""
    echo(info.last_run_stats(app.settings, pot), nl=False)
