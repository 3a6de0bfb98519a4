"""pot create-fscomp: a new fs component (a dataset pots can mount)."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import fscomp


def run(app: App, name: str) -> None:
    """Options: pot.cli.optspec.TABLES["create-fscomp"]."""
    fscomp.create_fscomp(app.settings, name, authorize=require_root)
