"""What start and stop do for a pot's network, by network type (upstream share/pot/start.sh).

* inherit and alias are jail(8) parameters only (:func:`jail_network_params`);
* public-bridge and private-bridge get an epair per address family (:mod:`pot.net.epair`)
  whose host side joins a bridge and whose pot side is handed to the jail by
  ``vnet.interface=``; :func:`setup` runs vnet-start (:mod:`pot.net.vnet`) when the bridge
  or pf's NAT is missing, configures the pot's side (:mod:`pot.net.potside`) and loads the
  redirections of ``pot.export.ports`` (:mod:`pot.net.ports`);
* :func:`teardown` undoes what setup and jail(8) left behind.

Deviations from upstream, all on purpose: ``/dev/pf`` is tested as "pf is loaded"
(``kldstat -q -m pf``); repeated read-only queries are made once; a failing ``ifconfig
up``/``addm`` fails the start instead of leaving a pot without network; the duplicate
``addm`` of private bridges (which always failed) is gone; a udp entry no longer makes the
tunnels of later tcp entries udp; tunnels of ``tcp:``/``udp:`` entries are killed at stop;
ports chosen for the rules hook are excluded from later choices too; the NAT and rules
files are unique temporary files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pot import log as logging
from pot.errors import PotError
from pot.net import addresses, epair, host, pfctl, ports, potside, vnet
from pot.potconf import PotConf
from pot.record import field, record
from pot.settings import Settings

log = logging.getLogger(__name__)


STACKS = ("ipv4", "ipv6", "dual")


BRIDGE_TYPES = ("public-bridge", "private-bridge")


_MSG_NO_NETWORK = "Internal network not found! Calling vnet-start to fix the issue"


class TeardownError(PotError):
    """Some clean-up steps failed; ``failures`` says which (all the others were done)."""

    def __init__(self, failures: Sequence[str]) -> None:
        super().__init__(*failures)
        self.failures = tuple(failures)


@record
class NetworkPlan:
    """What the bridge types create at run time and the jail parameters name."""

    ipv4: epair.Epair | None = None
    ipv6: epair.Epair | None = None

    @property
    def interfaces(self) -> tuple[str, ...]:
        """Host sides, IPv4 first: what the status file keeps and stop destroys."""
        return tuple(e.host for e in (self.ipv4, self.ipv6) if e is not None)


@record
class NetworkSetup:
    """The result of :func:`setup`, for start (jail parameters, tinirc) and stop."""

    params: tuple[str, ...]
    plan: NetworkPlan = field(default_factory=NetworkPlan)
    # no-rc-script pots: lines of /tmp/tinirc after its header, before the environment
    tinirc: tuple[str, ...] = ()
    # no-rc-script pots: lines of /tmp/tinirc after the environment, before ``exec``
    tinirc_tail: tuple[str, ...] = ()

    @property
    def interfaces(self) -> tuple[str, ...]:
        return self.plan.interfaces

    @property
    def status_interfaces(self) -> str:
        """The ``-i`` value upstream stores: ``<ipv4 a>:<ipv6 a>`` without a leading ``:``."""
        ipv4 = self.plan.ipv4.host if self.plan.ipv4 else ""
        ipv6 = self.plan.ipv6.host if self.plan.ipv6 else ""
        return f"{ipv4}:{ipv6}".removeprefix(":")


def pot_stack(s: Settings, conf: PotConf) -> str:
    """``pot.stack``, or the framework's stack when it is empty (kept as written, as upstream)."""
    return conf.get("pot.stack") or s.network_stack


