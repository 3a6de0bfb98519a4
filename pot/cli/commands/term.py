"""pot term (and pot run = term -f): a login shell inside a running pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import running


def run(app: App, force: bool, pot: str, operands: tuple[str, ...]) -> int:
    """Options: pot.cli.optspec.TABLES["term"]."""
    name = pot or (operands[0] if operands else "")
    return running.term(app.settings, name, force=force, authorize=require_root)
