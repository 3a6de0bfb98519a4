"""pot revert (rollback): roll a stopped pot or an fscomp back to its latest snapshot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import snapshots


def run(app: App, pots: tuple[str, ...], fscomps: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["revert"]."""
    target = snapshots.target(pots, fscomps)
    snapshots.revert(app.settings, target, authorize=require_root)
