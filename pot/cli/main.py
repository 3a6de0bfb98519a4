"""Click's command tree, generated from the option tables (pot.cli.optspec).

The entry point and the error edge are pot.cli.edge, which runs every command from its
table and comes here only for a word its getopts leaves to click (``--long``).
``cli.main(argv)`` runs one invocation exactly as the ``pot`` program does.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from pot import errors
from pot.cli import edge, optspec
from pot.cli.edge import ALIASES, COMMANDS, Terminated, main, module_name

if TYPE_CHECKING:
    from pot.settings import Settings

__all__ = ["ALIASES", "COMMANDS", "PotGroup", "Terminated", "cli", "main", "module_name"]


class PotGroup(click.Group):
    """Lazy command table; ``main`` is the edge that maps errors to exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        name = ALIASES.get(cmd_name, cmd_name)
        if name not in COMMANDS:
            return None
        try:
            module = importlib.import_module(module_name(name))
        except ModuleNotFoundError as exc:
            if exc.name != module_name(name):
                raise
            return _not_implemented(name)
        from pot.cli.params import table_command

        return table_command(name, optspec.TABLES[name], module)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        edge.run(list(sys.argv[1:] if args is None else args))


def run_command(name: str, rest: list[str], conf: Settings) -> int:
    """Run one command through click (the edge has resolved, checked and logged it)."""
    from pot.cli.params import App

    command = cli.get_command(None, name)
    assert command is not None
    rv = command.main(rest, prog_name=f"pot {name}", standalone_mode=False, obj=App(conf))
    return rv if isinstance(rv, int) else 0


def _not_implemented(name: str) -> click.Command:
    """A command without a module: every invocation, -h included, fails as not implemented
    (upstream's dispatcher likewise fails on promote, -h or not, having no promote.sh).
    """
    from pot.cli.params import PotCommand

    def callback(**_: Any) -> None:
        raise errors.NotImplementedCommand(name)

    command = PotCommand(name, callback=callback, context_settings={"ignore_unknown_options": True})
    command.params = [p for p in command.params if "-h" not in getattr(p, "opts", ())]
    return command


cli = PotGroup("pot")
