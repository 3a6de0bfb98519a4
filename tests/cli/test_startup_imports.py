"""What every command loads before its own work: no click, and no module of another command.

Not a timing test (``bench/hotpath.py --startup`` measures the time). A fresh
``python -I -S`` runs the CLI the way the installed entry point does and reports the
modules it had loaded when it ended: ``pot CMD -h`` is the dispatcher, the settings, the
option parse and the help, with nothing of the command's own; and a command's module,
with all it imports, loads none of the modules that cost start-up without doing any of
the command's work (click and the typing, inspect and dataclasses it or a dataclass
brings).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_env import CliEtc
from loaded_modules import loaded

from pot.cli import optspec
from pot.cli.edge import module_name
from pot.cli.helptext import RUNTIME_HELP, command_help

# loaded by no command before its own work
HEAVY = frozenset({"click", "typing", "inspect", "dataclasses"})
# nor by the help of a command, which loads only what every command needs
HELP_FORBIDDEN = HEAVY | {"pathlib", "re", "enum", "subprocess", "logging", "contextlib"}


@pytest.mark.parametrize("name", sorted(optspec.TABLES))
def test_a_commands_help_loads_nothing_of_its_work(
    cli_etc: CliEtc, tmp_path: Path, name: str
) -> None:
    code, stdout, modules = loaded(tmp_path, name, "-h")
    assert (code, stdout) == (0, command_help(name))
    forbidden = HEAVY if name in RUNTIME_HELP else HELP_FORBIDDEN
    assert sorted(modules & forbidden) == []
    assert module_name(name) not in modules
    # the check sees what it should: the dispatcher ran
    assert "pot.cli.edge" in modules


@pytest.mark.parametrize("name", sorted(optspec.TABLES))
def test_a_commands_module_loads_no_heavy_module(tmp_path: Path, name: str) -> None:
    code, _, modules = loaded(tmp_path, "--module", module_name(name))
    assert code == 0
    assert sorted(modules & HEAVY) == []
    assert module_name(name) in modules


def test_the_check_notices_a_heavy_module(tmp_path: Path) -> None:
    code, _, modules = loaded(tmp_path, "--module", "dataclasses")
    assert code == 0
    assert {"dataclasses", "inspect"} <= modules & HEAVY
