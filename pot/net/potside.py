"""The pot's side of a bridge network: its rc.conf lines, or the ``/tmp/tinirc`` lines of
no-rc-script pots (upstream share/pot/start.sh, _js_vnet, _js_vnet_ipv6
and _js_private_vnet).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pot import model, potconf, rootpath
from pot.net import epair, host
from pot.potconf import PotConf
from pot.settings import Settings

# the tinirc line of no-rc-script bridge pots after the environment, before exec
LOOPBACK_ALIAS = "ifconfig lo0 inet 127.0.0.1 alias"


def no_rc_script(conf: PotConf) -> bool:
    """Whether the pot starts its command without rc (tinirc lines instead of rc.conf)."""
    return conf.get("pot.attr.no-rc-script") == "YES"


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
        raise host.NetworkError(f"{path} of the pot {pot} cannot be used: {exc}") from exc


def _rc_conf(s: Settings, pot: str) -> Path:
    return _in_pot(s, pot, "/etc/rc.conf")


def _rc_conf_line(path: Path, stale: str, line: str) -> None:
    """Drop the lines matching ``stale`` (if the file is writable), then append ``line``."""
    lines: list[str] = []
    if path.is_file():
        try:
            lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        except OSError as exc:
            raise host.NetworkError(f"{path}: cannot be read: {exc.strerror}") from exc
        if os.access(path, os.W_OK):
            pattern = re.compile(stale)
            lines = [old for old in lines if not pattern.search(old)]
    potconf.atomic_write(path, "".join(f"{old}\n" for old in [*lines, line]))


def _sysrc(path: Path, assignment: str) -> None:
    host.attempt(["sysrc", "-f", str(path), assignment])


def public4(s: Settings, pot: str, conf: PotConf, pair: epair.Epair) -> list[str]:
    ip, netmask, gateway = conf.raw("ip") or "", s.get("POT_NETMASK"), s.get("POT_GATEWAY")
    if no_rc_script(conf):
        return [
            *_wait_for(pair.pot),
            f"ifconfig {pair.pot} inet {ip} netmask {netmask}",
            f"route add default {gateway}",
        ]
    rc_conf = _rc_conf(s, pot)
    _rc_conf_line(
        rc_conf,
        r"ifconfig_epair[0-9][0-9]*[ab]=",
        f'ifconfig_{pair.pot}="inet {ip} netmask {netmask}"',
    )
    _sysrc(rc_conf, f"defaultrouter={gateway}")
    return []


def public6(s: Settings, pot: str, conf: PotConf, pair: epair.Epair) -> list[str]:
    if no_rc_script(conf):
        return [
            *_wait_for(pair.pot),
            f"ifconfig {pair.pot} inet6 up accept_rtadv -ifdisabled",
            f"/sbin/rtsol -d {pair.pot}",
        ]
    rc_conf = _rc_conf(s, pot)
    _rc_conf_line(
        rc_conf,
        r"ifconfig_epair[0-9][0-9]*[ab]_ipv6",
        f'ifconfig_{pair.pot}_ipv6="inet6 accept_rtadv auto_linklocal -ifdisabled"',
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


def private(s: Settings, pot: str, conf: PotConf, pair: epair.Epair) -> list[str]:
    bridge = conf.get("bridge") or ""
    address = f"{conf.raw('ip') or ''}/{host.prefix_length(s, bridge)}"
    gateway = host.bridge_var(s, bridge, "gateway")
    if no_rc_script(conf):
        return [
            *_wait_for(pair.pot),
            f"ifconfig {pair.pot} inet {address}",
            f"route add default {gateway}",
        ]
    rc_conf = _rc_conf(s, pot)
    _rc_conf_line(rc_conf, "ifconfig_epair", f'ifconfig_{pair.pot}="inet {address}"')
    _sysrc(rc_conf, f"defaultrouter={gateway}")
    return []
