"""pot get-rss: the resource usage of a running pot, as text or as the JSON of nomad-pot-driver."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.output import echo
from pot.cli.root import require_root
from pot.ops import attrs
from pot.ops.attrs import RssUsage


def text(usage: RssUsage) -> str:
    """Upstream's plain report (values as rctl and bc give them)."""
    return (
        f"Resource usage by the pot {usage.pot}\n"
        f"\tcpu time (ticks spent) : {usage.cputime_ticks}\n"
        f"\tcpu time (MHz)         : {usage.cputime_mhz}\n"
        f"\tpcpu (%)               : {usage.pcpu}\n"
        f"\tvirtual memory         : {usage.vmemory}\n"
        f"\tphysical memory        : {usage.memory}\n"
        f"\tswap memory            : {usage.swap}\n"
    )


def _integer(value: str) -> str:
    return str(int(value)) if value.isascii() and value.isdigit() else "0"


def _decimal(value: str) -> str:
    """A JSON number: bc's ``.500`` gets its leading zero, a missing value is 0."""
    if not attrs.is_decimal_number(value):
        return "0"
    if value.startswith("."):
        value = "0" + value
    return value + "0" if value.endswith(".") else value


def json_line(usage: RssUsage) -> str:
    """Upstream's one-line JSON (spacing and trailing blank kept), always valid JSON:
    RSS, Swap and Percent integers, TotalTicks a decimal number.
    """
    return (
        '{ "ResourceUsage": { "MemoryStats": { "RSS" : '
        f"{_integer(usage.memory)}, "
        f'"Swap" : {_integer(usage.swap)} }}, "CpuStats": {{ "TotalTicks": '
        f'{_decimal(usage.cputime_mhz)}, "Percent": {_integer(usage.pcpu)} }} }} }} '
    )


def run(app: App, pot: str, as_json: bool) -> None:
    """Options: pot.cli.optspec.TABLES["get-rss"]."""
    usage = attrs.get_rss(app.settings, pot, authorize=require_root)
    if as_json:
        echo(json_line(usage))
    else:
        echo(text(usage), nl=False)
