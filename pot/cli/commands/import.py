"""pot import: an image from a base URL (file://, http://, https://) as the pot NAME_TAG."""

from __future__ import annotations

import click

from pot.cli.params import (
    App,
    last_value,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.cli.progress import bar, fetching
from pot.ops import imports


def _url(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str | None:
    for value in values:
        imports.check_url(value)
    return values[-1] if values else None


@pot_command("import")
@verbose_option
@click.option("-p", "pot", multiple=True, callback=last_value(str, None))
@click.option("-t", "tag", multiple=True, callback=last_value(str, None))
@click.option("-U", "url", multiple=True, callback=_url)
@click.option("-C", "pubkey", multiple=True, callback=last_value(str, None))
@pass_app
def command(
    app: App, pot: str | None, tag: str | None, url: str | None, pubkey: str | None
) -> None:
    options = imports.ImportOptions(pot=pot or "", tag=tag or "", url=url, pubkey=pubkey)
    imports.import_image(app.settings, options, authorize=require_root, bar=bar, fetching=fetching)
