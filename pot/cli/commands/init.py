"""pot init: create pot's ZFS layout and folders, set up syslogd and pf."""

from __future__ import annotations

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.ops import init

# -m's entry among the -p/-f values: getopts lets the last of -m, -p, -f choose the pf file
MINIMAL = "\0minimal"


def pf_choice(values: tuple[str, ...]) -> str:
    """The pf file from the -p/-f/-m values in command-line order; "" skips pf."""
    if not values:
        return init.default_pf_file()
    return "" if values[-1] == MINIMAL else values[-1]


@pot_command("init")
@verbose_option
# both options feed one list, so their order on the command line is kept
@click.option("-p", "-f", "pf", multiple=True)
@click.option("-m", "pf", flag_value=MINIMAL, multiple=True)
@click.option("-s", "keep_syslog", is_flag=True)
@pass_app
def command(app: App, pf: tuple[str, ...], keep_syslog: bool) -> None:
    require_root()
    alter_syslog = not keep_syslog and MINIMAL not in pf
    init.init(app.settings, pf_file=pf_choice(pf), alter_syslog=alter_syslog, say=click.echo)
