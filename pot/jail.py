"""The only user of jail(8), jls and jexec."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pot import potconf, proc
from pot.potconf import PotConf


def is_running(name: str) -> bool:
    """Whether a jail of that name exists (upstream's ``jls -j <pot>`` test)."""
    if not name:
        return False
    return proc.run(["jls", "-j", name], check=False).ok


def jid(name: str) -> int | None:
    """The jail id of a running jail (``jls -j <name> jid``); None when it does not run."""
    if not name:
        return None
    result = proc.run(["jls", "-j", name, "jid"], check=False)
    text = result.stdout.strip()
    return int(text) if result.ok and text.isdigit() else None


def run_in_root(root: Path, command: Sequence[str]) -> int:
    """Run a command in a throw-away jail on root (``jail -c path=<root> command=...``).

    Output passes through; returns the exit status.
    """
    return proc.call(["jail", "-c", f"path={root}", f"command={command[0]}", *command[1:]])


def jexec(name: str, command: Sequence[str]) -> int:
    """Run a command inside the running jail (``jexec <name> ...``); returns the exit status."""
    return proc.call(["jexec", name, *command])


# the parameters every pot gets first (start-and-network.md section 2 row 1)
BASE_PARAMS = (
    "allow.set_hostname=false",
    "allow.raw_sockets",
    "allow.socket_af",
    "allow.chflags",
    "exec.clean",
    "mount.devfs",
)
# keeps a non-persistent jail alive until the main command is attached to it
EXEC_START = "exec.start=sh -c 'sleep 1234&'"


def attribute_params(conf: PotConf) -> list[str]:
    """The jail attributes of pot.conf as jail(8) parameters, in the attribute table's order."""
    params: list[str] = []
    for spec in potconf.JAIL_ATTRIBUTES:
        name = spec.jail_param or spec.name
        if spec.type == "string":
            value = conf.get_string(spec.key) or ""
        else:
            value = conf.get(spec.key) or ""
        if spec.type == "bool":
            if value == "YES":
                params.append(name)
        elif value:
            params.append(f"{name}={value}")
        elif spec.type == "sysvopt":
            params.append(f"{name}={spec.default}")
    return params


def create_params(
    pot: str, conf: PotConf, root: Path, osrelease: str, network: Sequence[str]
) -> list[str]:
    """Every parameter of the pot's ``jail -c``, in upstream's order and spelling.

    ``root`` is the jail's path, ``osrelease`` what :func:`os_release` found and
    ``network`` the parameters of :func:`pot.net.jail_network_params` (section 2).
    """
    persist = "nopersist" if conf.get("pot.attr.persistent") == "NO" else "persist"
    return [
        *BASE_PARAMS,
        *attribute_params(conf),
        f"name={pot}",
        f"host.hostname={conf.get('host.hostname') or ''}",
        f"osrelease={osrelease}",
        f"path={root}",
        persist,
        *network,
        EXEC_START,
    ]


def os_release(root: Path, conf: PotConf) -> str:
    """``USERLAND_VERSION`` of the pot's ``/bin/freebsd-version``, else pot.conf's osrelease."""
    script = root / "bin" / "freebsd-version"
    try:
        text = script.read_text(errors="replace")
    except OSError:
        return conf.get("osrelease") or ""
    values = [
        line.split("=")[1].replace('"', "") if "=" in line else line
        for line in text.splitlines()
        if line.startswith("USERLAND")
    ]
    return "\n".join(values)
