"""pot vnet-start: bring up the pot bridges and pf's NAT.

Upstream's getopts loop breaks at a bad option instead of failing (pot.cli.optspec.BREAKS):
getopts complains on stderr and the command goes on with what it has read.
"""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import vnet


def run(app: App, bridge: str) -> None:
    """Options: pot.cli.optspec.TABLES["vnet-start"]."""
    vnet.vnet_start(app.settings, bridge, authorize=require_root)
