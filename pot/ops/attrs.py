"""The customising commands that edit a pot's configuration: set-cmd, set-attribute,
get-attribute, set-rss, get-rss, set-env, set-hosts, set-hook, add-dep, export-ports.

Each function checks its arguments in upstream's order and with upstream's messages,
then edits ``conf/pot.conf`` as upstream does (delete the key's lines, append the new
ones). ``authorize`` is called where upstream checks for root (after the argument
checks, before anything is changed): the CLI passes its root check, flavours, which
run inside an already authorised create, leave the default.
"""

from __future__ import annotations

import os

from pot import jail, model, potconf, rctl, rootpath
from pot import log as logging
from pot.errors import (
    PotError,
    PotNotFound,
    PotNotRunning,
    PotRunning,
    QuietExit,
    UsageError,
    worded,
)
from pot.ops import common
from pot.ops.common import Authorize, allowed
from pot.record import record
from pot.rootpath import PotFile
from pot.settings import Settings

# get-rss and get-attr are run every second by nomad-pot-driver: re, pathlib and
# collections are loaded only by the functions that need them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

log = logging.getLogger(__name__)


def _require_name(pot: str) -> None:
    if not pot:
        raise UsageError("A pot name is mandatory")


def _edit(s: Settings, pot: str, edit: Callable[[potconf.PotConf], None]) -> None:
    """Read, edit and write pot.conf under the pot's lock (no edit of another is lost)."""
    with common.locked(s, pot):
        conf = common.read_conf(s, pot)
        edit(conf)
        common.write_conf(s, pot, conf)


# --------------------------------------------------------------------------- set-cmd


def set_cmd(s: Settings, pot: str, cmd: str, *, authorize: Authorize = allowed) -> None:
    """Store the pot's command (``pot.cmd``); one leading and trailing ``"`` are removed."""
    _require_name(pot)
    if not cmd:
        raise UsageError("A command is mandatory")
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    authorize()
    _edit(s, pot, lambda conf: potconf.set_cmd(conf, cmd))


# --------------------------------------------------------------------------- set-env


def check_env(assignment: str) -> None:
    """One ``-E``: it needs an ``=`` (checked as upstream's getopts loop does)."""
    if "=" not in assignment:
        raise UsageError(f"{assignment} not in a valid form", "VARIABLE=value is accetped")


def set_env(
    s: Settings, pot: str, assignments: Sequence[str], *, authorize: Authorize = allowed
) -> None:
    """Replace every ``pot.env`` line with one ``pot.env="VAR=value"`` per assignment."""
    for assignment in assignments:
        check_env(assignment)
    _require_name(pot)
    if not assignments:
        raise UsageError("A command is mandatory")  # sic: upstream's message for no -E
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    authorize()
    _edit(s, pot, lambda conf: potconf.set_env(conf, assignments))


# ------------------------------------------------------------------------- set-hosts


def _valid_ip(text: str) -> bool:
    # potnet ipcheck: the text parses as an IPv4 or IPv6 address (no zone index)
    if "%" in text:
        return False
    try:
        import ipaddress

        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_host(entry: str) -> tuple[str, str]:
    """One ``-H hostname:IP`` (split at the first ``:``) as ``(ip, hostname)``."""
    hostname, sep, ip = entry.partition(":")
    if not sep:
        raise UsageError(f"{entry} not in a valid form", "hostname:IP is accepted")
    if not ip or not hostname:
        raise UsageError("Submitted ip or hostname are empty")
    if not _valid_ip(ip):
        raise UsageError(f"Submitted ip {ip} is not a valid one")
    return ip, hostname


def set_hosts(
    s: Settings, pot: str, entries: Sequence[str], *, authorize: Authorize = allowed
) -> None:
    """Replace every ``pot.hosts`` line with one ``pot.hosts=<ip> <hostname>`` per entry;
    no entries just clear them.
    """
    hosts = [parse_host(entry) for entry in entries]
    _require_name(pot)
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    authorize()
    _edit(s, pot, lambda conf: potconf.set_hosts(conf, hosts))


