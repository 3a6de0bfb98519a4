"""Networking of pots: bridges, epairs, pf anchors, the pot's routes and localhost tunnels.

The only builder of ifconfig, pfctl, kldload/kldstat and sockstat argv, and of the
network sysctl and sysrc calls; everything runs through :mod:`pot.proc`. Upstream's
network types (start-and-network.md, section 3):

* inherit and alias are jail(8) parameters only (:func:`jail_network_params`);
* public-bridge and private-bridge get an epair per address family, whose host side is
  renamed ``p4…``/``p6…`` and added to a bridge, and whose pot side is handed to the jail
  by ``vnet.interface=`` (jail(8) moves it, nothing is left to do after ``jail -c``);
  :func:`setup` runs ``vnet-start`` when the bridge or pf's NAT is missing, configures the
  pot's side (``/tmp/tinirc`` lines or ``rc.conf``) and loads the ``pot-rdr/<anchor>``
  redirections of ``pot.export.ports`` (with ncat localhost tunnels);
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

import contextlib
import ipaddress
import logging
import os
import re
import shlex
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pot import model, potconf, potnet, proc, rootpath
from pot.errors import CommandFailed, PotError
from pot.potconf import PotConf
from pot.settings import Settings

log = logging.getLogger(__name__)

STACKS = ("ipv4", "ipv6", "dual")
BRIDGE_TYPES = ("public-bridge", "private-bridge")
# pf anchors of pot's main ruleset (added by ``pot init``)
NAT_ANCHOR = "pot-nat"
RDR_ANCHOR = "pot-rdr"
# longest rdr anchor name below pot-rdr/ (upstream keeps the last 55 characters)
ANCHOR_MAX = 55
NCAT = Path("/usr/local/bin/ncat")
# the epair driver race upstream sleeps around was fixed in FreeBSD 13.1
_EPAIR_RACE_FIXED = 1301000
_RENAME_TRIES = 10
_LOOPBACK_ALIAS = "ifconfig lo0 inet 127.0.0.1 alias"
_MSG_NO_NETWORK = "Internal network not found! Calling vnet-start to fix the issue"


class NetworkError(PotError):
    """The network of a pot cannot be set up."""


class TeardownError(PotError):
    """Some clean-up steps failed; ``failures`` says which (all the others were done)."""

    def __init__(self, failures: Sequence[str]) -> None:
        super().__init__(*failures)
        self.failures = tuple(failures)


@dataclass(frozen=True, slots=True)
class Epair:
    """One epair of a running pot."""

    host: str  # the a side, renamed p4…/p6…: a member of the bridge, destroyed at stop
    pot: str  # the b side, epair<N>b: moved into the jail by vnet.interface=


@dataclass(frozen=True, slots=True)
class NetworkPlan:
    """What the bridge types create at run time and the jail parameters name."""

    ipv4: Epair | None = None
    ipv6: Epair | None = None

    @property
    def interfaces(self) -> tuple[str, ...]:
        """Host sides, IPv4 first: what the status file keeps and stop destroys."""
        return tuple(e.host for e in (self.ipv4, self.ipv6) if e is not None)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class ExportPort:
    """One ``pot.export.ports`` entry: ``[tcp:|udp:]<pot port>[:<host port>]``."""

    proto: str
    pot_port: str
    host_port: str  # "" = the lowest free port, chosen at start


# --------------------------------------------------------------------------- host facts


def _succeeds(argv: list[str]) -> proc.Result | None:
    """The finished command, or None when it is not installed at all."""
    try:
        return proc.run(argv, check=False)
    except CommandFailed:  # not installed
        return None


def vnet_available() -> bool:
    """Whether the kernel supports VIMAGE (needed by bridge network types and ``-d pot``)."""
    result = _succeeds(["sysctl", "-n", "kern.features.vimage"])
    return result is not None and result.ok and result.stdout.strip() == "1"


def interface_exists(name: str) -> bool:
    """Whether ``ifconfig <name>`` knows the interface."""
    if not name:
        return False
    result = _succeeds(["ifconfig", name])
    return result is not None and result.ok


def pf_loaded() -> bool:
    """Upstream's ``[ -c /dev/pf ]``: the device exists exactly while pf is in the kernel."""
    result = _succeeds(["kldstat", "-q", "-m", "pf"])
    return result is not None and result.ok


def _query(argv: list[str]) -> str:
    """stdout of a read-only command; "" when it fails (upstream reads ``$(...)``)."""
    result = _succeeds(argv)
    return result.stdout if result is not None and result.ok else ""


def _attempt(argv: list[str]) -> bool:
    """Run a command whose failure upstream ignores; whether it worked."""
    result = _succeeds(argv)
    return result is not None and result.ok


