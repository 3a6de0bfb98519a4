"""What many commands share: upstream's checks (is pot initialised, is a pot valid) and
per-pot facts."""

from __future__ import annotations

import os

from pot import jail, model, potconf, rootpath, zfs
from pot import log as potlog
from pot.errors import ConfigError, PotError, PotNotFound, worded
from pot.potconf import PotConf
from pot.settings import Settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from typing import TypeAlias

    from pot.pottype import PotType

log = potlog.getLogger(__name__)

# the root check a command's op runs once its own checks passed (the CLI passes
# require_root; library callers and nested commands pass allowed)
# (a string alias: collections.abc is not loaded at start-up, see pot.model)
Authorize: TypeAlias = "Callable[[], None]"


def allowed() -> None:
    """The default ``authorize``: the caller is authorised already."""


# Marks on a pot's dataset while it is not complete (upstream sets no such property). A
# create or clone makes the dataset with INCOMPLETE=<command> and clears it as its last
# step; a rename sets RENAMING=<old>/<new> before it changes anything and clears it at
# the end. Both are made and cleared under the pot's lock, so a mark found by someone
# holding that lock was left by a process that died (SIGKILL, power loss).
INCOMPLETE = ":pot.incomplete"
RENAMING = ":pot.renaming"
MARKS = (INCOMPLETE, RENAMING)


def pot_problem(s: Settings, pot: str) -> str | None:
    """Upstream's PotCheck: None for a valid pot, else the reason (without prefix)."""
    if not pot or not os.path.isdir(model.pot_folder(s, pot)):
        return f"Pot {pot} not found"
    marks = zfs.user_props(model.pot_dataset(s, pot), MARKS)
    if marks is None:
        return f"zfs dataset {pot} not found"
    unfinished = _unfinished(s, pot, marks)
    if unfinished:
        return unfinished
    conf = model.pot_conf_path(s, pot)
    # a link at conf or conf/pot.conf is a broken pot (never followed: pot.rootpath)
    if not rootpath.is_dir(model.pot_file(s, pot, "m")) or not rootpath.readable(conf):
        return f"Some component of the pot {pot} is missing"
    multi = read_conf(s, pot).get("pot.type") != "single"
    if multi and not rootpath.readable(model.fscomp_conf_path(s, pot)):
        return f"Some component of the pot {pot} is missing"
    return None


def _unfinished(s: Settings, pot: str, marks: dict[str, str]) -> str | None:
    # the maker's own steps (flavours, their nested pot commands) use the pot already
    if marks[INCOMPLETE] and not _is_making(s, pot):
        return f"The pot {pot} is incomplete (an interrupted {marks[INCOMPLETE]})"
    if marks[RENAMING]:
        return f"The pot {pot} is half renamed (an interrupted rename {marks[RENAMING]})"
    return None


def _is_making(s: Settings, pot: str) -> bool:
    from pot import lock  # only for a marked pot: lock is not loaded by every check

    return lock.is_making(model.pot_dataset(s, pot))


def is_pot(s: Settings, pot: str) -> bool:
    return pot_problem(s, pot) is None


def check_pot(s: Settings, pot: str, *more: str, usage: bool = False) -> None:
    """Raise PotNotFound with PotCheck's line (three spaces, as upstream) and ``more``."""
    problem = pot_problem(s, pot)
    if problem is not None:
        raise PotNotFound(worded("", problem), *more, usage=usage)


def read_conf(s: Settings, pot: str) -> PotConf:
    return potconf.read(model.pot_conf_path(s, pot))


def write_conf(s: Settings, pot: str, conf: PotConf) -> None:
    potconf.write(model.pot_conf_path(s, pot), conf)


def is_persistent(conf: PotConf) -> bool:
    return conf.get("pot.attr.persistent") != "NO"


def pot_type(conf: PotConf) -> PotType:
    """A pot.conf without ``pot.type`` is an old multi pot."""
    from pot.pottype import PotType  # an enum: loaded only by the commands that ask

    return PotType.SINGLE if conf.get("pot.type") == "single" else PotType.MULTI


def is_running(pot: str) -> bool:
    return jail.is_running(pot)


def snapshots(s: Settings, pot: str) -> list[str]:
    """Snapshot names (after ``@``) of the pot's own dataset, oldest first."""
    return [name.split("@", 1)[1] for name in zfs.snapshots(model.pot_dataset(s, pot))]


