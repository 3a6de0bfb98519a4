"""pot start: start a pot (blocks until a non-persistent pot's command ends)."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.output import echo
from pot.cli.root import require_root
from pot.ops import lifecycle


def run(app: App, snap: bool, full: bool, pot: str, operands: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["start"]."""
    # upstream's getopts keeps the last of -s and -S
    kind = "full" if full else "normal" if snap else "none"
    lifecycle.start(
        app.settings,
        pot or (operands[0] if operands else ""),
        snapshot=kind,
        authorize=require_root,
        say=echo,
    )