def _verbose() -> bool:
    """Upstream's ``_is_verbose``: at least one ``-v`` (debug messages shown)."""
    return log.isEnabledFor(logging.DEBUG)


def _debug_lines(text: str) -> None:
    for line in text.splitlines():
        log.debug(line)


# --------------------------------------------------------------------------- pure helpers


def pot_stack(s: Settings, conf: PotConf) -> str:
    """``pot.stack``, or the framework's stack when it is empty (kept as written, as upstream)."""
    return conf.get("pot.stack") or s.network_stack


def anchor_name(pot: str) -> str:
    """The pot's anchor below ``pot-rdr/``: the name, or its last 55 characters without leading
    ``_``."""
    if len(pot) <= ANCHOR_MAX:
        return pot
    return pot[-ANCHOR_MAX:].lstrip("_")


def epair_name(family: str, when: int, pid: int) -> str:
    """``p<family><epoch seconds in hex><pid in hex>`` (15 characters on FreeBSD)."""
    return f"p{family}{when:x}{pid:x}"


def ip_version(text: str) -> int | None:
    """4 or 6 when potnet's ip4check/ip6check accept the text (no zone index), else None."""
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return None


def alias_entries(s: Settings, ip: str) -> list[tuple[str, str]]:
    """``(nic, address)`` of each word of an alias pot's ``ip``; the nic defaults to POT_EXTIF."""
    entries = []
    for word in ip.split():
        if "|" in word:
            fields = word.split("|")  # cut -f1 / -f2: a third field is ignored
            entries.append((fields[0], fields[1]))
        else:
            entries.append((s.get("POT_EXTIF"), word))
    return entries


def _alias_value(entries: Iterable[tuple[str, str]], version: int) -> str:
    return ",".join(f"{nic}|{ip}" for nic, ip in entries if ip_version(ip) == version)


def _no_rc_script(conf: PotConf) -> bool:
    return conf.get("pot.attr.no-rc-script") == "YES"


def _isolate(s: Settings) -> bool:
    # upstream's _normalize_true_false: yes/true/on in any case
    return s.get("POT_ISOLATE_VNET_POTS").lower() in ("yes", "true", "on")


# --------------------------------------------------------------------------- jail parameters


def jail_network_params(
    s: Settings, pot: str, conf: PotConf, stack: str, plan: NetworkPlan | None = None
) -> list[str]:
    """The network parameters of ``jail -c`` (start-and-network.md section 2 row 5).

    The bridge types name the epairs of ``plan`` (from :func:`setup`). An alias pot
    without an address of its stack raises NetworkError with upstream's message.
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


def _needed(epair: Epair | None, family: str) -> Epair:
    if epair is None:
        raise ValueError(f"the network plan has no {family} epair")
    return epair


def _inherit_params(stack: str) -> list[str]:
    return {
        "ipv4": ["ip4=inherit"],
        "ipv6": ["ip6=inherit"],
        "dual": ["ip4=inherit", "ip6=inherit"],
    }.get(stack, [])


def _alias_params(s: Settings, pot: str, ip: str, stack: str) -> list[str]:
    entries = alias_entries(s, ip)
    ip4, ip6 = _alias_value(entries, 4), _alias_value(entries, 6)
    if stack == "ipv4" and not ip4:
        raise NetworkError(f"No ipv4 address found for {pot}")
    if stack == "ipv6" and not ip6:
        raise NetworkError(f"No ipv6 address found for {pot}")
    params = []
    if ip4 and stack in ("ipv4", "dual"):
        params.append(f"ip4.addr={ip4}")
    if ip6 and stack in ("ipv6", "dual"):
        params.append(f"ip6.addr={ip6}")
    return params


# --------------------------------------------------------------------------- bridges


def _bridges() -> list[str]:
    return _query(["ifconfig", "-g", "bridge"]).split()


def inet_addresses(interface: str) -> list[str]:
    """The IPv4 addresses of an interface (``ifconfig <if> inet``); [] when it fails."""
    return _inet_addresses(interface)


def _inet_addresses(interface: str) -> list[str]:
    addresses = []
    for line in _query(["ifconfig", interface, "inet"]).splitlines():
        words = line.split()
        if len(words) > 1 and words[0] == "inet":
            addresses.append(words[1].split("/")[0])  # IFCONFIG_FORMAT=inet:cidr too
    return addresses


def _bridge_with_address(address: str) -> str | None:
    if not address:
        return None
    return next((b for b in _bridges() if address in _inet_addresses(b)), None)


def public_bridge(s: Settings) -> str | None:
    """The bridge whose inet address is POT_GATEWAY."""
    return _bridge_with_address(s.get("POT_GATEWAY"))


def private_bridge(s: Settings, name: str) -> str | None:
    """The bridge whose inet address is the gateway of bridge file ``name``."""
    return _bridge_with_address(bridge_var(s, name, "gateway"))


def ipv6_bridge(s: Settings) -> str | None:
    """The bridge that has POT_EXTIF as a member (layer 2 onto the external network)."""
    member = re.compile(rf"member: {re.escape(s.get('POT_EXTIF'))}(\s|$)")
    return next((b for b in _bridges() if member.search(_query(["ifconfig", b]))), None)


def bridge_var(s: Settings, name: str, key: str) -> str:
    """A value of ``POT_FS_ROOT/bridges/<name>`` as upstream reads it; "" when missing."""
    path = model.bridges_dir(s) / name
    if not path.is_file():
        return ""
    return potconf.read(path).get(key) or ""


def _anchors(parent: str | None = None) -> list[str]:
    argv = (
        ["pfctl", "-s", "Anchors"] if parent is None else ["pfctl", "-a", parent, "-s", "Anchors"]
    )
    return [line.lstrip(" \t") for line in _query(argv).splitlines() if line.strip()]


def _pot_anchors_loaded() -> bool:
    anchors = _anchors()
    return NAT_ANCHOR in anchors and RDR_ANCHOR in anchors


def _nat_ready() -> bool:
    """pf is loaded, the main ruleset has pot's anchors and pot-nat holds rules."""
    if not pf_loaded() or not _pot_anchors_loaded():
        return False
    return bool(_query(["pfctl", "-s", "nat", "-a", NAT_ANCHOR]).strip())


