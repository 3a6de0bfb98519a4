"""pot clone: a new pot made of ZFS clones of another pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.checks import dns, flavours, given, network_type, pot_name, stack
from pot.cli.root import require_root
from pot.ops import clone

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["dns", "flavours", "network_type", "pot_name", "run", "stack"]


def run(app: App, /, **options: Any) -> None:
    """Options: pot.cli.optspec.TABLES["clone"] (those not given are None)."""
    clone.clone(app.settings, clone.CloneOptions(**given(options)), authorize=require_root)
