"""The status file of a running pot (``POT_TMP/pot_status_<pot>``) and its transitions.

Upstream's set-status, always under the per-pot lock ``POT_TMP/pot-lock-<pot>`` (the file
upstream's ``lockf`` takes, so both can run side by side). Format and rules: upstream
share/pot/set-status.sh, pot-set-status.
"""

from __future__ import annotations

import os
import re
from enum import IntEnum

from pot import lock, model, potconf, rctl
from pot import log as logging
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)

STATUSES = ("starting", "doa", "started", "stopping", "stopped")
_KEY = "pot.status="
# which current statuses each new status may follow ("" = no status file)
_ALLOWED_FROM = {
    "starting": ("", "stopped"),
    "started": ("starting",),
    "doa": ("starting",),
    "stopping": ("started", "doa", "stopped"),
    "stopped": ("stopping",),
}
_BOOT_SECONDS = re.compile(r".*[^u]sec = ([0-9]*).*")


class Transition(IntEnum):
    """set-status's exit status."""

    DONE = 0
    REFUSED = 1
    ALREADY = 2


@record
class Status:
    status: str  # "" when there is no (current) status file
    interfaces: str  # host-side epairs joined by ':'


@record
class Changed:
    result: Transition
    # stopping: the interfaces kept from the previous status (upstream prints them)
    interfaces: str = ""


def _boot_time() -> int:
    match = _BOOT_SECONDS.fullmatch(rctl.sysctl("kern.boottime"))
    return int(match.group(1)) if match and match.group(1) else 0


def read(s: Settings, pot: str) -> Status:
    """The last status line; an absent file, or one older than the boot, is no status."""
    path = model.status_file(s, pot)
    try:
        mtime = int(path.stat().st_mtime)
        text = path.read_text(errors="replace")
    except OSError:
        return Status("", "")
    if _boot_time() > mtime:
        log.debug("Ignoring outdated status file %s of pot %s", path, pot)
        return Status("", "")
    lines = [line for line in text.splitlines() if line.startswith(_KEY)]
    if not lines:
        return Status("", "")
    value = re.sub(r'[ \t"]', "", lines[-1]).split("=")[1]
    status, _, rest = value.partition(",")
    return Status(status, rest.split(",")[0])


def change(s: Settings, pot: str, new: str, interfaces: str = "") -> Changed:
    """Upstream's ``lockf pot-lock-<p> pot set-status -p <p> -s <new> [-i <interfaces>]``."""
    with lock.transient(model.status_lock_file(s, pot)):
        return _change(s, pot, new, interfaces)


def _change(s: Settings, pot: str, new: str, interfaces: str) -> Changed:
    current = read(s, pot)
    if current.status == new:
        return Changed(Transition.ALREADY)
    # an unknown status (upstream goes on with an empty one) is allowed from no status
    if current.status not in _ALLOWED_FROM.get(new, ("",)):
        return Changed(Transition.REFUSED)
    if new in ("starting", "stopped"):
        interfaces = ""
    elif new == "stopping":
        interfaces = current.interfaces
    _write(s, pot, f"{new},{interfaces}")
    return Changed(Transition.DONE, interfaces if new == "stopping" else "")


def _write(s: Settings, pot: str, value: str) -> None:
    path = model.status_file(s, pot)
    try:
        old = path.read_text(errors="replace").splitlines()
    except OSError:
        old = []
    # upstream appends the new line and drops the first older status line
    lines = [*old, f"{_KEY}{value}"]
    if sum(line.startswith(_KEY) for line in lines) > 1:
        first = next(i for i, line in enumerate(lines) if line.startswith(_KEY))
        del lines[first]
    s.tmp.mkdir(parents=True, exist_ok=True)
    potconf.atomic_write(path, "".join(f"{line}\n" for line in lines))


def put_back(s: Settings, pot: str, previous: str, interfaces: str) -> None:
    """Write ``previous`` again after a transition whose work failed (stop's ``jail -r``)."""
    with lock.transient(model.status_lock_file(s, pot)):
        _write(s, pot, f"{previous},{interfaces}")


def remove(s: Settings, pot: str) -> None:
    with lock.transient(model.status_lock_file(s, pot)):
        model.status_file(s, pot).unlink(missing_ok=True)


def touch_ok(s: Settings) -> bool:
    """Whether POT_TMP exists or can be made (upstream's ``_is_pot_tmp_dir``)."""
    try:
        s.tmp.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(s.tmp, os.W_OK)
