"""pot info: a pot's configuration and state, its snapshots, its environment, or a bridge."""

from __future__ import annotations

from pot.cli import output
from pot.cli.app import App
from pot.cli.output import echo
from pot.errors import QuietExit, UsageError
from pot.ops import info
from pot.ops.info import PotInfo
from pot.settings import Settings


def run(
    app: App, quiet: bool, pot: str, bridge: str, running: bool, env: bool, snaps: bool
) -> None:
    """Options: pot.cli.optspec.TABLES["info"]. -v chooses the long format."""
    verbose = app.verbosity > 1
    _check_options(pot, bridge, quiet=quiet, verbose=verbose, env=env)
    if bridge:
        if snaps:
            output.info("Bridges has no snapshots - -s ignored")
        _bridge(app.settings, bridge, quiet=quiet)
        return
    # upstream's precedence: -r, then -q, then -s before -E
    mode = "running" if running else "snapshots" if snaps else "env" if env else "block"
    _pot(app.settings, pot, mode, quiet=quiet, verbose=verbose)


def _pot(s: Settings, pot: str, mode: str, *, quiet: bool, verbose: bool) -> None:
    info.require_pot(s, pot, quiet=quiet)
    if mode == "running":
        if not info.is_running(pot):
            raise QuietExit(1)
    elif quiet:
        return
    elif mode == "snapshots":
        _snapshots(s, pot, verbose=verbose)
    elif mode == "env":
        for name, value in info.environment(s, pot):
            echo(f"export {name}={value}")
    else:
        echo(render(info.pot_info(s, pot, verbose=verbose)), nl=False)


def _check_options(pot: str, bridge: str, *, quiet: bool, verbose: bool, env: bool) -> None:
    """Upstream's checks, in its order; each error is followed by the help text."""
    if not pot and not bridge:
        raise UsageError("Option -p or -b are mandatory")
    if pot and bridge:
        raise UsageError("Option -p and -b are mutually exclusive")
    if quiet and verbose:
        raise UsageError("Option -q and -v are mutually exclusive")
    if env and not pot:
        raise UsageError("Environment variable output available for pot only")


def _snapshots(s: Settings, pot: str, *, verbose: bool) -> None:
    for name in info.snapshot_names(s, pot):
        # upstream echoes "<snap>: -> " and the date as two words: two spaces between
        echo(f"{name}: ->  {info.snapshot_date(name)}" if verbose else name)


def _bridge(s: Settings, bridge: str, *, quiet: bool) -> None:
    info.require_bridge(s, bridge, quiet=quiet)
    if quiet:
        return
    addresses = info.bridge_addresses(s, bridge)
    if addresses is None:
        # potnet's answer for a bridge file it cannot read (it still exits 0)
        echo(f"bridge {bridge} not found", err=True)
        return
    for entry in addresses:
        echo(f"\t{entry.address}\t{entry.use}")


def render(i: PotInfo) -> str:
    """The info block as upstream prints it; the verbose parts when the facts have them."""
    verbose = i.datasets is not None
    lines = [f"pot name : {i.name}", f"\ttype : {i.type}", f"\tbase : {i.base}"]
    lines.append(f"\tlevel : {i.level}")
    if i.potbase is not None:
        lines.append(f"\tbase pot : {i.potbase}")
    lines.append(f"\tnetwork_type : {i.network_type}")
    if i.ip is not None:
        lines.append(f"\tip : {i.ip}")
        if i.bridge is not None:
            lines.append(f"\tbridge : {i.bridge}")
        if verbose:
            ports = i.export_ports
            lines.append(f"\t\texported ports: {ports}" if ports else "\t\tno ports exported")
    lines.append(f"\tactive : {'true' if i.active else 'false'}")
    if i.datasets is not None:
        lines += ["\tdatasets:", *(f"\t\t{d}" for d in i.datasets)]
    if i.snapshots is not None:
        lines += ["\tsnapshots:", *(f"\t\t{x}" for x in i.snapshots or ("no snapshots",))]
    lines += ["\tattributes:", *(f"\t\t{k}: {v}" for k, v in i.attributes)]
    lines += ["\tjail attributes:", *(f"\t\t{k}: {v}" for k, v in i.jail_attributes)]
    if verbose and (i.cpus or i.memory):
        lines.append("\tresource limits:")
        if i.cpus:
            lines.append(f"\t\tmax amount cpus: {i.cpus}")
        if i.memory:
            lines.append(f"\t\tmax amount memory: {i.memory}")
    return "\n".join(lines) + "\n\n"
