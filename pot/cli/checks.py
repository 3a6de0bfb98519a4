"""The checks several commands' options share (an option table's ``call``).

Each one is ``f(app, given)``: ``given`` is every value of the option, in order, and each
is checked as upstream's getopts loop does; what it returns is what the command gets.
A command module imports the ones its table names (pot.cli.optspec).
"""

from __future__ import annotations

# typing is not imported at run time (see pot.cli.edge)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from pot.cli.app import App
    from pot.flavours import Flavour


def given(options: dict[str, Any]) -> dict[str, Any]:
    """The options given on the command line (create, clone): the table's default of the
    others is None, and they keep the defaults of the record they go to."""
    return {name: value for name, value in options.items() if value is not None}


def last(values: tuple[str, ...], check: Callable[[str], object]) -> str:
    """Every value checked in order; the last one, as given."""
    for value in values:
        check(value)
    return values[-1]


def every(values: tuple[str, ...], check: Callable[[str], object]) -> tuple[str, ...]:
    """Every value checked in order; all of them, as given."""
    for value in values:
        check(value)
    return values


def pot_name(_app: App, values: tuple[str, ...]) -> str:
    from pot.ops import create

    return last(values, create.check_pot_name)


def network_type(_app: App, values: tuple[str, ...]) -> str:
    from pot.ops import create

    return last(values, create.check_network_type)


def stack(_app: App, values: tuple[str, ...]) -> str:
    from pot.ops import create

    return last(values, create.check_stack)


def dns(_app: App, values: tuple[str, ...]) -> str:
    """-d of create, clone and prepare: inherit, pot, off or custom:<file>."""
    from pathlib import Path

    from pot.ops import create

    cwd = Path.cwd()
    return last(values, lambda value: create.check_dns(value, cwd))


def flavours(app: App, values: tuple[str, ...]) -> tuple[Flavour, ...]:
    """-f of create and clone: each flavour found now, relative paths from the working folder."""
    from pathlib import Path

    from pot.ops import flavour

    cwd = Path.cwd()
    return tuple(flavour.find(app.settings, value, cwd) for value in values)


def ports(_app: App, values: tuple[str, ...]) -> tuple[str, ...]:
    """-e of export-ports and prepare: each port specification checked."""
    from pot.ops import attrs

    return every(values, attrs.check_export_port)
