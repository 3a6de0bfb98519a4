"""pot init: create pot's ZFS layout and folders, set up syslogd and pf."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.optspec import PF_MINIMAL
from pot.cli.output import echo
from pot.cli.root import require_root
from pot.ops import init


def pf_choice(values: tuple[str, ...]) -> str:
    """The pf file from the -p/-f/-m values in command-line order; "" skips pf."""
    if not values:
        return init.default_pf_file()
    return "" if values[-1] == PF_MINIMAL else values[-1]


def run(app: App, pf: tuple[str, ...], keep_syslog: bool) -> None:
    """Options: pot.cli.optspec.TABLES["init"]."""
    require_root()
    alter_syslog = not keep_syslog and PF_MINIMAL not in pf
    init.init(app.settings, pf_file=pf_choice(pf), alter_syslog=alter_syslog, say=echo)
