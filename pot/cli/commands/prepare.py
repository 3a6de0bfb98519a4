"""pot prepare: import an image if needed, clone it for an allocation and customise it."""

from __future__ import annotations

from pathlib import Path

import click

from pot.cli import output
from pot.cli.params import (
    App,
    dns_option,
    echo_help,
    last,
    last_value,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.cli.progress import bar, fetching
from pot.errors import QuietExit
from pot.ops import attrs, create, prepare


def _network_type(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str:
    mapped = [prepare.network_type(value) for value in values]
    return mapped[-1] if mapped else ""


def _ports(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    for value in values:
        attrs.check_export_port(value)
    return values


@pot_command("prepare")
@verbose_option
@click.option("-p", "pot", multiple=True, callback=last())
# not checked here: an empty -U is refused by the nested import, as upstream
@click.option("-U", "url", multiple=True, callback=last_value(str, None))
@click.option("-t", "tag", multiple=True, callback=last())
@click.option("-c", "cmd", multiple=True, callback=last())
@click.option("-e", "ports", multiple=True, callback=_ports)
@click.option("-a", "allocation", multiple=True, callback=last())
@click.option("-n", "name", multiple=True, callback=last())
@click.option("-s", "start", is_flag=True)
@click.option("-N", "network_type", multiple=True, callback=_network_type)
@click.option("-i", "ips", multiple=True)
@click.option("-B", "bridge", multiple=True, callback=last())
@click.option("-S", "stack", multiple=True, callback=last(create.check_stack))
@click.option("-d", "dns", multiple=True, callback=dns_option)
@click.option("-C", "pubkey", multiple=True, callback=last_value(str, None))
@pass_app
def command(
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
            say=click.echo,
        )
    except prepare.NestedUsageError as exc:
        for line in exc.lines:
            output.error(line)
        echo_help(exc.command)
        output.error(exc.failure)
        raise QuietExit(exc.exit_code) from exc
