"""Golden texts: files as upstream writes them, typed from upstream's scripts.

They are written independently of pot.potconf, so that the tests compare our files with
upstream's format and not with our own writer.
"""

from __future__ import annotations

# the attribute lines of a new pot.conf, in the order upstream's create.sh (_cj_conf)
# writes them: the pot attributes it sets, then every jail attribute with its default
CREATED_ATTRIBUTES = """\
pot.attr.no-rc-script=NO
pot.attr.persistent=YES
pot.attr.start-at-boot=NO
pot.attr.prunable=NO
pot.attr.no-tmpfs=NO
pot.attr.enforce_statfs=2
pot.attr.mount=NO
pot.attr.fdescfs=NO
pot.attr.linprocfs=NO
pot.attr.nullfs=NO
pot.attr.procfs=NO
pot.attr.tmpfs=NO
pot.attr.zfs=NO
pot.attr.raw_sockets=NO
pot.attr.sysvshm=new
pot.attr.sysvsem=new
pot.attr.sysvmsg=new
pot.attr.children=0
pot.attr.mlock=NO
pot.attr.devfs_ruleset=4
pot.attr.exec_stop=
pot.attr.stop_timeout=10
"""


def expected_conf(
    *,
    level: int,
    pot_type: str,
    base: str,
    hostname: str,
    osrelease: str,
    network: str,
    ip: str = "",
    bridge: str = "",
    stack: str = "ipv4",
    potbase: str = "",
    dns: str = "inherit",
    depend: str = "",
) -> str:
    """pot.conf as upstream's create writes it (create.sh, _cj_conf)."""
    text = (
        f"pot.level={level}\n"
        f"pot.type={pot_type}\n"
        f"pot.base={base}\n"
        f"pot.potbase={potbase}\n"
        f"pot.dns={dns}\n"
        "pot.cmd=sh /etc/rc\n"
        f'host.hostname="{hostname}"\n'
        f'osrelease="{osrelease}"\n' + CREATED_ATTRIBUTES + f"pot.stack={stack}\n"
        f"network_type={network}\n"
        f"vnet={'true' if 'bridge' in network else 'false'}\n"
    )
    if network != "inherit":
        text += f"ip={ip}\n"
    if network == "private-bridge":
        text += f"bridge={bridge}\n"
    if depend:
        text += f"pot.depend={depend}\n"
    return text
