"""pot stop: stop a pot and undo everything start did."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import lifecycle


def run(app: App, pot: str, interfaces: str, from_start: bool, operands: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["stop"]."""
    lifecycle.stop(
        app.settings,
        pot or (operands[0] if operands else ""),
        interfaces=interfaces,
        from_start=from_start,
        authorize=require_root,
    )
