"""What the host's network looks like: VIMAGE, interfaces, bridges, pf in the kernel.

Read-only ifconfig, sysctl and kldstat queries, plus the runners the other net modules
share for commands whose failure upstream ignores (``$(...)`` reads, ``|| true`` steps).
A missing tool reads as a failed command. As upstream, a tool's own stderr reaches ours
(``pfctl: pf already enabled``, ifconfig's errors) unless upstream sends it to
/dev/null (``quiet``: the interface and VIMAGE probes).
"""

from __future__ import annotations

import re

from pot import log as logging
from pot import model, potconf, proc
from pot.errors import PotError
from pot.settings import Settings

log = logging.getLogger(__name__)


class NetworkError(PotError):
    """The network of a pot cannot be set up."""


def query(argv: list[str], *, quiet: bool = False) -> str:
    """stdout of a read-only command; "" when it fails (upstream reads ``$(...)``)."""
    result = proc.run_if_installed(argv, show_errors=not quiet)
    return result.stdout if result is not None and result.ok else ""


def attempt(argv: list[str], *, quiet: bool = False) -> bool:
    """Run a command whose failure upstream ignores; whether it worked."""
    result = proc.run_if_installed(argv, show_errors=not quiet)
    return result is not None and result.ok


def verbose() -> bool:
    """Upstream's ``_is_verbose``: at least one ``-v`` (debug messages shown)."""
    return log.isEnabledFor(logging.DEBUG)


def debug_lines(text: str) -> None:
    for line in text.splitlines():
        log.debug(line)


def to_int(text: str) -> int:
    """An integer answer of a query; 0 when it is none."""
    try:
        return int(text.strip())
    except ValueError:
        return 0


def vnet_available() -> bool:
    """Whether the kernel supports VIMAGE (needed by bridge network types and ``-d pot``)."""
    # upstream: sysctl -n kern.features.vimage 2>/dev/null
    return query(["sysctl", "-n", "kern.features.vimage"], quiet=True).strip() == "1"


def interface_exists(name: str) -> bool:
    """Whether ``ifconfig <name>`` knows the interface."""
    # upstream's _is_valid_netif: ifconfig <name> >/dev/null 2>&1
    return bool(name) and attempt(["ifconfig", name], quiet=True)


def pf_loaded() -> bool:
    """Upstream's ``[ -c /dev/pf ]``: the device exists exactly while pf is in the kernel."""
    return attempt(["kldstat", "-q", "-m", "pf"], quiet=True)


def _bridges() -> list[str]:
    return query(["ifconfig", "-g", "bridge"]).split()


def inet_addresses(interface: str) -> list[str]:
    """The IPv4 addresses of an interface (``ifconfig <if> inet``); [] when it fails."""
    addresses = []
    for line in query(["ifconfig", interface, "inet"]).splitlines():
        words = line.split()
        if len(words) > 1 and words[0] == "inet":
            addresses.append(words[1].split("/")[0])  # IFCONFIG_FORMAT=inet:cidr too
    return addresses


def _bridge_with_address(address: str) -> str | None:
    if not address:
        return None
    return next((b for b in _bridges() if address in inet_addresses(b)), None)


def public_bridge(s: Settings) -> str | None:
    """The bridge whose inet address is POT_GATEWAY."""
    return _bridge_with_address(s.get("POT_GATEWAY"))


def private_bridge(s: Settings, name: str) -> str | None:
    """The bridge whose inet address is the gateway of bridge file ``name``."""
    return _bridge_with_address(bridge_var(s, name, "gateway"))


def ipv6_bridge(s: Settings) -> str | None:
    """The bridge that has POT_EXTIF as a member (layer 2 onto the external network)."""
    member = re.compile(rf"member: {re.escape(s.get('POT_EXTIF'))}(\s|$)")
    return next((b for b in _bridges() if member.search(query(["ifconfig", b]))), None)


def bridge_var(s: Settings, name: str, key: str) -> str:
    """A value of ``POT_FS_ROOT/bridges/<name>`` as upstream reads it; "" when missing."""
    path = model.bridges_dir(s) / name
    if not path.is_file():
        return ""
    return potconf.read(path).get(key) or ""


def prefix_length(s: Settings, name: str) -> str:
    """The prefix length of bridge file ``name``'s ``net``."""
    return bridge_var(s, name, "net").rsplit("/", 1)[-1]
