"""pot set-hosts: extra /etc/hosts entries of a pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import attrs


def run(app: App, pot: str, hosts: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["set-hosts"]."""
    attrs.set_hosts(app.settings, pot, hosts, authorize=require_root)
