"""zsh and bash completion: the generated scripts, driven by the real shells.

A stub ``pot`` on PATH answers the look-ups the scripts make (``pot ls -q`` ...), so
what is offered comes from the script and the command table alone.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pot.cli import completion
from pot.cli.main import ALIASES, COMMANDS

HERE = Path(__file__).resolve().parent
STUB = """\
#!/bin/sh
case "$*" in
"ls -q") printf 'web\\ndb\\n' ;;
"ps -q") printf 'web\\n' ;;
"ls -qb") printf '14.1\\n' ;;
"ls -qF") printf 'nginx-test\\n' ;;
"ls -qB") printf 'stage\\n' ;;
"ls -qf") printf 'data\\n' ;;
"info -s -p web") printf 'web@1700000000\\nweb@1700000100\\n' ;;
"create-base -h") printf 'pot create-base [-h]\\n     + 13.2\\n     + 14.1\\n' ;;
esac
"""
# (typed line, what must be offered); the same cases for both shells
CASES = [
    ("pot cre", ["create", "create-base", "create-fscomp", "create-private-bridge"]),
    ("pot get-a", ["get-attr", "get-attribute"]),
    ("pot start ", ["db", "web"]),
    ("pot stop ", ["web"]),
    ("pot run ", ["db", "web"]),
    ("pot ls -", ["-B", "-F", "-a", "-b", "-f", "-h", "-p", "-q", "-v"]),
    ("pot create -b ", ["14.1"]),
    ("pot create -p x -f ", ["nginx-test"]),
    ("pot create -N ", ["alias", "inherit", "private-bridge", "public-bridge"]),
    ("pot create -p ", []),  # a new name: nothing to offer
    ("pot destroy -f ", ["data"]),
    ("pot vnet-start -B ", ["stage"]),
    ("pot clone -P web -s ", ["web@1700000000", "web@1700000100"]),
    ("pot create-base -r ", ["13.2", "14.1"]),
    ("pot set-attr -p web -A persistent -V ", ["NO", "YES"]),
    ("pot set-attribute -p web -A sysvshm -V ", ["disable", "inherit", "new"]),
    ("pot export -l ", [str(n) for n in range(10)]),
    ("pot set-status -s ", ["doa", "started", "starting", "stopped", "stopping"]),
]


@pytest.fixture
def stub(tmp_path: Path) -> Path:
    folder = tmp_path / "stub"
    folder.mkdir()
    (folder / "pot").write_text(STUB)
    (folder / "pot").chmod(0o755)
    return folder


def test_every_command_and_alias_is_offered() -> None:
    names = {command.name for command in completion.table()}
    assert names == {*COMMANDS, *ALIASES, "help", "run"}


def test_options_come_from_the_commands() -> None:
    create = next(c for c in completion.table() if c.name == "create")
    letters = [o.letter for o in create.options]
    expected = ["-h", "-v", "-k", "-p", "-t", "-N", "-B", "-S", "-i", "-l", "-b", "-P", "-d"]
    assert sorted(letters) == sorted([*expected, "-f"])
    flavour = next(o for o in create.options if o.letter == "-f")
    assert (flavour.kind, flavour.repeated, flavour.description) == (
        "flavours",
        True,
        "flavour to be used",
    )


def test_cli_prints_the_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    assert completion.main(["zsh"]) == 0
    assert capsys.readouterr().out.startswith("#compdef pot\n")
    assert completion.main(["bash"]) == 0
    assert "complete -F _pot pot\n" in capsys.readouterr().out
    assert completion.main(["fish"]) == 2


# ---------------------------------------------------------------- bash

BASH_DRIVER = """\
source "$1"
read -r -a COMP_WORDS <<< "$2"
[[ $2 == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_pot
printf '%s\\n' "${COMPREPLY[@]}" | sort -u | sed '/^$/d'
"""


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("typed", "offered"), CASES)
def test_bash(stub: Path, tmp_path: Path, typed: str, offered: list[str]) -> None:
    script = tmp_path / "pot.bash"
    script.write_text(completion.bash_script(completion.table()))
    done = subprocess.run(
        ["bash", "--norc", "-c", BASH_DRIVER, "driver", str(script), typed],
        env={"PATH": f"{stub}:/usr/bin:/bin", "LC_ALL": "C"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.stderr == ""
    assert done.stdout.split() == sorted(offered)


def test_bash_registers_the_function(tmp_path: Path) -> None:
    script = tmp_path / "pot.bash"
    script.write_text(completion.bash_script(completion.table()))
    done = subprocess.run(
        ["bash", "--norc", "-c", f"source {script}; complete -p pot"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "complete -F _pot pot\n"


# ---------------------------------------------------------------- zsh


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.parametrize(("typed", "offered"), CASES)
def test_zsh(stub: Path, tmp_path: Path, typed: str, offered: list[str]) -> None:
    functions = tmp_path / "site-functions"
    functions.mkdir()
    (functions / "_pot").write_text(completion.zsh_script(completion.table()))
    done = subprocess.run(
        ["zsh", "-f", str(HERE / "drive.zsh"), str(functions), str(stub), typed],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TERM": "xterm", "LC_ALL": "C"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout.split() == sorted(offered), done.stderr
