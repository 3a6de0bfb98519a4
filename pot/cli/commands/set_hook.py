"""pot set-hook: scripts run on the host around start and stop."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import attrs


def run(
    app: App,
    pot: str,
    prestart: tuple[str, ...],
    poststart: tuple[str, ...],
    prestop: tuple[str, ...],
    poststop: tuple[str, ...],
) -> None:
    """Options: pot.cli.optspec.TABLES["set-hook"]."""
    hooks = {
        "prestart": prestart,
        "poststart": poststart,
        "prestop": prestop,
        "poststop": poststop,
    }
    attrs.set_hooks(app.settings, pot, hooks, authorize=require_root)
