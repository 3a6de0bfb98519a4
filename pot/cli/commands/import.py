"""pot import: an image from a base URL (file://, http://, https://) as the pot NAME_TAG."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.checks import last
from pot.cli.progress import bar, fetching
from pot.cli.root import require_root
from pot.ops import imports


def url(_app: App, values: tuple[str, ...]) -> str:
    return last(values, imports.check_url)


def run(app: App, pot: str | None, tag: str | None, url: str | None, pubkey: str | None) -> None:
    """Options: pot.cli.optspec.TABLES["import"]."""
    options = imports.ImportOptions(pot=pot or "", tag=tag or "", url=url, pubkey=pubkey)
    imports.import_image(app.settings, options, authorize=require_root, bar=bar, fetching=fetching)