def vnet_ipv4_up(s: Settings, bridge: str | None = None) -> str | None:
    """The public (or named private) bridge if it and pf's NAT are up, else None."""
    found = public_bridge(s) if bridge is None else private_bridge(s, bridge)
    return found if found is not None and _nat_ready() else None


# --------------------------------------------------------------------------- vnet-start


def check_vnet_config(s: Settings) -> None:
    """vnet-start's configuration checks, with upstream's messages."""
    if not s.get("POT_NETWORK") or not s.get("POT_GATEWAY"):
        raise NetworkError("No network or gateway defined")
    if not s.get("POT_EXTIF"):
        raise NetworkError("No external interface defined")


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
    if _verbose():
        _debug_lines(_query(["sysctl", "net.inet.ip.forwarding=1"]))
    else:
        _attempt(["sysctl", "-qn", "net.inet.ip.forwarding=1"])


def _create_bridge(description: str) -> str | None:
    name = _query(["ifconfig", "bridge", "create", "descr", description, "group", "pot"]).strip()
    if not name:
        log.error("Bridge not created")
        return None
    log.debug("Bridge created %s", name)
    return name


def _public_bridge_start(s: Settings) -> None:
    bridge = public_bridge(s)
    if bridge is not None:
        log.debug("Bridge %s already present", bridge)
        return
    bridge = _create_bridge("pot public bridge")
    if bridge is None:
        return
    gateway, netmask = s.get("POT_GATEWAY"), s.get("POT_NETMASK")
    if _attempt(["ifconfig", bridge, "inet", gateway, "netmask", netmask]):
        log.debug("Bridge %s configured with IP %s netmask %s", bridge, gateway, netmask)
    else:
        log.error("Error during bridge configuration (%s)", bridge)


def _private_bridge_start(s: Settings, name: str) -> None:
    bridge = private_bridge(s, name)
    if bridge is not None:
        log.debug("Bridge %s already present", bridge)
        return
    bridge = _create_bridge("pot private bridge")
    if bridge is None:
        return
    address = f"{bridge_var(s, name, 'gateway')}/{_prefix_length(s, name)}"
    if _attempt(["ifconfig", bridge, "inet", address]):
        log.debug("Bridge %s configured with IP %s", bridge, address)
    else:
        log.error("Error during bridge configuration (%s)", bridge)


def _prefix_length(s: Settings, name: str) -> str:
    return bridge_var(s, name, "net").rsplit("/", 1)[-1]


def _ipv6_bridge_start(s: Settings) -> None:
    bridge = ipv6_bridge(s)
    if bridge is not None:
        log.debug("Bridge %s already present", bridge)
        return
    bridge = _create_bridge("pot ipv6 bridge")
    if bridge is None:
        return
    extif = s.get("POT_EXTIF")
    if _attempt(["ifconfig", bridge, "inet6", "up"]):
        log.debug("Bridge %s inet6 up", bridge)
    else:
        log.error("Error during bridge configuration (%s)", bridge)
    if _attempt(["ifconfig", bridge, "addm", extif]):
        log.debug("Bridge %s addm %s", bridge, extif)
    else:
        log.error("Error while adding %s to the bridge (%s)", extif, bridge)


