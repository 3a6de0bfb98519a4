"""pot set-status (internal): a status transition of a pot, under its lock."""

from __future__ import annotations

from pot.cli import output
from pot.cli.app import App
from pot.errors import PotError, QuietExit
from pot.ops import common, status


def run(app: App, pot: str, interfaces: str, new: str) -> None:
    """Options: pot.cli.optspec.TABLES["set-status"]."""
    if new and new not in status.STATUSES:
        # upstream reports it and goes on with an empty status
        output.error(f"{new} is not a valid status")
        new = ""
    if not pot:
        raise PotError("A pot name is mandatory", usage=True)
    if not common.is_pot(app.settings, pot):
        raise PotError(f"{pot} is not a pot")
    changed = status.change(app.settings, pot, new, interfaces)
    if new == "stopping" and changed.result == status.Transition.DONE:
        output.echo(changed.interfaces)
    if changed.result != status.Transition.DONE:
        raise QuietExit(int(changed.result))
