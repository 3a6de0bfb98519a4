"""pot export-ports: ports forwarded from the host to the pot at start."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.checks import ports
from pot.cli.root import require_root
from pot.ops import attrs

__all__ = ["ports", "run"]


def run(app: App, pot: str, ports: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["export-ports"]."""
    attrs.export_ports(app.settings, pot, ports, authorize=require_root)