def _load_pf(s: Settings) -> None:
    """Load pf, the main ruleset if pot's anchors are missing, and pot's NAT rules."""
    _attempt(["kldload", "-n", "pf"])
    pf_rules = _query(["sysrc", "-n", "pf_rules"]).strip()
    if not _pot_anchors_loaded():
        log.debug("Pot anchors are missing - load %s", pf_rules)
        _attempt(["pfctl", "-f", pf_rules])
    rules = nat_rules(s, _external_address(s))
    with _rules_file(s, "pot_pf_nat_rules", rules) as path:
        _attempt(["pfctl", "-a", NAT_ANCHOR, "-f", str(path)])
    if _verbose():
        _debug_lines(_query(["pfctl", "-s", "nat", "-a", NAT_ANCHOR]))
    # "pf already enabled" is the usual answer
    _attempt(["pfctl", "-e"])


@contextlib.contextmanager
def _rules_file(s: Settings, prefix: str, text: str) -> Iterator[Path]:
    """A temporary file in POT_TMP holding text, removed afterwards."""
    try:
        fd, name = tempfile.mkstemp(prefix=f"{prefix}.", dir=s.tmp)
    except OSError as exc:
        raise NetworkError(f"cannot create a temporary file in {s.tmp}: {exc.strerror}") from exc
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _external_address(s: Settings) -> str:
    """POT_EXTIF_ADDR if it is an IPv4 address of POT_EXTIF, else "" (with upstream's notes)."""
    address, extif = s.get("POT_EXTIF_ADDR"), s.get("POT_EXTIF")
    if not address:
        return ""
    if ip_version(address) != 4:
        log.info("The value %s [POT_EXTIF_ADDR] is not a valid IPv4 address - ignoring", address)
        return ""
    lines = _query(["ifconfig", extif]).splitlines()
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


# --------------------------------------------------------------------------- epairs


def _new_epair(pot: str, family: str) -> Epair:
    """``ifconfig epair create``, then the a side renamed ``p<family>…``."""
    created = _succeeds(["ifconfig", "epair", "create", "descr", pot, "group", "pot"])
    a_side = created.stdout.strip() if created is not None and created.ok else ""
    if not a_side:
        raise NetworkError("ifconfig epair failed")
    try:
        host = _rename(a_side, family)
    except NetworkError:
        _attempt(["ifconfig", a_side, "destroy"])
        raise
    return Epair(host, a_side.removesuffix("a") + "b")


def _rename(interface: str, family: str) -> str:
    # two pots started by one process within a second would get the same name:
    # the next second's name is tried then
    now, pid = int(time.time()), os.getpid()
    for step in range(_RENAME_TRIES):
        result = _succeeds(["ifconfig", interface, "name", epair_name(family, now + step, pid)])
        if result is not None and result.ok and result.stdout.strip():
            return result.stdout.strip()
        if result is None or "File exists" not in result.stderr:
            break
    raise NetworkError("ifconfig epair rename failed")


def _attach(s: Settings, bridge: str, epair: Epair) -> None:
    """Bring the host side up and make it a member of the bridge (``private`` if isolated)."""
    proc.run(["ifconfig", epair.host, "up"])
    argv = ["ifconfig", bridge, "addm", epair.host]
    if _isolate(s):
        argv += ["private", epair.host]
    proc.run(argv)


def _wait_for(interface: str) -> list[str]:
    """tinirc lines that give the jail a second to see its interface."""
    return [
        f"if ! ifconfig {interface} >/dev/null 2>&1; then",
        "    sleep 1",
        f"    if ! ifconfig {interface} >/dev/null 2>&1; then",
        f'        >&2 echo "Interface {interface} does not exist"',
        "        exit 1",
        "    fi",
        "fi",
    ]


def _in_pot(s: Settings, pot: str, path: str) -> Path:
    """The host path of a file of the pot's root, never through a link that leads out."""
    try:
        return rootpath.resolve(model.pot_root(s, pot), path, strict=False)
    except (rootpath.OutsideRoot, OSError) as exc:
        raise NetworkError(f"{path} of the pot {pot} cannot be used: {exc}") from exc


def _rc_conf(s: Settings, pot: str) -> Path:
    return _in_pot(s, pot, "/etc/rc.conf")


