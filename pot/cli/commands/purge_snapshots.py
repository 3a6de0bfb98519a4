"""pot purge-snapshots: destroy all snapshots of a pot or an fscomp but the latest (or all)."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import snapshots


def run(app: App, pots: tuple[str, ...], fscomps: tuple[str, ...], everything: bool) -> None:
    """Options: pot.cli.optspec.TABLES["purge-snapshots"]."""
    target = snapshots.target(pots, fscomps)
    snapshots.purge(app.settings, target, everything=everything, authorize=require_root)
