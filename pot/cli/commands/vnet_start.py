"""pot vnet-start: bring up the pot bridges and pf's NAT."""

from __future__ import annotations

import click

from pot.cli.params import App, PotCommand, pass_app, require_root, verbose_option
from pot.ops import vnet


def known_options(args: list[str]) -> list[str]:
    """The options getopts "hvB:" reads before it stops at the first bad one, one per item.

    Upstream's loop breaks on an unknown option (or a -B without value) instead of
    failing: getopts complains on stderr and the command goes on with what it has read.
    An operand or ``--`` ends the options; operands are ignored.
    """
    kept: list[str] = []
    rest = list(args)
    while rest and rest[0].startswith("-") and rest[0] not in ("-", "--"):
        letters = rest.pop(0)[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter in "hv":
                kept.append(f"-{letter}")
            elif letter != "B":
                click.echo(f"Illegal option -{letter}", err=True)
                return kept
            elif letters or rest:
                kept += ["-B", letters or rest.pop(0)]
                letters = ""
            else:
                click.echo("No arg for -B option", err=True)
                return kept
    return kept


class _BreakingCommand(PotCommand):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, known_options(args))


@click.command("vnet-start", cls=_BreakingCommand)
@verbose_option
@click.option("-B", "bridge", default="")
@pass_app
def command(app: App, bridge: str) -> None:
    vnet.vnet_start(app.settings, bridge, authorize=require_root)
