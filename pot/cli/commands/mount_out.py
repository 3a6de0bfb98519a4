"""pot mount-out: remove a mount from a pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import files


def run(app: App, pot: str, mountpoint: str) -> None:
    """Options: pot.cli.optspec.TABLES["mount-out"]."""
    files.mount_out(app.settings, pot, mountpoint, authorize=require_root)
