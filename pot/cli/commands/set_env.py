"""pot set-env: the environment of the pot's command."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import attrs


def run(app: App, pot: str, env: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["set-env"]."""
    attrs.set_env(app.settings, pot, env, authorize=require_root)
