"""vnet-start: the public, private and IPv6 bridges, IP forwarding and pf's NAT.

Upstream share/pot/vnet-start.sh; start runs it when the network a pot needs is not up.
"""

from __future__ import annotations

from pot import log as logging
from pot import model, rcconf
from pot.net import addresses, host, pfctl
from pot.settings import Settings

log = logging.getLogger(__name__)


def check_vnet_config(s: Settings) -> None:
    """vnet-start's configuration checks, with upstream's messages."""
    if not s.get("POT_NETWORK") or not s.get("POT_GATEWAY"):
        raise host.NetworkError("No network or gateway defined")
    if not s.get("POT_EXTIF"):
        raise host.NetworkError("No external interface defined")


def vnet_start(s: Settings, bridge: str | None = None) -> None:
    """Bring up the public (or ``bridge``'s private) bridge and pf NAT, and the IPv6 bridge.

    Which parts run depends on POT_NETWORK_STACK, as upstream. Failures of single steps
    are reported and the rest still runs; an unknown private bridge is only an error
    line (upstream's vnet-start then exits 0).
    """
    stack = s.network_stack
    if stack in ("ipv4", "dual"):
        _ipv4_start(s, bridge or None)
    if stack in ("ipv6", "dual"):
        _ipv6_bridge_start(s)


def _ipv4_start(s: Settings, bridge: str | None) -> None:
    _ip_forwarding()
    if bridge is None:
        _public_bridge_start(s)
    elif (model.bridges_dir(s) / bridge).exists():
        _private_bridge_start(s, bridge)
    else:
        log.error("%s is not a valid bridge", bridge)
        return
    _load_pf(s)


def _ip_forwarding() -> None:
    if host.verbose():
        host.debug_lines(host.query(["sysctl", "net.inet.ip.forwarding=1"]))
    else:
        host.attempt(["sysctl", "-qn", "net.inet.ip.forwarding=1"])


_CONFIG_ERROR = "Error during bridge configuration (%s)"


def _create_bridge(description: str) -> str | None:
    name = host.query(
        ["ifconfig", "bridge", "create", "descr", description, "group", "pot"]
    ).strip()
    if not name:
        log.error("Bridge not created")
        return None
    log.debug("Bridge created %s", name)
    return name


def _new_bridge(existing: str | None, description: str) -> str | None:
    """A bridge to configure: None when there is one already or none can be created."""
    if existing is not None:
        log.debug("Bridge %s already present", existing)
        return None
    return _create_bridge(description)


def _configure(argv: list[str], done: tuple[str, ...], failed: tuple[str, ...]) -> None:
    """One configuration step of a new bridge: ``done`` in the debug log, else ``failed``
    as an error (message and its arguments); a failed step does not stop the others."""
    if host.attempt(argv):
        log.debug(*done)
    else:
        log.error(*failed)


def _public_bridge_start(s: Settings) -> None:
    bridge = _new_bridge(host.public_bridge(s), "pot public bridge")
    if bridge is None:
        return
    gateway, netmask = s.get("POT_GATEWAY"), s.get("POT_NETMASK")
    _configure(
        ["ifconfig", bridge, "inet", gateway, "netmask", netmask],
        ("Bridge %s configured with IP %s netmask %s", bridge, gateway, netmask),
        (_CONFIG_ERROR, bridge),
    )


def _private_bridge_start(s: Settings, name: str) -> None:
    bridge = _new_bridge(host.private_bridge(s, name), "pot private bridge")
    if bridge is None:
        return
    address = f"{host.bridge_var(s, name, 'gateway')}/{host.prefix_length(s, name)}"
    _configure(
        ["ifconfig", bridge, "inet", address],
        ("Bridge %s configured with IP %s", bridge, address),
        (_CONFIG_ERROR, bridge),
    )


def _ipv6_bridge_start(s: Settings) -> None:
    bridge = _new_bridge(host.ipv6_bridge(s), "pot ipv6 bridge")
    if bridge is None:
        return
    extif = s.get("POT_EXTIF")
    _configure(
        ["ifconfig", bridge, "inet6", "up"], ("Bridge %s inet6 up", bridge), (_CONFIG_ERROR, bridge)
    )
    _configure(
        ["ifconfig", bridge, "addm", extif],
        ("Bridge %s addm %s", bridge, extif),
        ("Error while adding %s to the bridge (%s)", extif, bridge),
    )


def _load_pf(s: Settings) -> None:
    """Load pf, the main ruleset if pot's anchors are missing, and pot's NAT rules."""
    host.attempt(["kldload", "-n", "pf"])
    pf_rules = rcconf.get("pf_rules")
    if not pfctl.pot_anchors_loaded():
        log.debug("Pot anchors are missing - load %s", pf_rules)
        pfctl.load_ruleset(pf_rules)
    rules = nat_rules(s, _external_address(s))
    pfctl.load_anchor(s, pfctl.NAT_ANCHOR, rules, "pot_pf_nat_rules")
    if host.verbose():
        host.debug_lines(pfctl.nat_listing(pfctl.NAT_ANCHOR))
    pfctl.enable()


def _external_address(s: Settings) -> str:
    """POT_EXTIF_ADDR if it is an IPv4 address of POT_EXTIF, else "" (with upstream's notes)."""
    address, extif = s.get("POT_EXTIF_ADDR"), s.get("POT_EXTIF")
    if not address:
        return ""
    if addresses.ip_version(address) != 4:
        log.info("The value %s [POT_EXTIF_ADDR] is not a valid IPv4 address - ignoring", address)
        return ""
    lines = host.query(["ifconfig", extif]).splitlines()
    if not any("inet " in line and f" {address} " in line for line in lines):
        log.info(
            "The IP address %s [POT_EXTIF_ADDR] is not available on the network interface"
            " %s [POT_EXTIF]    ",
            address,
            extif,
        )
        return ""
    return address


def nat_rules(s: Settings, external_address: str = "") -> str:
    """The text loaded into the pot-nat anchor."""
    lines = [f'ext_if = "{s.get("POT_EXTIF")}"', f'localnet = "{s.get("POT_NETWORK")}"']
    if external_address:
        lines.append(f'ext_addr = "{external_address}"')
        lines.append("nat on $ext_if from $localnet to any -> $ext_addr")
    else:
        lines.append("nat on $ext_if from $localnet to any -> ($ext_if:0)")
    for interface in s.extra_extifs:
        network = s.get(f"POT_NETWORK_{interface}")
        if network:
            lines.append(f"nat on {interface} from $localnet to {network} -> ({interface}:0)")
    vpn = s.get("POT_VPN_EXTIF")
    if vpn:
        for network in s.get("POT_VPN_NETWORKS").split():
            lines.append(f"nat on {vpn} from $localnet to {network} -> ({vpn}:0)")
    return "".join(line + "\n" for line in lines)


def _nat_ready() -> bool:
    """pf is loaded, the main ruleset has pot's anchors and pot-nat holds rules."""
    if not host.pf_loaded() or not pfctl.pot_anchors_loaded():
        return False
    return bool(pfctl.nat_listing(pfctl.NAT_ANCHOR).strip())


def vnet_ipv4_up(s: Settings, bridge: str | None = None) -> str | None:
    """The public (or named private) bridge if it and pf's NAT are up, else None."""
    found = host.public_bridge(s) if bridge is None else host.private_bridge(s, bridge)
    return found if found is not None and _nat_ready() else None
