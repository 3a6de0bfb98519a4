"""Running pots: start and stop, as upstream's start.sh and stop.sh do them.

The sequence is upstream share/pot/start.sh, pot-start and _js_start. Differences on purpose:
every failed start is cleaned up (upstream leaves the mounts and the status behind when
the epair cannot be made), ``/tmp/tinirc`` gets a ``#!/bin/sh`` line, and stop removes
the pot's rctl rules (upstream never does).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pot import jail, model, net, potconf, proc, rctl, rootpath, zfs
from pot import log as logging
from pot.errors import AppExitError, PotError
from pot.model import main_pid_file
from pot.ops import common, info, mounts, status
from pot.ops.common import Authorize, allowed, is_persistent
from pot.ops.status import Transition
from pot.potconf import PotConf
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)

# where the line upstream's set-status echoes goes (the CLI passes click.echo)
Say = Callable[[str], None]

HOST_RESOLV_CONF = Path("/etc/resolv.conf")
DEFAULT_CMD = "sh /etc/rc"
# lets the main command attach before the placeholder sleep of the jail is killed
PLACEHOLDER_GRACE = 0.5
TINIRC = "/tmp/tinirc"
_HOOK_LINES = {
    "prestart": "Executing the pre-start script for the pot {}",
    "poststart": "Executing the post-start script for the pot {}",
    "prestop": "Executing the pre-stop script for the pot {}",
    "poststop": "Executing the post-stop script for the pot {}",
}
# (prefix, precedence, label); the precedence of IPv4-mapped addresses depends on the stack
_IP6_POLICY = (
    "        ::1/128\t\t 50\t 0",
    "        ::/0\t\t 40\t 1",
    "        ::ffff:0:0/96\t {prec}\t 4",
    "        2002::/16\t 30\t 2",
    "        2001::/32\t  5\t 5",
    "        fc00::/7\t  3\t13",
    "        ::/96\t\t  1\t 3",
    "        fec0::/10\t  1\t11",
    "        3ffe::/16\t  1\t12",
)


# --------------------------------------------------------------------------- small facts


def last_run_stats_file(s: Settings, pot: str) -> PotFile:
    return model.pot_file(s, pot, "conf/.last_run_stats")


def main_command(conf: PotConf) -> str:
    """``pot.cmd`` as start reads it (everything after the key), ``sh /etc/rc`` when empty."""
    return conf.raw("pot.cmd") or DEFAULT_CMD


def _no_rc_script(conf: PotConf) -> bool:
    return conf.get("pot.attr.no-rc-script") == "YES"


def run_hook(s: Settings, pot: str, hook: str) -> None:
    """Run ``conf/<hook>.sh`` on the host if executable, with ``info -E``'s variables set."""
    path = model.pot_file(s, pot, f"conf/{hook}.sh")
    # a link is not run: its target could be any program of the host
    if not rootpath.is_executable(path):
        return
    log.info(_HOOK_LINES[hook].format(pot))
    # the exit status is ignored, as upstream
    proc.call([str(path.host)], env=dict(info.environment(s, pot)))


# --------------------------------------------------------------------------- start


def silent(_line: str) -> None:
    """The default ``say`` of nested starts whose caller prints nothing."""


def start(
    s: Settings,
    pot: str,
    *,
    snapshot: str = "none",
    authorize: Authorize = allowed,
    say: Say = silent,
) -> None:
    """``pot start``: returns when a persistent pot runs, or when a non-persistent one ended.

    Raises AppExitError (exit 125) when a non-persistent pot's command failed, PotError
    for every other failure (after cleaning up what was done). When the pot's command
    ends (or a persistent pot did not come up), upstream's set-status echoes the
    interfaces kept in the status (an empty line without vnet): ``say`` gets that line.
    """
    if not pot:
        raise PotError("A pot name is mandatory", usage=True)
    # the pot's lock is held until the jail runs, not while its command does: a stop
    # (or a destroy) must be able to end a non-persistent pot
    with common.locked(s, pot):
        launched = _start(s, pot, snapshot, authorize)
    if launched is not None:
        _wait(s, pot, *launched, say)


# the main command, whether the pot is persistent, the interfaces to remove at the end
Launched = tuple[proc.Background, bool, Sequence[str]]