# -------------------------------------------------------------------------- set-hook

HOOKS = ("prestart", "poststart", "prestop", "poststop")


def hook_path(s: Settings, pot: str, hook: str) -> PotFile:
    return model.pot_file(s, pot, f"conf/{hook}.sh")


def _valid_hook(path: str) -> bool:
    # upstream tests -x only; a directory passes that and then fails to copy
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def _chosen_hooks(hooks: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The last valid file given for each hook; each invalid one is reported and ignored."""
    chosen: dict[str, str] = {}
    for hook in HOOKS:
        for path in hooks.get(hook, ()):
            if _valid_hook(path):
                chosen[hook] = path
            else:
                log.error("%s not a valid hook", path)
    return chosen


def set_hooks(
    s: Settings,
    pot: str,
    hooks: Mapping[str, Sequence[str]],
    *,
    authorize: Authorize = allowed,
) -> None:
    """Copy hook scripts to ``conf/<hook>.sh``; ``hooks`` maps a name of HOOKS to the
    files given for it, in order (``-s``, ``-S``, ``-t``, ``-T``).
    """
    unknown = set(hooks) - set(HOOKS)
    if unknown:
        raise ValueError(f"unknown hooks: {sorted(unknown)}")
    chosen = _chosen_hooks(hooks)
    _require_name(pot)
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    if not chosen:
        raise UsageError("No hooks provided - at least one hook as to be set")
    authorize()
    with common.locked(s, pot):
        for hook, path in chosen.items():
            try:
                mode = os.stat(path).st_mode & 0o777
            except OSError as exc:
                raise PotError(f"cp: {path}: {exc.strerror}") from exc
            # cp keeps the mode: the hook stays executable (the umask does not matter)
            from pathlib import Path

            rootpath.copy_from_host(Path(path), hook_path(s, pot, hook), mode)


# --------------------------------------------------------------------------- add-dep


def add_dep(s: Settings, pot: str, dependency: str, *, authorize: Authorize = allowed) -> None:
    """Append ``pot.depend=<dependency>`` (duplicates are not checked, as upstream)."""
    _require_name(pot)
    if not dependency:
        raise UsageError("A dependency pot is mandatory")
    if pot == dependency:
        raise UsageError("a pot cannot be run time dependecy of itself")
    common.check_pot(s, pot, f"pot {pot} is not valid", usage=True)
    common.check_pot(s, dependency, f"dependency pot {dependency} is not valid", usage=True)
    authorize()
    _edit(s, pot, lambda conf: potconf.add_depend(conf, dependency))


# --------------------------------------------------------------------------- set-rss

# patterns are compiled on first use (re caches them): every get-rss imports this module
_MEMORY = r"[0-9]+[bBkKmMgG]?"


def check_memory(memory: str) -> None:
    """``-M``: digits with an optional b/k/m/g suffix, greater than zero."""
    import re

    if not re.fullmatch(_MEMORY, memory):
        raise UsageError(f"{memory} is not a valid memory constraint")
    if not memory.rstrip("bBkKmMgG").strip("0"):
        raise UsageError("Memory constraint has to be greater than zero")


def _valid_cpus(cpus: str) -> bool:
    return cpus.isascii() and cpus.isdigit() and int(cpus) > 0


def set_rss(
    s: Settings,
    pot: str,
    *,
    cpus: str = "",
    memory: str = "",
    authorize: Authorize = allowed,
) -> None:
    """Store ``pot.rss.cpus`` and/or ``pot.rss.memory`` as given (applied at the next start)."""
    if memory:
        check_memory(memory)
    _require_name(pot)
    common.check_pot(s, pot, f"{pot} is not a valid pot name", usage=True)
    if not cpus and not memory:
        raise UsageError("One resource has to be specified (-C or -M)")
    authorize()
    if cpus and not _valid_cpus(cpus):
        raise PotError(f"{cpus} is a not valid amount of CPUs!")

    def edit(conf: potconf.PotConf) -> None:
        if cpus:
            potconf.set_rss(conf, "cpus", cpus)
        if memory:
            potconf.set_rss(conf, "memory", memory)

    _edit(s, pot, edit)


# --------------------------------------------------------------------------- get-rss


@record
class RssUsage:
    """What get-rss shows: rctl's raw values, and the cpu time computed as upstream does."""

    pot: str
    cputime_ticks: str  # rctl's cputime
    cputime_mhz: str  # clockrate * pcpu / 100, spelled as bc prints it (".500", "0")
    pcpu: str
    vmemory: str
    memory: str
    swap: str


def is_decimal_number(text: str) -> bool:
    r"""``[0-9]+(\.[0-9]*)?|\.[0-9]+``: ASCII digits, at most one ``.`` anywhere (bc's
    numbers: ``1.``, ``.5``). Without re: get-rss runs every second for every task.
    """
    digits = text.replace(".", "", 1)
    return digits.isascii() and digits.isdigit()


def _scale(number: str) -> int:
    return len(number.partition(".")[2])


def bc_cputime(clockrate: str, pcpu: str) -> str:
    """``scale=3; clockrate * pcpu / 100`` as bc computes and prints it ("" when bc would fail)."""
    if not (is_decimal_number(clockrate) and is_decimal_number(pcpu)):
        return ""
    if len(clockrate) + len(pcpu) <= _EXACT_DIGITS:
        return _bc_cputime_int(clockrate, pcpu)
    from decimal import ROUND_DOWN, Decimal, InvalidOperation

    try:
        a, b = Decimal(clockrate), Decimal(pcpu)
    except InvalidOperation:
        return ""
    # bc: a product keeps min(sa+sb, max(scale, sa, sb)) digits, a quotient `scale` digits
    digits = min(_scale(clockrate) + _scale(pcpu), max(3, _scale(clockrate), _scale(pcpu)))
    product = (a * b).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
    quotient = (product / 100).quantize(Decimal("0.001"), rounding=ROUND_DOWN)
    if quotient == 0:
        return "0"
    text = f"{quotient:.3f}"
    return text[1:] if text.startswith("0.") else text


# decimal's default precision: below it, its product is exact and integers give the
# same digits without importing decimal (get-rss runs every second for every task)
_EXACT_DIGITS = 28


def _bc_cputime_int(clockrate: str, pcpu: str) -> str:
    """:func:`bc_cputime` in integers: a number with s decimals is N / 10**s."""
    sa, sb = _scale(clockrate), _scale(pcpu)
    digits = min(sa + sb, max(3, sa, sb))
    product = int(clockrate.replace(".", "")) * int(pcpu.replace(".", ""))
    product //= 10 ** (sa + sb - digits)  # truncated to `digits` decimals
    thousandths = product * 1000 // 10 ** (digits + 2)  # / 100, truncated to 3 decimals
    if thousandths == 0:
        return "0"
    whole = thousandths // 1000
    return f"{whole if whole else ''}.{thousandths % 1000:03d}"


def get_rss(s: Settings, pot: str, *, authorize: Authorize = allowed) -> RssUsage:
    """The running pot's resource usage from rctl (raises unless it runs and racct is on)."""
    _require_name(pot)
    if not jail.is_running(pot):
        raise PotNotRunning(f"The pot {pot} is not running")
    authorize()
    if not rctl.racct_enabled():
        raise PotError("To get resource usage, rctl has to be enabled")
    clockrate = rctl.sysctl("hw.clockrate")
    usage = rctl.usage(pot)
    pcpu = usage.get("pcpu", "")
    return RssUsage(
        pot=pot,
        cputime_ticks=usage.get("cputime", ""),
        cputime_mhz=bc_cputime(clockrate, pcpu),
        pcpu=pcpu,
        vmemory=usage.get("vmemoryuse", ""),
        memory=usage.get("memoryuse", ""),
        swap=usage.get("swapuse", ""),
    )


# ---------------------------------------------------------------------- export-ports


def _port_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < int(text) <= 65535


def valid_export_port(spec: str) -> bool:
    """``[tcp:|udp:]<port>[:<port>]``, ports 1-65535 (fields after the second ignored)."""
    for proto in ("tcp:", "udp:"):
        if spec.startswith(proto):
            spec = spec[len(proto) :]
            break
    fields = spec.split(":")
    if len(fields) == 1:
        return _port_number(fields[0])
    return _port_number(fields[0]) and _port_number(fields[1])


def check_export_port(spec: str) -> None:
    if not valid_export_port(spec):
        raise UsageError(f"{spec} is not a valid port number")


_BRIDGES = ("public-bridge", "private-bridge")


def export_ports(
    s: Settings, pot: str, ports: Sequence[str], *, authorize: Authorize = allowed
) -> None:
    """Store ``pot.export.ports=<ports joined by a space>`` (used at start)."""
    for spec in ports:
        check_export_port(spec)
    _require_name(pot)
    common.check_pot(s, pot, f"{pot} is not a valid pot name", usage=True)
    if not ports:
        raise UsageError("One port has to be specified")
    conf = common.read_conf(s, pot)
    if conf.get("network_type") not in _BRIDGES:
        log.info(
            "Only public-bridge and private-bridge network type can export ports"
            " - this setting will be ignored during start"
        )
    if (conf.get("pot.stack") or s.network_stack) == "ipv6":
        log.info(
            "Only ipv4 can export ports, on ipv6 the pot has already a unique address"
            " - this setting will be ignored during start"
        )
    log.debug("Exporting the following ports: %s", " ".join(ports))
    authorize()
    _edit(s, pot, lambda conf: potconf.set_export_ports(conf, ports))


# ------------------------------------------------------------- set-/get-attribute


def set_attribute(
    s: Settings, pot: str, name: str, value: str, *, authorize: Authorize = allowed
) -> None:
    """Store ``pot.attr.<name>``, normalised by the attribute's type (YES/NO for booleans).

    ``no-tmpfs`` can be set only on single pots that are not running.
    """
    _require_name(pot)
    if not name:
        raise UsageError("Option -A is mandatory")
    if not value:
        raise UsageError("Option -V is mandatory")
    common.check_pot(s, pot, f"{pot} is not a valid pot", usage=True)
    spec = potconf.writable_attribute(name)
    authorize()

    def edit(conf: potconf.PotConf) -> None:
        if name == "no-tmpfs":
            if conf.get("pot.type") != "single":
                raise PotError("Attribute no-tmpfs is only usable with single type pot")
            if jail.is_running(pot):
                raise PotRunning(f"pot {pot} is still running")
        potconf.set_attr(conf, name, potconf.normalize(spec, value))

    _edit(s, pot, edit)


@record
class AttrValue:
    """A stored attribute as get-attribute reads it: "" when the line is missing."""

    pot: str
    name: str
    value: str


def get_attribute(s: Settings, pot: str, name: str, *, quiet: bool = False) -> AttrValue:
    """The stored value (upstream's generic reader, no default applied). With ``quiet``
    an invalid pot fails silently; an unknown attribute is reported anyway.
    """
    _require_name(pot)
    if not name:
        raise UsageError("Option -A is mandatory")
    problem = common.pot_problem(s, pot)
    if problem is not None:
        if quiet:
            raise QuietExit(1)
        raise PotNotFound(worded("no", problem), f"{pot} is not a valid pot", usage=True)
    spec = potconf.attribute(name)
    value = common.read_conf(s, pot).get(spec.key, "")
    return AttrValue(pot, name, value or "")
