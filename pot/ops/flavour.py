"""Applying flavours: each step of a command file runs as a call of its ops function.

Upstream runs every line as ``pot <command> <words> -p <pot>`` inside the create/clone
process. We parse the words the way the sub-command's getopts would (``-p <pot>`` comes
last, so it wins; a stray operand ends the options, as in sh) and call the operation
directly. ``set-cmd`` lines are stored verbatim, as upstream's flavour-only set-cmd does;
invalid lines are reported and skipped.

The bootstrap script (``<flavour>.sh``) runs after the command file, as upstream's
common-flv.sh does it: persistent switched on for the duration, ``pot start``, the script
copied to the pot's ``/tmp`` and run there with jexec, ``pot stop``. Unlike upstream, a
failing script stops the pot before the error goes to create's or clone's rollback.
"""

from __future__ import annotations

import getopt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from pot import flavours, jail, model, rootpath
from pot import log as logging
from pot.errors import PotError
from pot.flavours import Flavour, Step
from pot.ops import attrs, common, files, lifecycle
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)


def find(s: Settings, name: str, cwd: Path) -> Flavour:
    """Look the flavour up (``-f``)."""
    return flavours.find(s, name, cwd)


def apply(s: Settings, pot: str, flavour: Flavour, *, cwd: Path) -> None:
    """Run the flavour's command file on the pot, step by step, then its script.

    ``cwd`` is the directory of the create/clone command: relative paths and glob
    patterns of the lines are taken from there (``copy-in-flv``: from the flavour's
    folder). Raises the failing step's error; invalid lines are logged as errors.
    """
    log.debug("Flavour: %s", flavour.name)
    if flavour.commands is not None:
        log.debug("Executing %s pot commands on %s", flavour.name, pot)
        text = _read(flavour.commands)
        for step in flavours.parse(text, flavour.name):
            run_step(s, pot, step, cwd=cwd, flavour_dir=flavour.commands.parent)
    if flavour.script is None:
        log.debug("No shell script available for the flavour %s", flavour.name)
        return
    run_script(s, pot, flavour.name, flavour.script)


def run_script(s: Settings, pot: str, name: str, script: Path) -> None:
    """The bootstrap script, inside the started pot (see the module doc)."""
    log.debug("Starting %s pot for the initial bootstrap", pot)
    switched = common.read_conf(s, pot).get("pot.attr.persistent") == "NO"
    if switched:
        log.debug("Setting pot %s temporarily to persistent", pot)
        attrs.set_attribute(s, pot, "persistent", "YES")
    try:
        lifecycle.start(s, pot)
    except PotError as exc:  # upstream does not check the start either
        common.report(log, exc)
    try:
        target = model.pot_file(s, pot, f"m/tmp/{script.name}")
        rootpath.copy_from_host(script, target, 0o755)
        log.debug("%s -> %s", script, target.host)
        log.debug("Executing %s script on %s", name, pot)
        if jail.jexec(pot, [f"/tmp/{script.name}", pot]) != 0:
            raise PotError(f"create: flavour {name} failed (script)")
    finally:
        _stop_quietly(s, pot)
    if switched:
        log.debug("Reverting pot %s to non-persistent", pot)
        attrs.set_attribute(s, pot, "persistent", "NO")


def _stop_quietly(s: Settings, pot: str) -> None:
    # a failing stop must not hide the script's error; it is shown, not lost
    try:
        lifecycle.stop(s, pot)
    except PotError as exc:
        common.report(log, exc)


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise PotError(f"{path}: cannot be read: {exc.strerror}") from exc


# ------------------------------------------------------------------------ steps


