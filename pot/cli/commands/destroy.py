"""pot destroy: remove a pot, a base, an fscomp or a private bridge."""

from __future__ import annotations

from pot.cli import output
from pot.cli.app import App
from pot.cli.root import require_root
from pot.errors import UsageError
from pot.ops import destroy


def quiet(app: App, value: bool) -> bool:
    """``-q`` sets the verbosity to 0 where it appears (a later ``-v`` counts again)."""
    app.verbosity = 0
    output.set_verbosity(0)
    return value


def run(
    app: App,
    quiet: bool,
    force: bool,
    recursive: bool,
    pot: str,
    base: str,
    fscomp: str,
    bridge: str,
) -> None:
    """Options: pot.cli.optspec.TABLES["destroy"]."""
    given = [name for name in (pot, base, fscomp, bridge) if name]
    if not given:
        raise UsageError("-b or -p or -f or -B are missing")
    if len(given) > 1:
        raise UsageError("-b, -p, -f and -B cannot be used at the same time")
    require_root()
    s = app.settings
    try:
        if bridge:
            destroy.destroy_bridge(s, bridge, flags_given=force or recursive)
        elif fscomp:
            destroy.destroy_fscomp(s, fscomp, flags_given=force or recursive)
        elif base:
            destroy.destroy_base(s, base, recursive=recursive, force=force)
        else:
            destroy.destroy_pot(s, pot, recursive=recursive, force=force)
    except destroy.DestroyFailed as exc:
        # zfs's own words, on stderr where upstream lets zfs print them
        if exc.detail.strip():
            output.echo(exc.detail.rstrip("\n"), err=True)
        raise
