"""The only user of jail(8), jls and jexec."""

from __future__ import annotations

from pot import potconf, proc, rootpath
from pot.errors import PotError
from pot.potconf import PotConf

TYPE_CHECKING = False
if TYPE_CHECKING:  # not loaded at start-up (pot.model says why)
    from collections.abc import Sequence
    from pathlib import Path


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


def login_argv(
    name: str, command: Sequence[str], *, host_user: str = "", pot_user: str = ""
) -> list[str]:
    """``jexec -l [-u user | -U user] name command...`` (host user wins, as pot exec)."""
    argv = ["jexec", "-l"]
    if host_user:
        argv += ["-u", host_user]
    elif pot_user:
        argv += ["-U", pot_user]
    return [*argv, name, *command]


def run_in_root(root: Path, command: Sequence[str]) -> int:
    """Run a command in a throw-away jail on root (``jail -c path=<root> command=...``).

    Output passes through; returns the exit status.
    """
    return proc.call(["jail", "-c", f"path={root}", f"command={command[0]}", *command[1:]])


def jexec(name: str, command: Sequence[str]) -> int:
    """Run a command inside the running jail (``jexec <name> ...``); returns the exit status."""
    return proc.call(["jexec", name, *command])


# the parameters every pot gets first (upstream share/pot/start.sh, _js_start)
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
    ``network`` the parameters of :func:`pot.net.jail_network_params` (as upstream's _js_start).
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
    # root is the pot's (m/): a link there is not followed, a fifo never opened
    script = rootpath.PotFile(root, "bin/freebsd-version", f"the pot's root {root}")
    try:
        text = rootpath.read_bytes(script).decode("utf-8", "replace")
    except (OSError, PotError):
        return conf.get("osrelease") or ""
    values = [
        line.split("=")[1].replace('"', "") if "=" in line else line
        for line in text.splitlines()
        if line.startswith("USERLAND")
    ]
    return "\n".join(values)


def create(params: Sequence[str]) -> int:
    """``jail -c <params>``; output passes through, the status is returned (start ignores it)."""
    return proc.call(["jail", "-c", *params])


def remove(name: str, exec_stop: str, stop_timeout: str) -> int:
    """``jail -f- -q -r <name>`` with upstream's configuration on stdin (exec.stop, timeout)."""
    lines = [f"{name} {{"]
    if exec_stop:
        quoted = exec_stop.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'  exec.stop="{quoted}";')
    if stop_timeout:
        lines.append(f"  stop.timeout={stop_timeout};")
    lines.append("}")
    text = "".join(f"{line}\n" for line in lines)
    # jail(8)'s own messages reach the user, as upstream's pipe into jail leaves them
    argv = ["jail", "-f-", "-q", "-r", name]
    return proc.run(argv, input=text, check=False, show_errors=True).returncode


def spawn(name: str, command: Sequence[str]) -> proc.Background:
    """``jexec <name> <command> &``: the host pid is the command's (jexec execs it)."""
    return proc.spawn(["jexec", name, *command])


def login_shell(name: str) -> int:
    """``jexec -l -U root <name>``: root's interactive login shell in the jail."""
    return proc.call(["jexec", "-l", "-U", "root", name])


def kill_placeholder(name: str) -> None:
    """End the ``sleep 1234`` that kept a new non-persistent jail alive."""
    proc.run(["pkill", "-f", "-j", name, "^sleep 1234$"], check=False, show_errors=True)


def running_names() -> list[str]:
    """The names of the running jails (``jls name``)."""
    result = proc.run(["jls", "name"], check=False)
    return result.stdout.split() if result.ok else []


def remove_shm_under(prefix: str) -> None:
    """Remove the POSIX shared memory objects whose path starts with prefix (if the tool exists)."""
    if not proc.available("posixshmcontrol"):
        return
    listing = proc.run(["posixshmcontrol", "ls"], check=False).stdout
    for line in listing.splitlines():
        fields = line.split("\t")
        if len(fields) > 4 and fields[4].startswith(prefix):
            proc.run(["posixshmcontrol", "rm", fields[4]], check=False)
