"""pot top: top(1) of one running pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.ops import running


def run(app: App, pot: str) -> int:
    """Options: pot.cli.optspec.TABLES["top"]."""
    return running.top(app.settings, pot)
