"""The network options of create and clone (``-N``, ``-i``, ``-B``, ``-S``), checked as upstream.

:func:`address` is upstream's network parameter validation: it refuses what cannot work
and gives the ``ip=`` value to store, allocating one for ``-i auto`` on the bridges.
Allocation reads every pot's pot.conf, so it must run under the global lock, and the new
pot.conf must be written before the lock is released.
"""

from __future__ import annotations

from pot import net
from pot.errors import PotError, worded
from pot.net import addresses
from pot.settings import Settings

NETWORK_TYPES = ("inherit", "alias", "public-bridge", "private-bridge")
STACKS = ("ipv4", "ipv6", "dual")
AUTO = "auto"
_NO_VNET = "This kernel doesn't support VIMAGE! No vnet possible"


class NetworkParamError(PotError):
    """The network options do not fit together (upstream prints these lines, no help)."""


def address(s: Settings, network_type: str, ips: str, bridge: str, stack: str) -> str:
    """The ``ip=`` value of a new pot: "" for inherit, the alias list, or one bridge address.

    ``ips`` is every ``-i`` value joined by spaces ("" when none was given). Raises
    NetworkParamError with upstream's messages.
    """
    if network_type == "inherit":
        return ""
    if network_type == "alias":
        _check_alias(ips, stack)
        return ips
    if network_type == "public-bridge":
        return _public_bridge(s, ips)
    if network_type == "private-bridge":
        return _private_bridge(s, ips, bridge, stack)
    raise NetworkParamError(f"Network type {network_type} not recognized")


def _public_bridge(s: Settings, ips: str) -> str:
    if not net.vnet_available():
        raise NetworkParamError(_NO_VNET)
    if ips in ("", AUTO):
        found = addresses.next_address(s)
        if found is None:
            raise NetworkParamError(f"No free IP address left in {addresses.network(s)}")
        return str(found)
    if not addresses.validate(s, ips):
        raise NetworkParamError(
            f"The {ips} IP is not valid - run potnet validate -H {ips} for more information"
        )
    return ips


def _private_bridge(s: Settings, ips: str, bridge: str, stack: str) -> str:
    if not net.vnet_available():
        raise NetworkParamError(_NO_VNET)
    if stack == "ipv6":
        raise NetworkParamError("private-bridge network type is not supported on ipv6 stack only")
    if not bridge:
        raise NetworkParamError(
            "private-bridge network type requires -B option, to specify which private bridge to use"
        )
    if not (s.fs_root / "bridges" / bridge).exists():
        raise NetworkParamError(
            worded("", f"bridge {bridge} not found"),
            f"bridge {bridge} is not valid. Have you already created it?",
        )
    if ips in ("", AUTO):
        found = addresses.next_address(s, bridge)
        if found is None:
            raise NetworkParamError(f"No free IP address left in the bridge {bridge}")
        return str(found)
    if not addresses.validate(s, ips, bridge):
        raise NetworkParamError(
            f"The {ips} IP is not valid for bridge {bridge} - run potnet validate -H {ips}"
            f" -b {bridge} for more information"
        )
    return ips


def _check_alias(ips: str, stack: str) -> None:
    if not ips:
        raise NetworkParamError("option -i is mandatory with network type is alias")
    if ips == AUTO:
        raise NetworkParamError(
            "-i auto not usable with network type alias - a real IP address has to be provided"
        )
    problem = alias_problem(ips, stack)
    if problem is not None:
        raise NetworkParamError(problem, f"{ips} is not a valid alias configuration")


def alias_problem(ips: str, stack: str) -> str | None:
    """Upstream's alias check of ``[nic|]address`` entries; None when they are fine."""
    versions: set[int] = set()
    for entry in ips.split():
        nic, ip = addresses.alias_entry(entry, "")
        if "|" in entry and not net.interface_exists(nic):
            return f"{nic} is not a valid network interface"
        version = addresses.ip_version(ip)
        if version is None:
            return f"{ip} is not a valid IP address"
        versions.add(version)
    if stack == "ipv4" and 4 not in versions:
        return "Stack is ipv4 but not ipv4 address has been provided"
    if stack == "ipv6" and 6 not in versions:
        return "Stack is ipv6 but not ipv6 address has been provided"
    return None