def _start(s: Settings, pot: str, snapshot: str, authorize: Authorize) -> Launched | None:
    common.check_pot(s, pot)
    if jail.is_running(pot):
        log.debug("pot %s is already running", pot)
        return None
    conf = common.read_conf(s, pot)
    _check_startable(s, pot, conf)
    authorize()
    if not status.touch_ok(s):
        raise PotError("failed to create the POT_TMP directory")
    changed = status.change(s, pot, "starting").result
    if changed == Transition.ALREADY:
        raise PotError(f"pot {pot} is already starting")
    if changed == Transition.REFUSED:
        raise PotError(f"pot {pot} is not in a state where it can start")
    _start_dependencies(s, conf)
    _snapshot(s, pot, snapshot)
    try:
        mounts.mount_pot(s, pot)
    except PotError as exc:
        _cleanup(s, pot, ())
        raise PotError(*exc.lines, "Mount failed ") from exc
    try:
        _resolv_conf(s, pot, conf)
        _etc_hosts(s, pot, conf)
    except PotError:
        _cleanup(s, pot, ())
        raise
    return _run(s, pot)


def _check_startable(s: Settings, pot: str, conf: PotConf) -> None:
    if conf.get("pot.export.static.ports") or conf.get("ip4"):
        raise PotError(
            f"Configuration file for {pot} contains obsolete elements",
            f"Please run pot update-config -p {pot} to fix",
        )
    if conf.get("pot.rss.cpuset"):
        log.info("Found old cpuset rss limitation - it will be ignored")
        log.info("Please run pot update-config -p %s to clean up the configuration", pot)
    stack = net.pot_stack(s, conf)
    private = conf.get("network_type") == "private-bridge"
    if private and stack == "ipv6":
        raise PotError(
            "The framework is configured to run ipv6 only and private-bridge are supported"
            " only on ipv4 - abort"
        )
    if private and stack == "dual":
        log.info(
            "The framework is configured to run dual stack, but private-bridge are supported"
            " only on ipv4 - ipv6 ignored"
        )
    if conf.get("vnet") == "true" and not net.vnet_available():
        raise PotError("This kernel doesn't support VIMAGE! No vnet possible - abort")


def _start_dependencies(s: Settings, conf: PotConf) -> None:
    """Start every ``pot.depend`` pot (its own dependencies first); failures are only shown."""
    for dependency in (conf.get("pot.depend") or "").split():
        try:
            start(s, dependency)
        except PotError as exc:
            common.report(log, exc)


def _snapshot(s: Settings, pot: str, kind: str) -> None:
    name = str(int(time.time()))
    if kind == "normal":
        zfs.snapshot(model.pot_dataset(s, pot), name, recursive=True)
    elif kind == "full":
        for entry in potconf.read_fscomp(model.fscomp_conf_path(s, pot)):
            if entry.option != "ro" and not entry.is_directory:
                zfs.snapshot(entry.source, name)


def _resolv_conf(s: Settings, pot: str, conf: PotConf) -> None:
    etc = model.pot_file(s, pot, "m/etc")
    dns = conf.get("pot.dns") or "inherit"
    if dns == "inherit":
        try:
            text = HOST_RESOLV_CONF.read_bytes()
        except OSError as exc:
            raise PotError("No resolv.conf found in /etc") from exc
        _copy_resolv_conf(text, etc)
    elif dns == "pot":
        hostname = conf.get("host.hostname") or ""
        domain = hostname.split(".")[1] if "." in hostname else hostname
        line = f"# Generated by pot\nsearch {domain}\nnameserver {s.get('POT_DNS_IP')}\n"
        rootpath.write(etc.child("resolv.conf"), line, keep_mode=False)
    elif dns == "custom":
        custom = model.pot_file(s, pot, "conf/resolv.conf")
        try:
            text = rootpath.read_bytes(custom)
        except OSError as exc:
            raise PotError("No custom resolv.conf! pot configuration corrupted?") from exc
        _copy_resolv_conf(text, etc)


def _copy_resolv_conf(text: bytes, etc: PotFile) -> None:
    if not rootpath.is_dir(etc):
        log.info("No custom etc directory found, resolv.conf not loaded")
        return
    rootpath.write(etc.child("resolv.conf"), text, keep_mode=False)


def _etc_hosts(s: Settings, pot: str, conf: PotConf) -> None:
    lines = net.etc_hosts_lines(s, pot, conf)
    text = "".join(f"{line}\n" for line in lines)
    rootpath.write(model.pot_file(s, pot, "m/etc/hosts"), text, keep_mode=False)


def environment_lines(s: Settings, pot: str, conf: PotConf) -> list[str]:
    """``export "VAR=value"`` per ``pot.env`` line (quoting kept), then ``info -E``'s lines."""
    lines = [f"export {value}" for value in conf.raw_all("pot.env")]
    return lines + [f"export {name}={value}" for name, value in info.environment(s, pot)]


