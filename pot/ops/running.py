"""Commands on running pots: term/run, exec, signal, ps, top (upstream term.sh ... top.sh)."""

from __future__ import annotations

import os

from pot import jail, model, proc
from pot import log as logging
from pot.errors import PotError, worded
from pot.ops import common
from pot.ops.common import Authorize, allowed
from pot.record import record
from pot.settings import Settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger(__name__)

# what FreeBSD's ``killall -l`` prints (signals 1 to 31)
SIGNAL_NAMES = [
    "HUP",
    "INT",
    "QUIT",
    "ILL",
    "TRAP",
    "ABRT",
    "EMT",
    "FPE",
    "KILL",
    "BUS",
    "SEGV",
    "SYS",
    "PIPE",
    "ALRM",
    "TERM",
    "URG",
    "STOP",
    "TSTP",
    "CONT",
    "CHLD",
    "TTIN",
    "TTOU",
    "IO",
    "XCPU",
    "XFSZ",
    "VTALRM",
    "PROF",
    "WINCH",
    "INFO",
    "USR1",
    "USR2",
]
DEFAULT_SIGNAL = "SIGINFO"


# --------------------------------------------------------------------------- term / run


def term(s: Settings, pot: str, *, force: bool = False, authorize: Authorize = allowed) -> int:
    """Open root's login shell in the pot (``-f``: start it first); jexec's exit status."""
    if not pot:
        raise PotError("A pot name is mandatory", usage=True)
    if not jail.is_running(pot):
        if not force:
            raise PotError(f"The pot {pot} is not running")
        authorize()
        from pot.ops import lifecycle  # start: its own modules only when needed

        try:
            lifecycle.start(s, pot)
        except PotError as exc:
            common.report(log, exc)
        if not jail.is_running(pot):
            raise PotError(f"The pot {pot} doesn't start")
    authorize()
    return jail.login_shell(pot)


# --------------------------------------------------------------------------- exec


@record
class ExecRequest:
    pot: str
    command: Sequence[str]
    env: Sequence[str] = ()
    host_user: str = ""  # -u
    pot_user: str = ""  # -U
    detach: bool = False
    tty: bool = False


def check_env_assignment(value: str) -> None:
    if "=" not in value:
        raise PotError(f"{value} not in a valid form", "VARIABLE=value is accetped", usage=True)


def exec_argv(req: ExecRequest) -> list[str]:
    argv = jail.login_argv(
        req.pot, ["env", *req.env, *req.command], host_user=req.host_user, pot_user=req.pot_user
    )
    return ["script", "-q", "/dev/null", *argv] if req.tty else argv


def exec_in(req: ExecRequest, *, authorize: Authorize = allowed) -> int:
    """``pot exec``: run a command in a running pot; its exit status (0 at once with -d)."""
    if not req.command:
        raise PotError("A command is mandatory")
    if not req.pot:
        raise PotError("A pot name is mandatory", usage=True)
    if req.host_user and req.pot_user:
        raise PotError("Parameters -u and -U are mutually exclusive")
    if not jail.is_running(req.pot):
        raise PotError("The pot is not running")
    authorize()
    argv = exec_argv(req)
    if req.detach:
        proc.detach(["nohup", *argv])
        return 0
    return proc.call(argv)


# --------------------------------------------------------------------------- signal


def valid_signal(name: str) -> bool:
    return name in SIGNAL_NAMES or (name.startswith("SIG") and name[3:] in SIGNAL_NAMES)


@record
class SignalRequest:
    pot: str
    signal: str = DEFAULT_SIGNAL
    pid: str = ""
    pattern: str = ""
    force: bool = False
    dry_run: bool = False


def _check_signal_request(req: SignalRequest) -> None:
    if not req.pot:
        raise PotError("A pot name is mandatory", usage=True)
    if not valid_signal(req.signal):
        raise PotError(f"Invalid signal, valid signals: {' '.join(SIGNAL_NAMES)}")
    if req.pid and req.pattern:
        raise PotError("Process ID and pattern match are mutually exclusive")
    if req.pid and not req.pid.isdigit():
        raise PotError("Invalid pid")


def send_signal(s: Settings, req: SignalRequest, *, authorize: Authorize = allowed) -> str:
    """``pot signal``; returns what pgrep printed with ``-C``."""
    _check_signal_request(req)
    if not jail.is_running(req.pot):
        if req.force:
            log.info("The pot is not running")
            return ""
        raise PotError("The pot is not running")
    authorize()
    tool = ["pgrep"] if req.dry_run else ["pkill", f"-{req.signal}"]
    if req.pattern:
        log.info("Sending %s by pattern to pot %s", req.signal, req.pot)
        result = proc.run([*tool, "-j", req.pot, req.pattern], check=False)
    elif req.pid:
        log.info("Sending %s to pid %s in pot %s", req.signal, req.pid, req.pot)
        result = _signal_pid(s, req, tool)
    else:
        log.info("Sending %s to main process of pot %s", req.signal, req.pot)
        if common.is_persistent(common.read_conf_or_empty(s, req.pot)):
            if req.force:
                log.info("Persistent pots have no main process")
                return ""
            raise PotError("Persistent pots have no main process")
        pidfile = model.main_pid_text(s, req.pot)
        result = proc.run([*tool, "-j", req.pot, "-F", pidfile], check=False)
    if not result.ok:
        if req.force:
            log.info("Sending signal failed")
            return result.stdout
        raise _Failed(result.stdout, "Sending signal failed", status=result.returncode)
    return result.stdout


class _Failed(PotError):
    def __init__(self, output: str, line: str, *, status: int) -> None:
        super().__init__(line)
        self.output = output
        self.exit_code = status


def _signal_pid(s: Settings, req: SignalRequest, tool: list[str]) -> proc.Result:
    import tempfile

    fd, path = tempfile.mkstemp(prefix=f"pot_sigpid_{req.pot}", dir=s.tmp)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(f"{req.pid}\n")
        return proc.run([*tool, "-j", req.pot, "-F", path], check=False)
    finally:
        os.unlink(path)


# --------------------------------------------------------------------------- ps / top


def network_state(s: Settings) -> str:
    """ps's info line about the public bridge and pf's NAT."""
    if os.geteuid() != 0:
        return "Need privileges to read internal network status"
    from pot import net

    return "Internal network up" if net.vnet_ipv4_up(s) is not None else "Internal network down"


def running_pots(s: Settings) -> list[str]:
    return [pot for pot in common.pot_names(s) if jail.is_running(pot)]


def top(s: Settings, pot: str) -> int:
    """``top -J <pot>`` of a running pot."""
    if not pot:
        raise PotError("A pot name is mandatory", usage=True)
    if not common.is_pot(s, pot):
        problem = common.pot_problem(s, pot) or ""
        raise PotError(worded("", problem), f"pot {pot} is not valid", usage=True)
    if not jail.is_running(pot):
        raise PotError(f"pot {pot} is not in execution", usage=True)
    return proc.call(["top", "-J", pot])
