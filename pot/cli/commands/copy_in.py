"""pot copy-in: copy a host file or directory into a pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import files


def run(app: App, pot: str, source: str, destination: str, force: bool, create_dirs: bool) -> None:
    """Options: pot.cli.optspec.TABLES["copy-in"]."""
    request = files.CopyIn(
        source,
        destination,
        force=force,
        create_dirs=create_dirs,
        verbose=app.verbosity > 1,  # upstream's -v also makes cp verbose
    )
    files.copy_in(app.settings, pot, request, authorize=require_root)
