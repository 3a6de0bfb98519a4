"""pot export: a pot's snapshot as an image file set (NAME_TAG.xz, .meta, .skein, .sig)."""

from __future__ import annotations

from pathlib import Path

from pot.cli.app import App
from pot.cli.progress import bar
from pot.cli.root import require_root
from pot.ops import export


def directory(_app: App, values: tuple[str, ...]) -> str:
    return [export.check_directory(value) for value in values][-1]


def level(_app: App, values: tuple[str, ...]) -> int:
    return [export.check_level(value) for value in values][-1]


def run(
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
    """Options: pot.cli.optspec.TABLES["export"]."""
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