def _rc_conf_line(path: Path, stale: str, line: str) -> None:
    """Drop the lines matching ``stale`` (if the file is writable), then append ``line``."""
    lines: list[str] = []
    if path.is_file():
        try:
            lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        except OSError as exc:
            raise NetworkError(f"{path}: cannot be read: {exc.strerror}") from exc
        if os.access(path, os.W_OK):
            pattern = re.compile(stale)
            lines = [old for old in lines if not pattern.search(old)]
    potconf.atomic_write(path, "".join(f"{old}\n" for old in [*lines, line]))


def _sysrc(path: Path, assignment: str) -> None:
    _attempt(["sysrc", "-f", str(path), assignment])


def _pot_side_public4(s: Settings, pot: str, conf: PotConf, epair: Epair) -> list[str]:
    ip, netmask, gateway = conf.raw("ip") or "", s.get("POT_NETMASK"), s.get("POT_GATEWAY")
    if _no_rc_script(conf):
        return [
            *_wait_for(epair.pot),
            f"ifconfig {epair.pot} inet {ip} netmask {netmask}",
            f"route add default {gateway}",
        ]
    rc_conf = _rc_conf(s, pot)
    _rc_conf_line(
        rc_conf,
        r"ifconfig_epair[0-9][0-9]*[ab]=",
        f'ifconfig_{epair.pot}="inet {ip} netmask {netmask}"',
    )
    _sysrc(rc_conf, f"defaultrouter={gateway}")
    return []


def _pot_side_public6(s: Settings, pot: str, conf: PotConf, epair: Epair) -> list[str]:
    if _no_rc_script(conf):
        return [
            *_wait_for(epair.pot),
            f"ifconfig {epair.pot} inet6 up accept_rtadv -ifdisabled",
            f"/sbin/rtsol -d {epair.pot}",
        ]
    rc_conf = _rc_conf(s, pot)
    _rc_conf_line(
        rc_conf,
        r"ifconfig_epair[0-9][0-9]*[ab]_ipv6",
        f'ifconfig_{epair.pot}_ipv6="inet6 accept_rtadv auto_linklocal -ifdisabled"',
    )
    _sysrc(rc_conf, "rtsold_enable=YES")
    _rtsold_in_vnet(_in_pot(s, pot, "/etc/rc.d/rtsold"))
    return []


def _rtsold_in_vnet(script: Path) -> None:
    """Let rtsold's rc script run in a VNET jail (upstream's FreeBSD 11.3 work-around).

    Upstream's sed adds ``vnet`` again at every start; an existing ``nojailvnet`` is kept.
    """
    try:
        text = script.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return
    fixed = "".join(
        re.sub("nojail(?!vnet)", "nojailvnet", line, count=1)
        for line in text.splitlines(keepends=True)
    )
    if fixed != text:
        potconf.atomic_write(script, fixed)


def _pot_side_private(s: Settings, pot: str, conf: PotConf, epair: Epair) -> list[str]:
    bridge = conf.get("bridge") or ""
    address = f"{conf.raw('ip') or ''}/{_prefix_length(s, bridge)}"
    gateway = bridge_var(s, bridge, "gateway")
    if _no_rc_script(conf):
        return [
            *_wait_for(epair.pot),
            f"ifconfig {epair.pot} inet {address}",
            f"route add default {gateway}",
        ]
    rc_conf = _rc_conf(s, pot)
    _rc_conf_line(rc_conf, "ifconfig_epair", f'ifconfig_{epair.pot}="inet {address}"')
    _sysrc(rc_conf, f"defaultrouter={gateway}")
    return []


# --------------------------------------------------------------------------- exported ports


def export_ports(conf: PotConf) -> list[ExportPort]:
    """The entries of ``pot.export.ports`` as start reads them."""
    ports = []
    for word in (conf.get_export_ports() or "").split():
        proto, rest = "tcp", word
        for prefix in ("udp", "tcp"):
            if word.startswith(f"{prefix}:"):
                proto, rest = prefix, word[len(prefix) + 1 :]
                break
        fields = rest.split(":")
        ports.append(ExportPort(proto, fields[0], fields[1] if len(fields) > 1 else ""))
    return ports


def rdr_rules(s: Settings, proto: str, host_port: str, ip: str, pot_port: str) -> list[str]:
    """The rdr rules of one exported port (without rules hook)."""
    target = s.get("POT_EXTIF_ADDR") or f"({s.get('POT_EXTIF')})"
    rules = [
        f"rdr pass on {s.get('POT_EXTIF')} proto {proto} from any to {target}"
        f" port {host_port} -> {ip} port {pot_port}"
    ]
    rules += [
        f"rdr pass on {extra} proto {proto} from any to ({extra})"
        f" port {host_port} -> {ip} port {pot_port}"
        for extra in s.extra_extifs
    ]
    return rules


