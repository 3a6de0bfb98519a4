"""pot snapshot (snap): snapshot a stopped pot or an fscomp."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import snapshots


def run(app: App, replace: bool, pots: tuple[str, ...], fscomps: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["snapshot"]."""
    target = snapshots.target(pots, fscomps)
    snapshots.take(app.settings, target, replace=replace, authorize=require_root)
