"""pot prepare: import an image if needed, clone it for an allocation and customise it."""

from __future__ import annotations

from pathlib import Path

from pot.cli import output
from pot.cli.app import App
from pot.cli.checks import dns, ports, stack
from pot.cli.helptext import command_help
from pot.cli.progress import bar, fetching
from pot.cli.root import require_root
from pot.errors import QuietExit
from pot.ops import prepare

__all__ = ["dns", "network_type", "ports", "run", "stack"]


def network_type(_app: App, values: tuple[str, ...]) -> str:
    return [prepare.network_type(value) for value in values][-1]


def run(
    app: App,
    pot: str,
    url: str | None,
    tag: str,
    cmd: str,
    ports: tuple[str, ...],
    allocation: str,
    name: str,
    start: bool,
    network_type: str,
    ips: tuple[str, ...],
    bridge: str,
    stack: str,
    dns: str,
    pubkey: str | None,
) -> None:
    """Options: pot.cli.optspec.TABLES["prepare"]."""
    options = prepare.PrepareOptions(
        pot=pot,
        tag=tag,
        allocation=allocation,
        url=url,
        name=name,
        cmd=cmd,
        ports=ports,
        network_type=network_type,
        # upstream splits every -i value at blanks
        ips=tuple(ip for value in ips for ip in value.split()),
        bridge=bridge,
        stack=stack,
        dns=dns,
        pubkey=pubkey,
        start=start,
        cwd=Path.cwd(),
    )
    try:
        prepare.prepare(
            app.settings,
            options,
            authorize=require_root,
            bar=bar,
            fetching=fetching,
            say=output.echo,
        )
    except prepare.NestedUsageError as exc:
        for line in exc.lines:
            output.error(line)
        output.echo(command_help(exc.command), nl=False)
        output.error(exc.failure)
        raise QuietExit(exc.exit_code) from exc
