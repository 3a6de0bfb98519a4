"""Flavours: finding them, and parsing their command files into steps.

A flavour is a command file ``<name>`` (pot sub-commands applied from the host), a
bootstrap script ``<name>.sh`` (run inside the pot), or both. Running the steps is the
job of the create/clone operations; this module only finds and parses.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from pathlib import Path

from pot import log as logging
from pot.errors import PotError
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

# the sub-commands upstream lets a command file use (set-attr, the alias, is not one)
COMMANDS = (
    "add-dep",
    "set-attribute",
    "copy-in",
    "copy-in-flv",
    "mount-in",
    "set-rss",
    "export-ports",
    "set-cmd",
    "set-env",
)
_SET_CMD_PREFIX = "set-cmd -c "
_SET_CMD_NAMED = re.compile(r"set-cmd -p [^ \t]+ -c ")
_BLANKS = re.compile(r"[ \t]+")
_GLOB_CHARS = frozenset("*?[")


class FlavourNotFound(PotError):
    """Neither a command file nor a script exists for the flavour."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Flavour {name} not found")
        self.name = name


@record
class Flavour:
    """A flavour as found: absolute paths of its parts (at least one is set).

    ``script_arg`` is the script's path spelled as upstream passes it to ``cp -v``
    (``NAME``, ``./NAME.sh`` or the flavour directory's path), for identical output.
    """

    name: str
    commands: Path | None
    script: Path | None
    script_arg: str | None = None


def flavour_dir(settings: Settings) -> Path | None:
    """``<real path of POT_ETC>/flavours``, or None when it does not exist."""
    folder = settings.flavour_dir
    return folder.resolve() if folder.is_dir() else None


def find(settings: Settings, name: str, cwd: Path) -> Flavour:
    """Look a flavour up as upstream does: the path given, then ``./``, then the flavour dir.

    Relative names are taken relative to ``cwd`` (the directory create/clone run in).
    Raises FlavourNotFound (``Flavour NAME not found``).

    Deviations: without a flavour directory upstream would look in ``/``, and it takes
    any readable path in the flavour directory (a folder too) as a command file; we
    look in no directory then and take regular files only.
    """
    folder = flavour_dir(settings)
    commands = _find_commands(name, cwd, folder)
    script_arg = _find_script(name, cwd, folder)
    if commands is None and script_arg is None:
        log.debug("Looking in the flavour dir %s", folder or "")
        raise FlavourNotFound(name)
    script = cwd / script_arg if script_arg is not None else None
    return Flavour(name, commands, script, script_arg)


def _readable_file(path: Path) -> bool:
    return path.is_file() and os.access(path, os.R_OK)


def _find_commands(name: str, cwd: Path, folder: Path | None) -> Path | None:
    if name.endswith(".sh"):
        return None
    for candidate in (cwd / name, cwd / f"./{name}"):
        if _readable_file(candidate):
            return candidate
    if folder is not None and (folder / name).is_file():
        return folder / name
    return None


def _find_script(name: str, cwd: Path, folder: Path | None) -> str | None:
    """The script's path as upstream spells it (relative ones are relative to cwd)."""
    if name.endswith(".sh") and (cwd / name).is_file():
        return name
    for spelled in (f"{name}.sh", f"./{name}.sh"):
        if (cwd / spelled).is_file():
            return spelled
    if folder is not None and (folder / f"{name}.sh").is_file():
        return str(folder / f"{name}.sh")
    return None


@record
class Step:
    """One line of a command file.

    ``args`` are the words after the command, split on blanks like an unquoted shell
    expansion: quotes are *not* interpreted and stay in the words (glob characters are
    left for ``expand_globs``). For ``set-cmd`` they are ``("-c", <rest of the line,
    verbatim>)``. An invalid line carries upstream's ``message``: with ``fatal`` it fails
    the flavour (a ``set-cmd`` not written ``set-cmd -c ...``), else upstream prints it
    as an error and goes on with the next line.
    """

    number: int
    line: str
    command: str
    args: tuple[str, ...]
    message: str | None = None
    fatal: bool = False

    @property
    def valid(self) -> bool:
        return self.message is None

    @property
    def in_flavour_dir(self) -> bool:
        """copy-in-flv: run copy-in in the command file's folder (relative -s paths)."""
        return self.command == "copy-in-flv"

    def argv(self, pot: str) -> tuple[str, ...]:
        """The pot sub-command upstream runs; ``-p <pot>`` comes last, so it wins."""
        name = "copy-in" if self.in_flavour_dir else self.command
        return (name, *self.args, "-p", pot)


def parse(text: str, source: str) -> list[Step]:
    """Parse a command file; ``source`` is the flavour's name as given to -f (used in messages).

    Lines are read as ``read -r`` does (blanks around them dropped, backslashes kept).
    Deviation: upstream's read loop skips a last line that lacks its newline; we parse it.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [_parse_line(number, raw.strip(" \t"), source) for number, raw in enumerate(lines, 1)]


def _parse_line(number: int, line: str, source: str) -> Step:
    words = _BLANKS.split(line) if line else []
    command = words[0] if words else ""
    if command not in COMMANDS:
        message = f"Flavor {source}: line {line} not valid - ignoring"
        return Step(number, line, command, tuple(words[1:]), message)
    if command == "set-cmd":
        return _parse_set_cmd(number, line)
    return Step(number, line, command, tuple(words[1:]))


def _parse_set_cmd(number: int, line: str) -> Step:
    # set-cmd is taken verbatim (quotes and all) so that the command survives as written.
    # Upstream 0.16 refuses `set-cmd -p NAME -c ...`, the form the image guide's own
    # flavour uses; we accept it, and the name is replaced by the pot being made, as
    # upstream does for every other flavour command.
    named = _SET_CMD_NAMED.match(line)
    if named is not None:
        line = _SET_CMD_PREFIX + line[named.end() :]
    if not line.startswith(_SET_CMD_PREFIX):
        message = "In flavour only 'set-cmd -c ' is supported"
        return Step(number, line, "set-cmd", (), message, fatal=True)
    return Step(number, line, "set-cmd", ("-c", line[len(_SET_CMD_PREFIX) :]))


def expand_globs(words: Sequence[str], cwd: Path) -> tuple[str, ...]:
    """Pathname expansion as the shell applies it to the unquoted words of a line.

    A word with ``*``, ``?`` or ``[`` becomes the sorted names it matches (relative to
    ``cwd`` when relative); a word that matches nothing stays as it is.
    """
    out: list[str] = []
    for word in words:
        matches = sorted(glob.glob(word, root_dir=cwd)) if _GLOB_CHARS & set(word) else []
        out.extend(matches or [word])
    return tuple(out)