def jail_network_params(
    s: Settings, pot: str, conf: PotConf, stack: str, plan: NetworkPlan | None = None
) -> list[str]:
    """The network parameters of ``jail -c`` (upstream share/pot/start.sh, _js_start).

    The bridge types name the epairs of ``plan`` (from :func:`setup`). An alias pot
    without an address of its stack raises host.NetworkError with upstream's message.
    """
    plan = plan or NetworkPlan()
    network_type = conf.get("network_type")
    if network_type == "inherit":
        return _inherit_params(stack)
    if network_type == "alias":
        return _alias_params(s, pot, conf.raw("ip") or "", stack)
    if network_type == "public-bridge":
        params = ["vnet"]
        if stack in ("ipv4", "dual"):
            params.append(f"vnet.interface={_needed(plan.ipv4, 'IPv4').pot}")
        if stack in ("ipv6", "dual"):
            params.append(f"vnet.interface={_needed(plan.ipv6, 'IPv6').pot}")
        return params
    if network_type == "private-bridge":
        return ["vnet", f"vnet.interface={_needed(plan.ipv4, 'IPv4').pot}"]
    return []


def _needed(pair: epair.Epair | None, family: str) -> epair.Epair:
    if pair is None:
        raise ValueError(f"the network plan has no {family} epair")
    return pair


def _inherit_params(stack: str) -> list[str]:
    return {
        "ipv4": ["ip4=inherit"],
        "ipv6": ["ip6=inherit"],
        "dual": ["ip4=inherit", "ip6=inherit"],
    }.get(stack, [])


def _alias_params(s: Settings, pot: str, ip: str, stack: str) -> list[str]:
    entries = addresses.alias_entries(s, ip)
    ip4, ip6 = _alias_value(entries, 4), _alias_value(entries, 6)
    if stack == "ipv4" and not ip4:
        raise host.NetworkError(f"No ipv4 address found for {pot}")
    if stack == "ipv6" and not ip6:
        raise host.NetworkError(f"No ipv6 address found for {pot}")
    params = []
    if ip4 and stack in ("ipv4", "dual"):
        params.append(f"ip4.addr={ip4}")
    if ip6 and stack in ("ipv6", "dual"):
        params.append(f"ip6.addr={ip6}")
    return params


def _alias_value(entries: Iterable[tuple[str, str]], version: int) -> str:
    return ",".join(f"{nic}|{ip}" for nic, ip in entries if addresses.ip_version(ip) == version)


def setup(s: Settings, pot: str, conf: PotConf) -> NetworkSetup:
    """Everything start does for the pot's network before ``jail -c``.

    Bridge types: creates and attaches the epairs (running vnet-start first when the
    network is not up), writes the pot's rc.conf lines (rc pots) or returns its tinirc
    lines (no-rc-script pots), loads the port redirections and starts the tunnels. On
    failure the epairs created so far are destroyed and the redirections removed before
    the error is raised. Raises host.NetworkError (alias pots without an address of their
    stack too).
    """
    stack = pot_stack(s, conf)
    network_type = conf.get("network_type")
    if network_type not in BRIDGE_TYPES:
        return NetworkSetup(tuple(jail_network_params(s, pot, conf, stack)))
    made: list[epair.Epair] = []
    try:
        if network_type == "public-bridge":
            plan, lines = _setup_public(s, pot, conf, stack, made)
        else:
            plan, lines = _setup_private(s, pot, conf, made)
    except BaseException:
        if made:  # the redirections are loaded only after an epair exists
            _undo(s, pot, conf, made)
        raise
    params = jail_network_params(s, pot, conf, stack, plan)
    tail = (potside.LOOPBACK_ALIAS,) if potside.no_rc_script(conf) else ()
    return NetworkSetup(tuple(params), plan, tuple(lines), tail)


def _undo(s: Settings, pot: str, conf: PotConf, made: Sequence[epair.Epair]) -> None:
    try:
        teardown(s, pot, conf, [e.host for e in made])
    except TeardownError as exc:
        # the error being raised matters more; these are shown, not lost
        for failure in exc.failures:
            log.error(failure)


