"""pot prune: destroy the stopped pots that asked for it (prunable and to-be-pruned).

``start`` marks a prunable pot ``to-be-pruned``; prune destroys every such pot that is
not running. Unlike upstream, a pot that cannot be destroyed does not end the run: its
errors are reported and the next pot is tried.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pot import jail, model, rootpath
from pot import log as logging
from pot.errors import PotError, worded
from pot.ops import common, destroy
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

# -g: a pot whose last run ended less than this many seconds ago is kept
GRACE_SECONDS = 60
# -g: upstream's pause that gives a just-finished start the time to write its stats
GRACE_PAUSE = 2.0


@record
class Pruned:
    """The pots pruned (or that would be, with dry_run) and those that failed."""

    pruned: tuple[str, ...]
    failed: tuple[str, ...]


def prune(
    s: Settings,
    *,
    dry_run: bool = False,
    grace: bool = False,
    quiet: bool = False,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Pruned:
    """Destroy every stopped pot with ``prunable`` and ``to-be-pruned`` set to YES.

    ``grace`` keeps pots whose ``.last_run_stats`` changed within the last minute (checked
    before and after a pause). ``quiet`` drops only the ``Error while pruning`` lines.
    """
    pruned: list[str] = []
    failed: list[str] = []
    for pot in common.pot_names(s):
        if not _wants_pruning(s, pot) or (grace and _just_ran(s, pot, now, sleep)):
            continue
        log.info("Pruning %s", pot)
        if dry_run:
            pruned.append(pot)
            continue
        try:
            destroy.destroy_pot(s, pot)
        except PotError as exc:
            if isinstance(exc, destroy.DestroyFailed) and exc.detail:
                log.debug("zfs: %s", exc.detail.strip())
            common.report(log, exc)
            if not quiet:
                log.error("%s", worded("", f"Error while pruning {pot}"))
            failed.append(pot)
            continue
        log.info("Pruned %s", pot)
        pruned.append(pot)
    return Pruned(tuple(pruned), tuple(failed))


def _wants_pruning(s: Settings, pot: str) -> bool:
    if jail.is_running(pot):
        return False
    conf = common.read_conf_or_empty(s, pot)
    return conf.get("pot.attr.prunable") == "YES" and conf.get("pot.attr.to-be-pruned") == "YES"


def _just_ran(
    s: Settings, pot: str, now: Callable[[], float], sleep: Callable[[float], None]
) -> bool:
    if _recent_stats(s, pot, now()):
        return True
    sleep(GRACE_PAUSE)
    return _recent_stats(s, pot, now()) or jail.is_running(pot)


def _recent_stats(s: Settings, pot: str, at: float) -> bool:
    try:
        stats = rootpath.lstat(model.pot_file(s, pot, "conf/.last_run_stats"))
    except (OSError, PotError):
        return False
    return stats is not None and at - stats.st_mtime < GRACE_SECONDS
