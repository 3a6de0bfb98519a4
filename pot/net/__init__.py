"""Networking of pots, one module per FreeBSD interface or concern.

:mod:`~pot.net.host` (read-only ifconfig/sysctl/kldstat queries), :mod:`~pot.net.pfctl`
(every pfctl argv), :mod:`~pot.net.vnet` (vnet-start: bridges and NAT),
:mod:`~pot.net.epair` (epairs, host side), :mod:`~pot.net.potside` (the pot's rc.conf or
tinirc lines), :mod:`~pot.net.ports` (exported ports, rdr rules, tunnels),
:mod:`~pot.net.etchosts` (the pot's /etc/hosts), :mod:`~pot.net.addresses` (address
parsing, reservation and allocation) and :mod:`~pot.net.start` (what start and stop do,
by network type). Below are the names the rest of pot uses; importing them does no work.
"""

# The names are loaded with their module on first use (PEP 562): the package is imported
# by modules that need only one of its parts (pot info needs address parsing), and the
# whole of it costs more than a `pot info -r` does.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pot.net.epair import Epair, epair_name
    from pot.net.etchosts import etc_hosts_lines
    from pot.net.host import NetworkError, inet_addresses, interface_exists, vnet_available
    from pot.net.pfctl import anchor_name
    from pot.net.ports import ExportPort, export_ports, rdr_rules
    from pot.net.start import (
        NetworkPlan,
        NetworkSetup,
        TeardownError,
        jail_network_params,
        pot_stack,
        setup,
        teardown,
    )
    from pot.net.vnet import check_vnet_config, nat_rules, vnet_ipv4_up, vnet_start

_MODULE_OF = {
    "Epair": "epair",
    "epair_name": "epair",
    "etc_hosts_lines": "etchosts",
    "NetworkError": "host",
    "inet_addresses": "host",
    "interface_exists": "host",
    "vnet_available": "host",
    "anchor_name": "pfctl",
    "ExportPort": "ports",
    "export_ports": "ports",
    "rdr_rules": "ports",
    "NetworkPlan": "start",
    "NetworkSetup": "start",
    "TeardownError": "start",
    "jail_network_params": "start",
    "pot_stack": "start",
    "setup": "start",
    "teardown": "start",
    "check_vnet_config": "vnet",
    "nat_rules": "vnet",
    "vnet_ipv4_up": "vnet",
    "vnet_start": "vnet",
}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Epair",
    "ExportPort",
    "NetworkError",
    "NetworkPlan",
    "NetworkSetup",
    "TeardownError",
    "anchor_name",
    "check_vnet_config",
    "epair_name",
    "etc_hosts_lines",
    "export_ports",
    "inet_addresses",
    "interface_exists",
    "jail_network_params",
    "nat_rules",
    "pot_stack",
    "rdr_rules",
    "setup",
    "teardown",
    "vnet_available",
    "vnet_ipv4_up",
    "vnet_start",
]
