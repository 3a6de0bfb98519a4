"""The pot's /etc/hosts as start writes it (upstream share/pot/start.sh, _js_etc_hosts)."""

from __future__ import annotations

from pot import log as logging
from pot.net import addresses
from pot.potconf import PotConf
from pot.settings import Settings

log = logging.getLogger(__name__)


def etc_hosts_lines(s: Settings, pot: str, conf: PotConf) -> list[str]:
    """The pot's /etc/hosts, as start writes it (upstream share/pot/start.sh, _js_etc_hosts)."""
    hostname = conf.get("host.hostname") or ""
    lines = [f"::1 localhost {hostname}", f"127.0.0.1 localhost {hostname}"]
    if conf.get("pot.attr.no-etc-hosts") == "YES":
        log.debug("Attribute no-etchosts: no additional /etc/hosts entries injected")
    elif conf.get("network_type") == "public-bridge":
        lines += [f"{ip} {name}" for ip, name in addresses.etc_hosts(s)]
    elif conf.get("network_type") == "private-bridge":
        lines += [f"{ip} {name}" for ip, name in addresses.etc_hosts(s, conf.get("bridge") or "")]
    return lines + conf.raw_all("pot.hosts")
