"""pot create: a new pot (jail) from a base, a FreeBSD release or another pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.checks import dns, flavours, given, last, network_type, pot_name, stack
from pot.cli.progress import fetching
from pot.cli.root import require_root
from pot.ops import create
from pot.release import cached_tarball

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["dns", "flavours", "network_type", "pot_name", "pot_type", "run", "stack"]


def pot_type(_app: App, values: tuple[str, ...]) -> str:
    return last(values, create.check_type)


def run(app: App, /, base: str, **options: Any) -> None:
    """Options: pot.cli.optspec.TABLES["create"] (those not given are None)."""
    request = create.CreateOptions(base=base, **given(options))
    target = str(cached_tarball(app.settings, base)) if base else ""
    with fetching(target) as progress:
        create.create(app.settings, request, authorize=require_root, progress=progress)
