"""What the edge hands every command: the settings and the process verbosity."""

from __future__ import annotations

from pot.cli import output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pot.settings import Settings


class App:
    """The settings and the verbosity (1 by default, each -v adds one, as upstream)."""

    __slots__ = ("notes", "settings", "verbosity")

    def __init__(self, settings: Settings, verbosity: int = 1) -> None:
        self.settings = settings
        self.verbosity = verbosity
        # what an option's check leaves for the checks after it (config's -q)
        self.notes: set[str] = set()

    def verbose(self, count: int) -> None:
        self.verbosity += count
        output.set_verbosity(self.verbosity)