class _FreePorts:
    """Upstream's port choice: the lowest port of the non-reserved range nobody uses.

    The range, the IPv4 listeners and the ports of every pot-rdr anchor are read once,
    on the first request; every port handed out is excluded afterwards.
    """

    def __init__(self) -> None:
        self._range: range | None = None
        self._taken: set[int] = set()

    def take(self) -> str:
        if self._range is None:
            self._range = self._read()
        port = next((p for p in self._range if p not in self._taken), None)
        if port is None:
            return ""
        self._taken.add(port)
        return str(port)

    def exclude(self, port: str) -> None:
        if port.isdigit():
            self._taken.add(int(port))

    def _read(self) -> range:
        low = _int(_query(["sysctl", "-n", "net.inet.ip.portrange.reservedhigh"])) + 1
        high = _int(_query(["sysctl", "-n", "net.inet.ip.portrange.first"])) - 1
        self._taken |= _listening(low, high) | _redirected()
        return range(low, high + 1)


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0


def _listening(low: int, high: int) -> set[int]:
    """Ports of the IPv4 listening sockets (``sockstat -4l``), column LOCAL ADDRESS."""
    ports = set()
    for line in _query(["sockstat", "-p", f"{low}-{high}", "-4l"]).splitlines():
        columns = line.split()
        if "USER" in line or len(columns) < 6:
            continue
        parts = columns[5].split(":")
        if len(parts) == 2 and parts[1].isdigit():
            ports.add(int(parts[1]))
    return ports


def _redirected() -> set[int]:
    """Host ports of the rdr rules of every pot-rdr anchor (the word after the first ``=``)."""
    ports = set()
    for anchor in _anchors(RDR_ANCHOR):
        for line in _query(["pfctl", "-a", anchor, "-s", "nat", "-P"]).splitlines():
            words = line.split(" ")
            if "rdr" in line and "=" in words[:-1]:
                value = words[words.index("=") + 1]
                if value.isdigit():
                    ports.add(int(value))
    return ports


def _ncat() -> Path | None:
    """ncat of the nmap package: on PATH, else upstream's fixed place."""
    found = shutil.which("ncat")
    if found is not None:
        return Path(found)
    return NCAT if os.access(NCAT, os.X_OK) else None


def _tunnel(s: Settings, pot: str, port: ExportPort, host_port: str, ip: str) -> None:
    """ncat listening on the host port of every host address (localhost too), via daemon(8)."""
    ncat = _ncat()
    if ncat is None:
        log.error("nmap package is missing, localhost-tunnel attribute ignored")
        return
    folder = model.pot_dir(s, pot)
    copy = folder / f"ncat-{pot}-{port.pot_port}"
    try:
        shutil.copy(ncat, copy)
    except OSError as exc:
        log.error("localhost tunnel of port %s not started: %s", port.pot_port, exc)
        return
    udp = ["-u"] if port.proto == "udp" else []
    forward = " ".join([str(ncat), *udp, ip, port.pot_port])
    pidfile = folder / f"ncat-{port.pot_port}.pid"
    argv = ["daemon", "-f", "-p", str(pidfile), str(copy), "-lk", *udp, host_port, "-c", forward]
    if not _attempt(argv):
        log.error("localhost tunnel of port %s not started", port.pot_port)


def _hook_rules(s: Settings, proto: str, host_port: str, ip: str, pot_port: str) -> list[str]:
    """The rules POT_EXPORT_PORTS_PF_RULES_HOOK prints for one port."""
    hook = s.get("POT_EXPORT_PORTS_PF_RULES_HOOK")
    argv = [
        hook,
        s.get("POT_EXTIF"),
        public_bridge(s) or "",
        s.get("POT_NETWORK"),
        s.get("POT_GATEWAY"),
        proto,
        host_port,
        ip,
        pot_port,
    ]
    result = _succeeds(argv)
    if result is None:
        log.error("%s: not found", hook)
        return []
    return result.stdout.splitlines()


def _load_redirections(s: Settings, pot: str, conf: PotConf) -> None:
    """Load the pot-rdr/<anchor> rules of ``pot.export.ports`` and start the tunnels."""
    ports = export_ports(conf)
    if not ports:
        return
    ip = conf.raw("ip") or ""
    tunnels = conf.get("pot.attr.localhost-tunnel") == "YES"
    hook = bool(s.get("POT_EXPORT_PORTS_PF_RULES_HOOK"))
    target = s.get("POT_EXTIF_ADDR") or f"({s.get('POT_EXTIF')})"
    free = _FreePorts()
    rules: list[str] = []
    for port in ports:
        host_port = port.host_port or free.take()
        if not host_port:
            log.error("No free port left to export the port %s", port.pot_port)
            continue
        free.exclude(host_port)
        log.debug(
            "Redirect: from %s : %s:%s to %s : %s:%s",
            target,
            port.proto,
            host_port,
            ip,
            port.proto,
            port.pot_port,
        )
        if hook:
            rules += _hook_rules(s, port.proto, host_port, ip, port.pot_port)
            continue
        rules += rdr_rules(s, port.proto, host_port, ip, port.pot_port)
        if tunnels:
            _tunnel(s, pot, port, host_port, ip)
    _apply_rdr(s, pot, rules)


