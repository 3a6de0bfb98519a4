"""pot mount-in: mount a directory, dataset or fscomp into a pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.root import require_root
from pot.ops import files


def run(
    app: App,
    pot: str,
    fscomp: str,
    directory: str,
    dataset: str,
    mountpoint: str,
    remount: bool,
    readonly: bool,
) -> None:
    """Options: pot.cli.optspec.TABLES["mount-in"]."""
    request = files.MountIn(
        mountpoint,
        fscomp=fscomp,
        directory=directory,
        dataset=dataset,
        remount=remount,
        readonly=readonly,
    )
    files.mount_in(app.settings, pot, request, authorize=require_root)
