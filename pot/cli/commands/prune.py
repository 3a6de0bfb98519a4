"""pot prune: destroy the stopped pots marked prunable and to-be-pruned."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.errors import QuietExit
from pot.ops import prune


def run(app: App, quiet: bool, grace: bool, dry_run: bool) -> None:
    """Options: pot.cli.optspec.TABLES["prune"]."""
    require_root()
    result = prune.prune(app.settings, dry_run=dry_run, grace=grace, quiet=quiet)
    if result.failed:
        # the failures were reported as they happened
        raise QuietExit(1)
