"""pot copy-out: copy a file or directory of a pot into a host directory."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import files


def run(app: App, pot: str, source: str, destination: str, force: bool) -> None:
    """Options: pot.cli.optspec.TABLES["copy-out"]."""
    request = files.CopyOut(source, destination, force=force, verbose=app.verbosity > 1)
    files.copy_out(app.settings, pot, request, authorize=require_root)
