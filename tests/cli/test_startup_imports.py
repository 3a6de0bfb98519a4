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

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_env import CliEtc

from pot.cli import optspec
from pot.cli.edge import module_name
from pot.cli.helptext import RUNTIME_HELP, command_help

ROOT = Path(__file__).resolve().parents[2]

# loaded by no command before its own work
HEAVY = frozenset({"click", "typing", "inspect", "dataclasses"})
# nor by the help of a command, which loads only what every command needs
HELP_FORBIDDEN = HEAVY | {"pathlib", "re", "enum", "subprocess", "logging", "contextlib"}

# the program as etc/install.sh's entry point starts it: -I -S, this tree first; it
# writes the modules loaded at its end; argv[1] "--module" imports a module instead of
# running the CLI
PROGRAM = """\
import atexit, sys
sys.path[:0] = [{root!r}]
def _modules() -> None:
    with open({out!r}, "w") as f:
        f.write("\\n".join(sorted(sys.modules)))
atexit.register(_modules)
if sys.argv[1] == "--module":
    __import__(sys.argv[2])
else:
    sys.argv = ["pot", *sys.argv[1:]]
    from pot.cli.edge import main
    main()
"""


def _loaded(tmp_path: Path, *args: str) -> tuple[int, str, set[str]]:
    out = tmp_path / "modules"
    program = PROGRAM.format(root=str(ROOT), out=str(out))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", program, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, set(out.read_text().split("\n"))


@pytest.mark.parametrize("name", sorted(optspec.TABLES))
def test_a_commands_help_loads_nothing_of_its_work(
    cli_etc: CliEtc, tmp_path: Path, name: str
) -> None:
    code, stdout, modules = _loaded(tmp_path, name, "-h")
    assert (code, stdout) == (0, command_help(name))
    forbidden = HEAVY if name in RUNTIME_HELP else HELP_FORBIDDEN
    assert sorted(modules & forbidden) == []
    assert module_name(name) not in modules
    # the check sees what it should: the dispatcher ran
    assert "pot.cli.edge" in modules


@pytest.mark.parametrize("name", sorted(optspec.TABLES))
def test_a_commands_module_loads_no_heavy_module(tmp_path: Path, name: str) -> None:
    code, _, modules = _loaded(tmp_path, "--module", module_name(name))
    assert code == 0
    assert sorted(modules & HEAVY) == []
    assert module_name(name) in modules


def test_the_check_notices_a_heavy_module(tmp_path: Path) -> None:
    code, _, modules = _loaded(tmp_path, "--module", "dataclasses")
    assert code == 0
    assert {"dataclasses", "inspect"} <= modules & HEAVY
