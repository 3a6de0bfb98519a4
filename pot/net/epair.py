"""The epairs of bridge-type pots, host side: create, rename ``p4…``/``p6…``, bridge, destroy
(upstream share/pot/start.sh, _js_create_epair).

The b side is handed to the jail by ``vnet.interface=``; jail(8) moves it, nothing is
left to do with it after ``jail -c``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from pot import log as logging
from pot import proc
from pot.net import host
from pot.record import record
from pot.settings import Settings

log = logging.getLogger(__name__)


# the epair driver race upstream sleeps around was fixed in FreeBSD 13.1
_EPAIR_RACE_FIXED = 1301000
_RENAME_TRIES = 10


@record
class Epair:
    """One epair of a running pot."""

    host: str  # the a side, renamed p4…/p6…: a member of the bridge, destroyed at stop
    pot: str  # the b side, epair<N>b: moved into the jail by vnet.interface=


def epair_name(family: str, when: int, pid: int) -> str:
    """``p<family><epoch seconds in hex><pid in hex>`` (15 characters on FreeBSD)."""
    return f"p{family}{when:x}{pid:x}"


def new_epair(pot: str, family: str) -> Epair:
    """``ifconfig epair create``, then the a side renamed ``p<family>…``."""
    a_side = host.query(["ifconfig", "epair", "create", "descr", pot, "group", "pot"]).strip()
    if not a_side:
        raise host.NetworkError("ifconfig epair failed")
    try:
        host_side = _rename(a_side, family)
    except host.NetworkError:
        host.attempt(["ifconfig", a_side, "destroy"])
        raise
    return Epair(host_side, a_side.removesuffix("a") + "b")


def _rename(interface: str, family: str) -> str:
    # two pots started by one process within a second would get the same name:
    # the next second's name is tried then
    now, pid = int(time.time()), os.getpid()
    for step in range(_RENAME_TRIES):
        result = proc.run_if_installed(
            ["ifconfig", interface, "name", epair_name(family, now + step, pid)],
            show_errors=True,
        )
        if result is not None and result.ok and result.stdout.strip():
            return result.stdout.strip()
        if result is None or "File exists" not in result.stderr:
            break
    raise host.NetworkError("ifconfig epair rename failed")


def attach(s: Settings, bridge: str, epair: Epair) -> None:
    """Bring the host side up and make it a member of the bridge (``private`` if isolated)."""
    proc.run(["ifconfig", epair.host, "up"], show_errors=True)
    argv = ["ifconfig", bridge, "addm", epair.host]
    if s.isolate_vnet_pots:
        argv += ["private", epair.host]
    proc.run(argv, show_errors=True)


def destroy_epairs(names: Sequence[str]) -> list[str]:
    failures = []
    pause = _epair_race()
    for name in names:
        log.debug("Remove %s epair network interfaces", name)
        if pause:
            time.sleep(1)  # the epair driver of FreeBSD < 13.1 may panic otherwise
        result = proc.run_if_installed(["ifconfig", name, "destroy"], show_errors=True)
        if result is not None and result.ok:
            continue
        if result is not None and "does not exist" in result.stderr:
            log.debug("%s is gone already", name)
            continue
        failures.append(f"ifconfig {name} destroy failed")
    return failures


def _epair_race() -> bool:
    return host.to_int(host.query(["sysctl", "-n", "kern.osreldate"])) < _EPAIR_RACE_FIXED
