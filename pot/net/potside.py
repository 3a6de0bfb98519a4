"""The pot's side of a bridge network: its rc.conf lines, or the ``/tmp/tinirc`` lines of
no-rc-script pots (upstream share/pot/start.sh, _js_vnet, _js_vnet_ipv6
and _js_private_vnet).
"""

from __future__ import annotations

import os
import re

from pot import model, rootpath
from pot.errors import PotError
from pot.net import epair, host
from pot.potconf import PotConf
from pot.rootpath import PotFile
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


def _rc_conf(s: Settings, pot: str) -> PotFile:
    """The pot's ``/etc/rc.conf``, reached through no link (pot.rootpath)."""
    return model.pot_file(s, pot, "m/etc/rc.conf")


def _rc_conf_line(path: PotFile, stale: str, line: str) -> None:
    """Drop the lines matching ``stale`` (if the file is writable), then append ``line``.

    A link or node at rc.conf is not read (it could name a host file) but replaced.
    """
    lines: list[str] = []
    if rootpath.is_file(path):
        try:
            lines = rootpath.read_text(path).splitlines()
        except OSError as exc:
            raise host.NetworkError(f"{path.host}: cannot be read: {exc.strerror}") from exc
        if os.access(path.host, os.W_OK):
            pattern = re.compile(stale)
            lines = [old for old in lines if not pattern.search(old)]
    rootpath.write(path, "".join(f"{old}\n" for old in [*lines, line]))


def _sysrc(path: PotFile, assignment: str) -> None:
    # rc.conf was just replaced by a regular file in a folder reached through no link
    host.attempt(["sysrc", "-f", str(path.host), assignment])


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
    _rtsold_in_vnet(model.pot_file(s, pot, "m/etc/rc.d/rtsold"))
    return []


def _rtsold_in_vnet(script: PotFile) -> None:
    """Let rtsold's rc script run in a VNET jail (upstream's FreeBSD 11.3 work-around).

    Upstream's sed adds ``vnet`` again at every start; an existing ``nojailvnet`` is kept.
    """
    try:
        text = rootpath.read_text(script)
    except (OSError, PotError):
        return  # missing, or a link or node: not the rc script to fix
    fixed = "".join(
        re.sub("nojail(?!vnet)", "nojailvnet", line, count=1)
        for line in text.splitlines(keepends=True)
    )
    if fixed != text:
        rootpath.write(script, fixed)


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
