"""pot set-rss: resource limits applied at the next start."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.checks import last
from pot.cli.root import require_root
from pot.ops import attrs


def memory(_app: App, values: tuple[str, ...]) -> str:
    # upstream validates each -M inside its getopts loop; the last one wins
    return last(values, attrs.check_memory)


def run(app: App, pot: str, cpus: str, memory: str) -> None:
    """Options: pot.cli.optspec.TABLES["set-rss"]."""
    attrs.set_rss(app.settings, pot, cpus=cpus, memory=memory, authorize=require_root)
