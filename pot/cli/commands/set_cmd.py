"""pot set-cmd: the command a pot starts with."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import attrs


def run(app: App, pot: str, cmd: str) -> None:
    """Options: pot.cli.optspec.TABLES["set-cmd"]."""
    attrs.set_cmd(app.settings, pot, cmd, authorize=require_root)
