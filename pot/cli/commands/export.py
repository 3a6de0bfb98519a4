"""pot export: a pot's snapshot as an image file set (NAME_TAG.xz, .meta, .skein, .sig)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from pot.cli.params import App, pass_app, pot_command, require_root, verbose_option
from pot.cli.progress import bar
from pot.ops import export

T = TypeVar("T")
Callback = Callable[[click.Context, click.Parameter, tuple[str, ...]], T]


def _last(check: Callable[[str], T], default: T) -> Callback[T]:
    """Check every value as upstream's getopts loop does; the last one wins."""

    def callback(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> T:
        checked = [check(value) for value in values]
        return checked[-1] if checked else default

    return callback


@pot_command("export")
@verbose_option
@click.option("-c", "check_tag", is_flag=True)
@click.option("-p", "pot", multiple=True, callback=_last(str, ""))
@click.option("-t", "tag", multiple=True, callback=_last(str, ""))
@click.option("-D", "directory", multiple=True, callback=_last(export.check_directory, "."))
@click.option("-l", "level", multiple=True, callback=_last(export.check_level, 6))
@click.option("-F", "force", is_flag=True)
@click.option("-A", "auto_fix", is_flag=True)
@click.option("-S", "seckey", multiple=True, callback=_last(str, ""))
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
