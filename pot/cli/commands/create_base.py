"""pot create-base: a FreeBSD release as a base, with its level-0 pot."""

from __future__ import annotations

from pot.cli.app import App
from pot.cli.progress import fetching
from pot.cli.root import require_root
from pot.ops import bases
from pot.release import cached_tarball

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass


def check_releases(app: App, values: tuple[str, ...]) -> str:
    # upstream checks each -r inside its getopts loop, before the options that follow
    for value in values:
        bases.check_release_option(app.settings, value)
    return values[-1]


def check_names(app: App, values: tuple[str, ...]) -> str:
    for value in values:
        bases.check_name_option(app.settings, value)
    return values[-1]


def run(app: App, rel: str, name: str) -> None:
    """Options: pot.cli.optspec.TABLES["create-base"]."""
    new = bases.plan(app.settings, rel, name)
    require_root()
    with fetching(str(cached_tarball(app.settings, new.release))) as progress:
        bases.create_base(app.settings, new, progress=progress)