def pot_names(s: Settings) -> list[str]:
    """Every folder under ``POT_FS_ROOT/jails`` in the order of upstream's ``ls -d jails/*/``."""
    try:
        entries = list((s.fs_root / "jails").iterdir())
    except OSError:
        return []
    return model.folder_order(e.name for e in entries if not e.name.startswith(".") and e.is_dir())


def read_conf_or_empty(s: Settings, pot: str) -> PotConf:
    """pot.conf, or an empty one when it is missing or unreadable (upstream's grep: nothing)."""
    try:
        return read_conf(s, pot)
    except ConfigError:
        return PotConf()


def host_name() -> str:
    """The host's name, as hostname(1) and socket.gethostname() give it (socket is not
    loaded for it)."""
    return os.uname().nodename


def usable_hostname(pot: str, host: str, max_length: int) -> str:
    """Upstream's hostname rule: ``<pot>.<host>`` if it fits, else the pot's name (cut)."""
    if len(pot) > max_length:
        return pot[:max_length]
    qualified = f"{pot}.{host}"
    return pot if len(qualified) > max_length else qualified


def locked(s: Settings, pot: str) -> AbstractContextManager[None]:
    """The pot's command lock: held by every command that changes the pot or reads its
    datasets for long, so that e.g. a destroy waits for an export of the same pot."""
    from pot import lock

    return lock.pot_lock(model.pot_locks_dir(s), pot)


def remove_incomplete(s: Settings, pot: str) -> None:
    """Remove what a killed create or clone of ``pot`` left (the caller holds its lock).

    A half renamed pot is never removed: its rename is run again.
    """
    dataset = model.pot_dataset(s, pot)
    marks = zfs.user_props(dataset, MARKS) if zfs.exists(dataset) else None
    if marks is None:
        return
    if marks[RENAMING]:
        old, _, new = marks[RENAMING].partition("/")
        raise PotError(f"pot {pot} is half renamed: run pot rename -p {old} -n {new} again")
    if not marks[INCOMPLETE]:
        return
    log.info("Removing %s, left incomplete by an interrupted %s", pot, marks[INCOMPLETE])
    zfs.destroy(dataset, recursive=True, force=True)
    folder = model.pot_dir(s, pot)
    if folder.is_dir() and not folder.is_symlink():
        import shutil

        shutil.rmtree(folder)


def is_incomplete(s: Settings, pot: str) -> bool:
    """Whether ``pot`` is the leftover of a killed create or clone."""
    marks = zfs.user_props(model.pot_dataset(s, pot), MARKS)
    return marks is not None and bool(marks[INCOMPLETE])


def report(logger: logging.Logger | potlog.Logger, exc: PotError) -> None:
    """An error's lines as error messages, for steps upstream reports and goes on from."""
    for line in exc.lines:
        logger.error("%s", line)


# --------------------------------------------------------------------------- pot init done?


def config_problem(s: Settings) -> str | None:
    """Upstream's configuration check: None when valid, else the reason."""
    if not s.get("POT_ZFS_ROOT"):
        return "POT_ZFS_ROOT is mandatory"
    if not s.get("POT_FS_ROOT"):
        return "POT_FS_ROOT is mandatory"
    group = s.get("POT_GROUP") or "pot"
    try:
        import grp  # a shared library: loaded only by the commands that look up a group

        grp.getgrnam(group)
    except KeyError:
        return f"Group '{group}' is missing, create it or change POT_GROUP"
    return None


def require_init(s: Settings) -> None:
    """Fail unless ``pot init`` has made POT_ZFS_ROOT at POT_FS_ROOT.

    Messages as upstream's quiet-able helper (empty mode word: three spaces). A missing
    bases/jails/fscomp dataset is reported but, as upstream, not fatal.
    """
    problem = config_problem(s)
    if problem is not None:
        raise PotError(worded("", problem), worded("", "Configuration not valid, please verify it"))
    root = s.zfs_root
    if not zfs.exists(root) or zfs.get(root, "mountpoint") != str(s.fs_root):
        raise PotError(worded("", "Your system is not initialized, please run pot init"))
    if not all(zfs.exists(f"{root}/{child}") for child in ("bases", "jails", "fscomp")):
        log.error(
            worded("", "Your system is not propery initialized, please run pot init to fix it")
        )