def _apply_rdr(s: Settings, pot: str, rules: list[str]) -> None:
    text = "".join(f"{rule}\n" for rule in rules)
    with _rules_file(s, f"pot_pfrules_{pot}", text) as path:
        if not _attempt(["pfctl", "-a", f"{RDR_ANCHOR}/{anchor_name(pot)}", "-f", str(path)]):
            log.error(
                "pfctl failed to apply redirection rules - ignoring but no redirection is performed"
            )
            if _verbose():
                _debug_lines(text)


# --------------------------------------------------------------------------- setup


def setup(s: Settings, pot: str, conf: PotConf) -> NetworkSetup:
    """Everything start does for the pot's network before ``jail -c``.

    Bridge types: creates and attaches the epairs (running vnet-start first when the
    network is not up), writes the pot's rc.conf lines (rc pots) or returns its tinirc
    lines (no-rc-script pots), loads the port redirections and starts the tunnels. On
    failure the epairs created so far are destroyed and the redirections removed before
    the error is raised. Raises NetworkError (alias pots without an address of their
    stack too).
    """
    stack = pot_stack(s, conf)
    network_type = conf.get("network_type")
    if network_type not in BRIDGE_TYPES:
        return NetworkSetup(tuple(jail_network_params(s, pot, conf, stack)))
    made: list[Epair] = []
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
    tail = (_LOOPBACK_ALIAS,) if _no_rc_script(conf) else ()
    return NetworkSetup(tuple(params), plan, tuple(lines), tail)


def _undo(s: Settings, pot: str, conf: PotConf, made: Sequence[Epair]) -> None:
    try:
        teardown(s, pot, conf, [e.host for e in made])
    except TeardownError as exc:
        # the error being raised matters more; these are shown, not lost
        for failure in exc.failures:
            log.error(failure)


def _setup_public(
    s: Settings, pot: str, conf: PotConf, stack: str, made: list[Epair]
) -> tuple[NetworkPlan, list[str]]:
    ipv4 = ipv6 = None
    lines: list[str] = []
    if stack in ("ipv4", "dual"):
        ipv4 = _new_epair(pot, "4")
        made.append(ipv4)
        _attach(s, _ipv4_bridge(s, None), ipv4)
        lines += _pot_side_public4(s, pot, conf, ipv4)
        _load_redirections(s, pot, conf)
    if stack in ("ipv6", "dual"):
        ipv6 = _new_epair(pot, "6")
        made.append(ipv6)
        _attach(s, _ipv6_bridge(s), ipv6)
        lines += _pot_side_public6(s, pot, conf, ipv6)
    return NetworkPlan(ipv4, ipv6), lines


def _setup_private(
    s: Settings, pot: str, conf: PotConf, made: list[Epair]
) -> tuple[NetworkPlan, list[str]]:
    bridge = conf.get("bridge")
    if not bridge:
        raise NetworkError(f"The pot {pot} has no private bridge (bridge= in its pot.conf)")
    epair = _new_epair(pot, "4")
    made.append(epair)
    _attach(s, _ipv4_bridge(s, bridge), epair)
    lines = _pot_side_private(s, pot, conf, epair)
    _load_redirections(s, pot, conf)
    return NetworkPlan(epair), lines


def _ipv4_bridge(s: Settings, bridge: str | None) -> str:
    """The public (``None``) or private bridge, after a vnet-start if the network is not up."""
    found = vnet_ipv4_up(s, bridge)
    if found is not None:
        return found
    if bridge is None:
        log.info(_MSG_NO_NETWORK)
    else:
        log.debug("No pot bridge found! Calling vnet-start to fix the issue")
    check_vnet_config(s)
    vnet_start(s, bridge)
    found = public_bridge(s) if bridge is None else private_bridge(s, bridge)
    if found is None:
        name = "the public bridge" if bridge is None else f"the bridge {bridge}"
        raise NetworkError(f"vnet-start could not bring up {name}")
    return found


def _ipv6_bridge(s: Settings) -> str:
    found = ipv6_bridge(s)
    if found is not None:
        return found
    log.info(_MSG_NO_NETWORK)
    check_vnet_config(s)
    vnet_start(s)
    found = ipv6_bridge(s)
    if found is None:
        raise NetworkError("vnet-start could not bring up the IPv6 bridge")
    return found