def tinirc_text(
    s: Settings, conf: PotConf, setup: net.NetworkSetup, environment: Sequence[str]
) -> str:
    """The ``/tmp/tinirc`` of a no-rc-script pot (upstream start.sh, _js_norc and _js_env)."""
    prec = "100" if net.pot_stack(s, conf) == "ipv4" else "35"
    lines = [
        "#!/bin/sh",
        "# created automatically by pot, changes will be overwritten",
        "echo $$ >/tmp/tinirc.pid",
        "if sysctl -n kern.features.inet6 >/dev/null 2>&1; then",
        "        ip6addrctl flush >/dev/null 2>&1",
        "        ip6addrctl install /dev/stdin <<EOF",
        *(line.format(prec=prec) for line in _IP6_POLICY),
        "EOF",
        "fi",
        *setup.tinirc,
        *environment,
        *setup.tinirc_tail,
        f"exec {main_command(conf)}",
    ]
    return "".join(f"{line}\n" for line in lines)


def _run(s: Settings, pot: str) -> Launched:
    """Network, environment, command file, jail, main command, status; what to wait for."""
    conf = common.read_conf(s, pot)
    try:
        setup = net.setup(s, pot, conf)
    except PotError as exc:
        _cleanup(s, pot, ())  # setup has removed its own epairs
        raise PotError(*exc.lines, f"{pot} failed to start") from exc
    try:
        main = _launch(s, pot, conf, setup)
    except PotError as exc:
        _cleanup(s, pot, setup.interfaces)
        raise PotError(*exc.lines, f"{pot} failed to start") from exc
    run_hook(s, pot, "poststart")
    time.sleep(PLACEHOLDER_GRACE)
    jail.kill_placeholder(pot)
    persistent = is_persistent(conf)
    if not persistent:
        potconf.atomic_write(main_pid_file(s, pot), f"{main.pid}\n")
    changed = status.change(s, pot, "started", setup.status_interfaces).result
    if changed == Transition.ALREADY:
        log.info("pot %s is already started (???)", pot)
    elif changed == Transition.REFUSED:
        log.error("pot %s is not in a state where it can be started", pot)
    return main, persistent, setup.interfaces


def _launch(s: Settings, pot: str, conf: PotConf, setup: net.NetworkSetup) -> proc.Background:
    root = model.pot_root(s, pot)
    command = _command_file(s, pot, conf, setup)
    run_hook(s, pot, "prestart")
    main_pid_file(s, pot).unlink(missing_ok=True)
    log.info("Starting the pot %s", pot)
    params = jail.create_params(pot, conf, root, jail.os_release(root, conf), setup.params)
    log.debug("Pot %s jail params are: %s", pot, " ".join(params))
    jail.create(params)
    _mark_to_be_pruned(s, pot)
    if jail.is_running(pot):
        _resources(pot, conf)
    return jail.spawn(pot, command)


def _wait(
    s: Settings,
    pot: str,
    main: proc.Background,
    persistent: bool,
    interfaces: Sequence[str],
    say: Say,
) -> None:
    """Wait for the main command, record its status; a non-persistent pot is stopped."""
    code = main.wait()
    rootpath.write(last_run_stats_file(s, pot), f'{{ "ExitCode": {code} }}\n', keep_mode=False)
    if not persistent:
        main_pid_file(s, pot).unlink(missing_ok=True)
        if _finish(s, pot, interfaces, say) and code != 0:
            raise AppExitError(f"{pot} reported application error")
    elif not jail.is_running(pot) and _finish(s, pot, interfaces, say):
        raise PotError(f"{pot} failed to start")


def _finish(s: Settings, pot: str, interfaces: Sequence[str], say: Say) -> bool:
    """Status ``stopping`` and the clean-up; False when someone else is stopping the pot."""
    changed = status.change(s, pot, "stopping")
    if changed.result == Transition.ALREADY:
        log.debug("pot %s is already stopping (maybe by a pot stop)", pot)
        return False
    if changed.result == Transition.REFUSED:
        raise PotError(f"pot {pot} is not in a state where it can be stopped")
    # upstream's set-status -s stopping echoes the interfaces on start's stdout
    say(changed.interfaces)
    _cleanup(s, pot, interfaces)
    return True


def _command_file(s: Settings, pot: str, conf: PotConf, setup: net.NetworkSetup) -> list[str]:
    """Write the environment (and tinirc); the argv jexec runs in the jail."""
    tmp = model.pot_file(s, pot, "m/tmp")
    environment = environment_lines(s, pot, conf)
    if _no_rc_script(conf):
        text = tinirc_text(s, conf, setup, environment)
        rootpath.write(tmp.child("tinirc"), text, 0o755, keep_mode=False)
        return [TINIRC]
    text = "".join(f"{line}\n" for line in environment)
    rootpath.write(tmp.child("environment.sh"), text, keep_mode=False)
    # split on blanks without a shell: quotes in pot.cmd are passed literally (as upstream)
    return main_command(conf).split()


