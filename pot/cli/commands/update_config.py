"""pot update-config: bring older pots' configuration up to date."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.errors import PotError
from pot.ops import update_config


def run(app: App, pot: str, every: bool) -> None:
    """Options: pot.cli.optspec.TABLES["update-config"]."""
    # upstream checks root before it looks at -p/-a
    require_root()
    if pot:
        update_config.update_pot(app.settings, pot)
    elif every:
        update_config.update_all(app.settings)
    else:
        raise PotError("A pot name or -a are mandatory", usage=True)
