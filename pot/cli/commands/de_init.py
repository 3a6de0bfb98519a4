"""pot de-init: destroy POT_ZFS_ROOT and take pot's anchors out of pf."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.commands.init import pf_choice
from pot.cli.output import echo
from pot.cli.root import require_root
from pot.ops import init, lifecycle


def run(app: App, force: bool, pf: tuple[str, ...]) -> None:
    """Options: pot.cli.optspec.TABLES["de-init"]."""
    require_root()
    init.deinit(app.settings, force=force, pf_file=pf_choice(pf), stop=lifecycle.stop, say=echo)
