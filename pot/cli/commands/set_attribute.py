"""pot set-attribute (set-attr): store one attribute of a pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import attrs


def run(app: App, pot: str, attr: str, value: str) -> None:
    """Options: pot.cli.optspec.TABLES["set-attribute"]."""
    attrs.set_attribute(app.settings, pot, attr, value, authorize=require_root)
