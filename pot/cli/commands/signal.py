"""pot signal: send a signal to a process of a running pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.output import echo
from pot.cli.root import require_root
from pot.ops import running


def eager(_app: App) -> None:
    """-l: the signal names, and nothing else."""
    echo(" ".join(running.SIGNAL_NAMES))


def run(
    app: App, force: bool, dry_run: bool, signal: str, pid: str, pattern: str, pot: str
) -> None:
    """Options: pot.cli.optspec.TABLES["signal"] (-s defaults to running.DEFAULT_SIGNAL)."""
    request = running.SignalRequest(pot, signal, pid, pattern, force, dry_run)
    shown = running.send_signal(app.settings, request, authorize=require_root)
    if dry_run:
        echo(shown, nl=False)