def _mark_to_be_pruned(s: Settings, pot: str) -> None:
    path = model.pot_conf_path(s, pot)
    if rootpath.lstat(path) is None:
        return
    conf = potconf.read(path)
    if conf.get("pot.attr.prunable") != "YES":
        return
    conf.remove("pot.attr.to-be-pruned")
    conf.append("pot.attr.to-be-pruned=YES")
    potconf.write(path, conf)


def _resources(pot: str, conf: PotConf) -> None:
    """CPU set and memory limit of the running jail (upstream start.sh, _js_rss)."""
    cpus = conf.get("pot.rss.cpus") or ""
    memory = conf.get("pot.rss.memory") or ""
    if cpus:
        jid = jail.jid(pot)
        pinned = [rctl.jail_cpus(name) for name in jail.running_names() if name != pot]
        chosen = rctl.least_loaded(int(cpus) if cpus.isdigit() else 0, rctl.ncpu(), pinned)
        if jid is not None:
            rctl.pin(jid, chosen)
    if memory:
        if not rctl.racct_enabled():
            log.info("memory constraint cannot be applies because rctl is not enabled - ignoring")
        else:
            rctl.limit_memory(pot, memory)


def _cleanup(s: Settings, pot: str, interfaces: Sequence[str]) -> None:
    """Upstream's start-cleanup: status ``doa``, then a stop that undoes everything."""
    status.change(s, pot, "doa")
    left = [name for name in interfaces if net.interface_exists(name)]
    try:
        stop(s, pot, interfaces=":".join(left), from_start=True)
    except PotError as exc:
        common.report(log, exc)


# --------------------------------------------------------------------------- stop


def stop(
    s: Settings,
    pot: str,
    *,
    interfaces: str = "",
    from_start: bool = False,
    authorize: Authorize = allowed,
) -> None:
    """``pot stop``: stop the jail and undo everything start did (upstream stop.sh).

    An invalid pot is only reported (upstream exits 0).
    """
    if not pot:
        raise PotError("A pot name is mandatory", usage=True)
    with common.locked(s, pot):
        _stop(s, pot, interfaces, from_start, authorize)


def _stop(s: Settings, pot: str, interfaces: str, from_start: bool, authorize: Authorize) -> None:
    if not common.is_pot(s, pot):
        log.error("The pot %s is not a valid pot", pot)
        return
    authorize()
    changed = status.change(s, pot, "stopping")
    if changed.result == Transition.ALREADY:
        if not from_start:
            raise PotError(f"pot {pot} is already stopping!")
        log.debug("pot %s is already stopping, but we are cleaning up from start-cleanup", pot)
    if changed.result == Transition.REFUSED:
        raise PotError(f"pot {pot} is not in a state where it can be stopped")
    # the status a surviving jail gets back: start's clean-up comes from doa
    before = "doa" if from_start else "started"
    _stop_jail(s, pot, interfaces or changed.interfaces, (before, changed.interfaces))
    _remove_resolv_conf(s, pot)
    mounts.umount_pot(s, pot)
    done = status.change(s, pot, "stopped").result
    if done == Transition.ALREADY:
        raise PotError(f"pot {pot} is already stopped!")
    if done == Transition.REFUSED:
        raise PotError(f"pot {pot} is not in a state where it can marked as stopped")


def _stop_jail(s: Settings, pot: str, interfaces: str, recorded: tuple[str, str]) -> None:
    """Remove the jail, then its network, rctl rules, shared memory; ``recorded`` is the
    status (and its interfaces) before ``stopping``, put back if the jail survives."""
    conf = common.read_conf(s, pot)
    if jail.is_running(pot):
        run_hook(s, pot, "prestop")
        log.debug("Stop the pot %s", pot)
        exec_stop = conf.get_string("pot.attr.exec_stop") or ""
        code = jail.remove(pot, exec_stop, conf.get("pot.attr.stop_timeout") or "")
        if code != 0 and jail.is_running(pot):
            # upstream ignores jail -r's status and marks a running pot stopped; we stop
            # here, before the network and mounts under the running jail are taken away
            status.put_back(s, pot, *recorded)
            raise PotError(f"pot {pot} is still running: jail -r failed (exit status {code})")
    try:
        net.teardown(s, pot, conf, interfaces.split(":") if interfaces else [])
    except net.TeardownError as exc:
        for failure in exc.failures:
            log.error("%s", failure)
    if conf.get("pot.rss.memory") and rctl.racct_enabled():
        rctl.remove_rules(pot)
    jail.remove_shm_under(f"{model.pot_dir(s, pot)}/")
    run_hook(s, pot, "poststop")


def _remove_resolv_conf(s: Settings, pot: str) -> None:
    path = model.pot_file(s, pot, "m/etc/resolv.conf")
    conf = common.read_conf(s, pot)
    with contextlib.suppress(PotError):
        if rootpath.is_file(path) and conf.get("pot.dns") != "off":
            rootpath.unlink(path)