@record
class Call:
    """One parsed step: the options as getopts saw them, and where relative paths start."""

    settings: Settings
    options: Mapping[str, tuple[str, ...]]
    cwd: Path

    def last(self, letter: str) -> str:
        """The value of an option given once or more (the last wins), "" when absent."""
        values = self.options.get(letter, ())
        return values[-1] if values else ""

    def all(self, letter: str) -> tuple[str, ...]:
        return self.options.get(letter, ())

    def flag(self, letter: str) -> bool:
        return letter in self.options

    @property
    def pot(self) -> str:
        return self.last("p")

    def path(self, letter: str) -> str:
        """A path option, made absolute from ``cwd`` (the process may run elsewhere)."""
        value = self.last(letter)
        return str(self.cwd / value) if value and not value.startswith("/") else value


def run_step(s: Settings, pot: str, step: Step, *, cwd: Path, flavour_dir: Path) -> None:
    """Run one line of a command file; see :func:`apply`."""
    if step.fatal:
        raise PotError(step.message or "")
    if not step.valid:
        log.error("%s", step.message)
        return
    if step.command == "set-cmd":
        # the rest of the line, verbatim: quotes stay for the shell that runs it
        attrs.set_cmd(s, pot, step.args[1])
        return
    where = flavour_dir if step.in_flavour_dir else cwd
    name = "copy-in" if step.in_flavour_dir else step.command
    optstring, handler = COMMANDS[name]
    words = [*flavours.expand_globs(step.args, where), "-p", pot]
    call = Call(s, _getopts(optstring, words), where)
    try:
        handler(call)
    except PotError as exc:
        if exc.usage:
            # the help would be create's or clone's, not the sub-command's: leave it out
            raise PotError(*exc.lines) from exc
        raise


def _getopts(optstring: str, words: Sequence[str]) -> Mapping[str, tuple[str, ...]]:
    """The options as sh's getopts reads them; upstream's messages for bad ones."""
    try:
        pairs, _operands = getopt.getopt(list(words), optstring)
    except getopt.GetoptError as exc:
        if "requires argument" in exc.msg:
            raise PotError(f"No arg for -{exc.opt} option") from exc
        raise PotError(f"Illegal option -{exc.opt}") from exc
    options: dict[str, list[str]] = {}
    for option, value in pairs:
        options.setdefault(option[1:], []).append(value)
    return MappingProxyType({k: tuple(v) for k, v in options.items()})


# ------------------------------------------------- one adapter per allowed command


def _set_attribute(c: Call) -> None:
    attrs.set_attribute(c.settings, c.pot, c.last("A"), c.last("V"))


def _set_rss(c: Call) -> None:
    attrs.set_rss(c.settings, c.pot, cpus=c.last("C"), memory=c.last("M"))


def _add_dep(c: Call) -> None:
    attrs.add_dep(c.settings, c.pot, c.last("P"))


def _export_ports(c: Call) -> None:
    attrs.export_ports(c.settings, c.pot, c.all("e"))


def _set_env(c: Call) -> None:
    attrs.set_env(c.settings, c.pot, c.all("E"))


def _copy_in(c: Call) -> None:
    request = files.CopyIn(
        c.path("s"), c.last("d"), force=c.flag("F"), create_dirs=c.flag("c"), verbose=c.flag("v")
    )
    files.copy_in(c.settings, c.pot, request)


def _mount_in(c: Call) -> None:
    request = files.MountIn(
        c.last("m"),
        fscomp=c.last("f"),
        directory=c.path("d"),
        dataset=c.last("z"),
        remount=c.flag("w"),
        readonly=c.flag("r"),
    )
    files.mount_in(c.settings, c.pot, request)


# the sub-commands a command file may use: upstream's getopts string and our adapter
# (set-cmd is handled above, copy-in-flv runs as copy-in)
COMMANDS: Mapping[str, tuple[str, Callable[[Call], None]]] = MappingProxyType(
    {
        "set-attribute": ("hvp:A:V:", _set_attribute),
        "set-rss": ("hvp:C:M:", _set_rss),
        "add-dep": ("hvp:P:", _add_dep),
        "export-ports": ("hvp:e:", _export_ports),
        "set-env": ("hvp:E:", _set_env),
        "copy-in": ("hvs:d:p:Fc", _copy_in),
        "mount-in": ("hvf:d:z:p:m:wr", _mount_in),
    }
)