# --------------------------------------------------------------------------- teardown


def teardown(s: Settings, pot: str, conf: PotConf, interfaces: Sequence[str]) -> None:
    """Undo the network of a stopped pot (stop's steps 3 to 5), best effort.

    Destroys the epairs named in ``interfaces`` (host sides), or else removes an alias
    pot's addresses; flushes the pot's rdr anchor; kills its localhost tunnels. Every step
    runs; the failures are raised together as one TeardownError at the end.
    """
    failures: list[str] = []
    names = [name for name in interfaces if name]
    if names:
        failures += _destroy_epairs(names)
    elif conf.get("network_type") == "alias":
        failures += _remove_aliases(s, conf)
    if pf_loaded():
        anchor = f"{RDR_ANCHOR}/{anchor_name(pot)}"
        if not _attempt(["pfctl", "-a", anchor, "-F", "nat", "-q"]):
            failures.append(f"pfctl could not flush the anchor {anchor}")
    failures += _stop_tunnels(s, pot, conf)
    if failures:
        raise TeardownError(failures)


def _destroy_epairs(names: Sequence[str]) -> list[str]:
    failures = []
    pause = _epair_race()
    for name in names:
        log.debug("Remove %s epair network interfaces", name)
        if pause:
            time.sleep(1)  # the epair driver of FreeBSD < 13.1 may panic otherwise
        result = _succeeds(["ifconfig", name, "destroy"])
        if result is not None and result.ok:
            continue
        if result is not None and "does not exist" in result.stderr:
            log.debug("%s is gone already", name)
            continue
        failures.append(f"ifconfig {name} destroy failed")
    return failures


def _epair_race() -> bool:
    return _int(_query(["sysctl", "-n", "kern.osreldate"])) < _EPAIR_RACE_FIXED


def _remove_aliases(s: Settings, conf: PotConf) -> list[str]:
    ip = conf.raw("ip") or ""
    log.debug("Remove %s aliases", ip)
    failures = []
    for nic, address in alias_entries(s, ip):
        family = "inet" if ip_version(address) == 4 else "inet6"
        shown = _query(["ifconfig", nic])
        if f"{family} {address} " not in shown:
            continue  # jail(8) removed it already
        if not _attempt(["ifconfig", nic, family, address, "-alias"]):
            failures.append(f"ifconfig {nic} {family} {address} -alias failed")
    return failures


def _stop_tunnels(s: Settings, pot: str, conf: PotConf) -> list[str]:
    folder = model.pot_dir(s, pot)
    failures = []
    for port in export_ports(conf):
        failures += _stop_tunnel(
            folder / f"ncat-{port.pot_port}.pid", f"{folder}/ncat-{pot}-{port.pot_port}"
        )
    # pots started by older versions had one tunnel and pid file
    failures += _stop_tunnel(folder / "ncat.pid", f"{folder}/ncat-{pot}")
    return failures


def _stop_tunnel(pidfile: Path, command: str) -> list[str]:
    """Kill the tunnel of the pid file (and remove it), or any process running ``command``."""
    if os.access(pidfile, os.R_OK):
        argv = ["pkill", "-F", str(pidfile), "-f", Path(command).name]
        result = _succeeds(argv)
        pidfile.unlink(missing_ok=True)
    elif _attempt(["pgrep", "-q", "-f", command]):
        argv = ["pkill", "-f", command]
        result = _succeeds(argv)
    else:
        return []
    # pkill: 1 = nothing matched (the tunnel has ended already)
    if result is None or result.returncode > 1:
        return [f"{shlex.join(argv)} failed"]
    return []


# --------------------------------------------------------------------------- /etc/hosts


def etc_hosts_lines(s: Settings, pot: str, conf: PotConf) -> list[str]:
    """The pot's /etc/hosts, as start writes it (start-and-network.md section 1 step 6)."""
    hostname = conf.get("host.hostname") or ""
    lines = [f"::1 localhost {hostname}", f"127.0.0.1 localhost {hostname}"]
    if conf.get("pot.attr.no-etc-hosts") == "YES":
        log.debug("Attribute no-etchosts: no additional /etc/hosts entries injected")
    elif conf.get("network_type") == "public-bridge":
        lines += [f"{ip} {name}" for ip, name in potnet.etc_hosts(s)]
    elif conf.get("network_type") == "private-bridge":
        lines += [f"{ip} {name}" for ip, name in potnet.etc_hosts(s, conf.get("bridge") or "")]
    return lines + conf.raw_all("pot.hosts")
