"""Exported ports: the ``pot-rdr/<anchor>`` redirections of ``pot.export.ports``, the
choice of free host ports, the rules hook and the ncat localhost tunnels (upstream
share/pot/start.sh, _js_export_ports and _js_get_free_rnd_port).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from pot import log as logging
from pot import model, proc, rootpath
from pot.errors import PotError
from pot.net import host, pfctl
from pot.potconf import PotConf
from pot.record import record
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)


NCAT = Path("/usr/local/bin/ncat")


@record
class ExportPort:
    """One ``pot.export.ports`` entry: ``[tcp:|udp:]<pot port>[:<host port>]``."""

    proto: str
    pot_port: str
    host_port: str  # "" = the lowest free port, chosen at start


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
        low = host.to_int(host.query(["sysctl", "-n", "net.inet.ip.portrange.reservedhigh"])) + 1
        high = host.to_int(host.query(["sysctl", "-n", "net.inet.ip.portrange.first"])) - 1
        self._taken |= _listening(low, high) | _redirected()
        return range(low, high + 1)


def _listening(low: int, high: int) -> set[int]:
    """Ports of the IPv4 listening sockets (``sockstat -4l``), column LOCAL ADDRESS."""
    ports = set()
    for line in host.query(["sockstat", "-p", f"{low}-{high}", "-4l"]).splitlines():
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
    for anchor in pfctl.anchors(pfctl.RDR_ANCHOR):
        for line in pfctl.translation_rules(anchor):
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
    # the pot's folder may come from an image: a link there is replaced, never followed
    copy = model.pot_file(s, pot, f"ncat-{pot}-{port.pot_port}")
    pidfile = model.pot_file(s, pot, f"ncat-{port.pot_port}.pid")
    try:
        rootpath.copy_from_host(ncat, copy, 0o755)
        rootpath.unlink(pidfile)  # daemon(8) writes it, following a link
    except PotError as exc:
        log.error("localhost tunnel of port %s not started: %s", port.pot_port, exc)
        return
    udp = ["-u"] if port.proto == "udp" else []
    forward = " ".join([str(ncat), *udp, ip, port.pot_port])
    argv = [
        "daemon", "-f", "-p", str(pidfile.host), str(copy.host), "-lk", *udp, host_port,
        "-c", forward,
    ]  # fmt: skip
    if not host.attempt(argv):
        log.error("localhost tunnel of port %s not started", port.pot_port)


def _hook_rules(s: Settings, proto: str, host_port: str, ip: str, pot_port: str) -> list[str]:
    """The rules POT_EXPORT_PORTS_PF_RULES_HOOK prints for one port."""
    hook = s.get("POT_EXPORT_PORTS_PF_RULES_HOOK")
    argv = [
        hook,
        s.get("POT_EXTIF"),
        host.public_bridge(s) or "",
        s.get("POT_NETWORK"),
        s.get("POT_GATEWAY"),
        proto,
        host_port,
        ip,
        pot_port,
    ]
    # the hook's own stderr reaches ours, as upstream's $(...) leaves it
    result = proc.run_if_installed(argv, show_errors=True)
    if result is None:
        log.error("%s: not found", hook)
        return []
    return result.stdout.splitlines()


def load_redirections(s: Settings, pot: str, conf: PotConf) -> None:
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
    anchor = f"{pfctl.RDR_ANCHOR}/{pfctl.anchor_name(pot)}"
    if not pfctl.load_anchor(s, anchor, text, f"pot_pfrules_{pot}"):
        log.error(
            "pfctl failed to apply redirection rules - ignoring but no redirection is performed"
        )
        if host.verbose():
            host.debug_lines(text)


def stop_tunnels(s: Settings, pot: str, conf: PotConf) -> list[str]:
    folder = model.pot_dir(s, pot)
    failures = []
    for port in export_ports(conf):
        failures += _stop_tunnel(
            model.pot_file(s, pot, f"ncat-{port.pot_port}.pid"),
            f"{folder}/ncat-{pot}-{port.pot_port}",
        )
    # pots started by older versions had one tunnel and pid file
    failures += _stop_tunnel(model.pot_file(s, pot, "ncat.pid"), f"{folder}/ncat-{pot}")
    return failures


def _stop_tunnel(pidfile: PotFile, command: str) -> list[str]:
    """Kill the tunnel of the pid file (and remove it), or any process running ``command``.

    A pid file that is a link is not used (it could name any process of the host).
    """
    if rootpath.readable(pidfile):
        argv = ["pkill", "-F", str(pidfile.host), "-f", Path(command).name]
        result = proc.run_if_installed(argv, show_errors=True)
        rootpath.unlink(pidfile)
    elif host.attempt(["pgrep", "-q", "-f", command]):
        argv = ["pkill", "-f", command]
        result = proc.run_if_installed(argv, show_errors=True)
    else:
        return []
    # pkill: 1 = nothing matched (the tunnel has ended already)
    if result is None or result.returncode > 1:
        return [f"{shlex.join(argv)} failed"]
    return []
