"""pot clone-fscomp: a new fs component cloned from the last snapshot of another."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import fscomp


def run(app: App, name: str, source: str) -> None:
    """Options: pot.cli.optspec.TABLES["clone-fscomp"]."""
    fscomp.clone_fscomp(app.settings, name, source, authorize=require_root)
