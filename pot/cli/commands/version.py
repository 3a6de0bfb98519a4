"""pot version: the upstream version we are compatible with."""

from __future__ import annotations

from pot import UPSTREAM_VERSION
from pot.cli.app import App
from pot.cli.output import echo


def run(app: App, quiet: bool) -> None:
    """Options: pot.cli.optspec.TABLES["version"]. -v changes nothing, as upstream; our
    package's own version is ``python -m pot --version``.
    """
    echo(UPSTREAM_VERSION if quiet else f"pot version: {UPSTREAM_VERSION}")
