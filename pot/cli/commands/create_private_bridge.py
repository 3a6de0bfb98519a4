"""pot create-private-bridge: reserve a subnet of POT_NETWORK for a private bridge."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import vnet


def run(app: App, name: str, size: str) -> None:
    """Options: pot.cli.optspec.TABLES["create-private-bridge"]."""
    vnet.create_private_bridge(app.settings, name, size, authorize=require_root)
