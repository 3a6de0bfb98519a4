"""Upstream's "is pot initialised" check, shared by the commands that make bases and fscomps."""

from __future__ import annotations

import grp
import logging

from pot import zfs
from pot.errors import PotError, worded
from pot.settings import Settings

log = logging.getLogger(__name__)


def config_problem(s: Settings) -> str | None:
    """Upstream's configuration check: None when valid, else the reason."""
    if not s.get("POT_ZFS_ROOT"):
        return "POT_ZFS_ROOT is mandatory"
    if not s.get("POT_FS_ROOT"):
        return "POT_FS_ROOT is mandatory"
    group = s.get("POT_GROUP") or "pot"
    try:
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
