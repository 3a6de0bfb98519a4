"""pot rename: give a stopped pot a new name."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import rename


def run(app: App, old: str, new: str) -> None:
    """Options: pot.cli.optspec.TABLES["rename"]."""
    rename.rename(app.settings, old, new, authorize=require_root)
