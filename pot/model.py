"""Names and places of pot objects: pure functions, no I/O."""

from __future__ import annotations

import os

from pot.rootpath import PotFile
from pot.settings import Settings, path_text

# The commands nomad-pot-driver runs every second (get-rss, last-run-stats, ls, signal,
# info) come through here: pathlib is not imported at start-up, the paths those
# commands need exist as text (the kinds of pot, an enum, are in pot.pottype).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


def _path(text: str) -> Path:
    from pathlib import Path

    return Path(text)


def main_pid_text(s: Settings, pot: str) -> str:
    """Where start keeps the host pid of a non-persistent pot's main command."""
    return os.path.join(path_text(s.get("POT_TMP")), f"pot_main_pid_{pot}")


def main_pid_file(s: Settings, pot: str) -> Path:
    return _path(main_pid_text(s, pot))


def jails_dataset(s: Settings) -> str:
    return f"{s.zfs_root}/jails"


def pot_dataset(s: Settings, pot: str) -> str:
    return f"{s.zfs_root}/jails/{pot}"


def base_dataset(s: Settings, base: str) -> str:
    return f"{s.zfs_root}/bases/{base}"


def base_pot_name(base: str) -> str:
    """The level-0 pot of a base: ``13.2`` -> ``base-13_2`` (only the first ``.`` is
    replaced, as upstream's sed)."""
    return "base-" + base.replace(".", "_", 1)


def fscomp_dataset(s: Settings, fscomp: str) -> str:
    return f"{s.zfs_root}/fscomp/{fscomp}"


def pot_folder(s: Settings, pot: str) -> str:
    """The pot's folder, ``POT_FS_ROOT/jails/<name>``, as text."""
    return os.path.join(path_text(s.get("POT_FS_ROOT")), "jails", pot)


def pot_dir(s: Settings, pot: str) -> Path:
    return _path(pot_folder(s, pot))


def pot_root(s: Settings, pot: str) -> Path:
    """The jail's root file system (``path=`` of the jail)."""
    return pot_dir(s, pot) / "m"


def pot_file(s: Settings, pot: str, rel: str) -> PotFile:
    """``rel`` (``conf/pot.conf``, ``m/etc/hosts``) in the pot's folder, reached through
    no link (pot.rootpath).
    """
    return PotFile(pot_folder(s, pot), rel, f"pot {pot}")


def pot_conf_path(s: Settings, pot: str) -> PotFile:
    return pot_file(s, pot, "conf/pot.conf")


def fscomp_conf_path(s: Settings, pot: str) -> PotFile:
    return pot_file(s, pot, "conf/fscomp.conf")


def base_dir(s: Settings, base: str) -> Path:
    return s.fs_root / "bases" / base


def bridges_dir(s: Settings) -> Path:
    return s.fs_root / "bridges"


def status_file(s: Settings, pot: str) -> Path:
    return s.tmp / f"pot_status_{pot}"


def status_lock_file(s: Settings, pot: str) -> Path:
    return s.tmp / f"pot-lock-{pot}"


def pot_locks_dir(s: Settings) -> Path:
    """Where the per-pot command locks live (one transient file per locked pot)."""
    return s.tmp / "pot-locks"


def image_name(pot: str, tag: str) -> str:
    """``NAME_TAG.xz`` as export writes it."""
    return f"{pot}_{tag}.xz"


def imported_pot_name(pot: str, tag: str) -> str:
    """Imported pots are ``<name>_<tag>`` with every ``.`` turned into ``_``."""
    return f"{pot}_{tag}".replace(".", "_")


def valid_pot_name(name: str) -> bool:
    """Whether create/clone accept the name.

    Upstream refuses only ``.``; we also refuse what would break datasets, paths or
    jail names (empty, ``/``, ``@``, white space, ``#``, ``%``, ``:``, a leading ``-``).
    """
    if not name or name.startswith("-"):
        return False
    return not any(c in name for c in "./@#%: \t\n\"'\\$`")


def folder_order(names: Iterable[str]) -> list[str]:
    """Folder names in the order of upstream's ``ls -d dir/*/``.

    ls sorts the glob's matches with their trailing ``/``, and ``/`` sorts after
    ``-`` and ``.``: ``test-flavour/`` comes before ``test/``.
    """
    return sorted(names, key=lambda name: name + "/")
