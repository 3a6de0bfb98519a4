"""pot add-dep: a pot started before this one."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import attrs


def run(app: App, pot: str, dependency: str) -> None:
    """Options: pot.cli.optspec.TABLES["add-dep"]."""
    attrs.add_dep(app.settings, pot, dependency, authorize=require_root)
