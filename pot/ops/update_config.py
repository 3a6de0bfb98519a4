"""update-config: bring the pot.conf of older pots up to the current keys.

As upstream: missing defaults are appended (in upstream's order), the old
``pot.export.static.ports`` and ``ip4`` keys are converted to ``pot.export.ports`` and
``network_type``/``ip``, ``pot.rss.cpuset`` is dropped, and legacy absolute mount points
in fscomp.conf are made relative. Two upstream bugs are fixed: the early-start-at-boot
default is written under its real key (upstream tested and wrote a misspelt one, so it
appended a line at every run), and a key whose default is empty (``exec_stop``) is
added only when it is absent (upstream appended it again at every run).
"""

from __future__ import annotations

from pot import log as logging
from pot import potconf
from pot.ops import common, mounts
from pot.potconf import PotConf
from pot.settings import Settings

log = logging.getLogger(__name__)

# upstream's defaults for keys that may be missing, in the order it appends them
_LEADING_DEFAULTS = (
    ("pot.dns", "inherit"),
    ("pot.cmd", "sh /etc/rc"),
    ("pot.attr.no-rc-script", "NO"),
    ("pot.attr.persistent", "YES"),
    ("pot.attr.start-at-boot", "NO"),
    ("pot.attr.early-start-at-boot", "NO"),
)
_TRAILING_DEFAULTS = (
    ("pot.attr.prunable", "NO"),
    ("pot.attr.localhost-tunnel", "NO"),
    ("pot.attr.no-tmpfs", "NO"),
    ("pot.attr.no-etc-hosts", "NO"),
)


def defaults() -> tuple[tuple[str, str], ...]:
    """Every (key, default) update-config makes sure of, in upstream's order."""
    jail = tuple((a.key, a.default or "") for a in potconf.JAIL_ATTRIBUTES)
    return _LEADING_DEFAULTS + jail + _TRAILING_DEFAULTS


def update_pot(s: Settings, pot: str) -> None:
    """Update one pot's pot.conf and fscomp.conf; PotNotFound for an invalid pot."""
    common.check_pot(s, pot, "Invalid pot name")
    conf = common.read_conf(s, pot)
    before = conf.text()
    _add_defaults(conf)
    _convert_static_ports(conf)
    _convert_ip4(conf)
    _drop_cpuset(conf)
    if conf.text() != before:
        common.write_conf(s, pot, conf)
    mounts.update_fscomp(s, pot)


def update_all(s: Settings) -> None:
    """Every pot, in ``ls`` order; the first invalid one stops the loop, as upstream."""
    for pot in common.pot_names(s):
        update_pot(s, pot)
        log.debug("Updated %s configuration", pot)


def _add_defaults(conf: PotConf) -> None:
    for key, value in defaults():
        present = conf.raw(key)
        if present is None or (present == "" and value != ""):
            log.debug("%s=%s", key, value)
            if present is None:
                conf.add(key, value)
            else:
                conf.set(key, value)


def _convert_static_ports(conf: PotConf) -> None:
    static = conf.raw("pot.export.static.ports")
    if not static:
        return
    log.debug("converting exported static ports using the new format")
    conf.remove("pot.export.static.ports")
    ports = [f"{p}:{p}" for p in static.split()]
    existing = conf.get_export_ports()
    if existing:
        ports = [*existing.split(), *ports]
        conf.remove("pot.export.ports")
    conf.add("pot.export.ports", " ".join(ports))


def _convert_ip4(conf: PotConf) -> None:
    ip4 = conf.raw("ip4")
    if not ip4:
        return
    log.debug("converting the network configuration using the new format")
    vnet = conf.raw("vnet")
    conf.remove("ip4")
    if ip4 == "inherit":
        conf.add("network_type", "inherit")
        return
    conf.add("network_type", "alias" if vnet == "false" else "public-bridge")
    conf.add("ip", ip4)


def _drop_cpuset(conf: PotConf) -> None:
    cpuset = conf.raw("pot.rss.cpuset")
    if not cpuset:
        return
    log.info("Removing cpuset rss allocation: %s", cpuset)
    log.info("rss.cpuset has been deprecated; please use the more generic rss.cpus")
    conf.remove("pot.rss.cpuset")