def _setup_public(
    s: Settings, pot: str, conf: PotConf, stack: str, made: list[epair.Epair]
) -> tuple[NetworkPlan, list[str]]:
    ipv4 = ipv6 = None
    lines: list[str] = []
    if stack in ("ipv4", "dual"):
        ipv4 = epair.new_epair(pot, "4")
        made.append(ipv4)
        epair.attach(s, _ipv4_bridge(s, None), ipv4)
        lines += potside.public4(s, pot, conf, ipv4)
        ports.load_redirections(s, pot, conf)
    if stack in ("ipv6", "dual"):
        ipv6 = epair.new_epair(pot, "6")
        made.append(ipv6)
        epair.attach(s, _ipv6_bridge(s), ipv6)
        lines += potside.public6(s, pot, conf, ipv6)
    return NetworkPlan(ipv4, ipv6), lines


def _setup_private(
    s: Settings, pot: str, conf: PotConf, made: list[epair.Epair]
) -> tuple[NetworkPlan, list[str]]:
    bridge = conf.get("bridge")
    if not bridge:
        raise host.NetworkError(f"The pot {pot} has no private bridge (bridge= in its pot.conf)")
    pair = epair.new_epair(pot, "4")
    made.append(pair)
    epair.attach(s, _ipv4_bridge(s, bridge), pair)
    lines = potside.private(s, pot, conf, pair)
    ports.load_redirections(s, pot, conf)
    return NetworkPlan(pair), lines


def _ipv4_bridge(s: Settings, bridge: str | None) -> str:
    """The public (``None``) or private bridge, after a vnet-start if the network is not up."""
    found = vnet.vnet_ipv4_up(s, bridge)
    if found is not None:
        return found
    if bridge is None:
        log.info(_MSG_NO_NETWORK)
    else:
        log.debug("No pot bridge found! Calling vnet-start to fix the issue")
    vnet.check_vnet_config(s)
    vnet.vnet_start(s, bridge)
    found = host.public_bridge(s) if bridge is None else host.private_bridge(s, bridge)
    if found is None:
        name = "the public bridge" if bridge is None else f"the bridge {bridge}"
        raise host.NetworkError(f"vnet-start could not bring up {name}")
    return found


def _ipv6_bridge(s: Settings) -> str:
    found = host.ipv6_bridge(s)
    if found is not None:
        return found
    log.info(_MSG_NO_NETWORK)
    vnet.check_vnet_config(s)
    vnet.vnet_start(s)
    found = host.ipv6_bridge(s)
    if found is None:
        raise host.NetworkError("vnet-start could not bring up the IPv6 bridge")
    return found


def teardown(s: Settings, pot: str, conf: PotConf, interfaces: Sequence[str]) -> None:
    """Undo the network of a stopped pot (stop's steps 3 to 5), best effort.

    Destroys the epairs named in ``interfaces`` (host sides), or else removes an alias
    pot's addresses; flushes the pot's rdr anchor; kills its localhost tunnels. Every step
    runs; the failures are raised together as one TeardownError at the end.
    """
    failures: list[str] = []
    names = [name for name in interfaces if name]
    if names:
        failures += epair.destroy_epairs(names)
    elif conf.get("network_type") == "alias":
        failures += _remove_aliases(s, conf)
    if host.pf_loaded():
        anchor = f"{pfctl.RDR_ANCHOR}/{pfctl.anchor_name(pot)}"
        if not pfctl.flush_translations(anchor):
            failures.append(f"pfctl could not flush the anchor {anchor}")
    failures += ports.stop_tunnels(s, pot, conf)
    if failures:
        raise TeardownError(failures)


def _remove_aliases(s: Settings, conf: PotConf) -> list[str]:
    ip = conf.raw("ip") or ""
    log.debug("Remove %s aliases", ip)
    failures = []
    for nic, address in addresses.alias_entries(s, ip):
        family = "inet" if addresses.ip_version(address) == 4 else "inet6"
        shown = host.query(["ifconfig", nic])
        if f"{family} {address} " not in shown:
            continue  # jail(8) removed it already
        if not host.attempt(["ifconfig", nic, family, address, "-alias"]):
            failures.append(f"ifconfig {nic} {family} {address} -alias failed")
    return failures
