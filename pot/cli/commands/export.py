"""pot export: a pot's snapshot as an image file set (NAME_TAG.xz, .meta, .skein, .sig)."""

from __future__ import annotations

from pathlib import Path

import click

from pot.cli.params import (
    App,
    last_value,
    pass_app,
    pot_command,
    require_root,
    verbose_option,
)
from pot.cli.progress import bar
from pot.ops import export


@pot_command("export")
@verbose_option
@click.option("-c", "check_tag", is_flag=True)
@click.option("-p", "pot", multiple=True, callback=last_value(str, ""))
@click.option("-t", "tag", multiple=True, callback=last_value(str, ""))
@click.option("-D", "directory", multiple=True, callback=last_value(export.check_directory, "."))
@click.option("-l", "level", multiple=True, callback=last_value(export.check_level, 6))
@click.option("-F", "force", is_flag=True)
@click.option("-A", "auto_fix", is_flag=True)
@click.option("-S", "seckey", multiple=True, callback=last_value(str, ""))
@pass_app
def command(
    app: App,
    check_tag: bool,
    pot: str,
    tag: str,
    directory: str,
    level: int,
    force: bool,
    auto_fix: bool,
    seckey: str,
) -> None:
    options = export.ExportOptions(
        pot=pot,
        tag=tag,
        directory=directory,
        level=level,
        check_tag=check_tag,
        force=force,
        auto_fix=auto_fix,
        seckey=Path(seckey) if seckey else None,
    )
    export.export(app.settings, options, authorize=require_root, bar=bar)
