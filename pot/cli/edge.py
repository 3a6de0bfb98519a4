"""The entry point and the error edge; click is not loaded to run a command.

Upstream's dispatcher resolves aliases, checks POT_FS_ROOT, then runs the command; we
do the same here and map every PotError to its ``###>`` lines and exit status.

nomad-pot-driver runs pot for every task every second, and every command's start-up
counts: each command's options are parsed here from its table (pot.cli.optspec) and the
command module's ``run`` is called directly, so that neither click nor the modules of
other commands are imported. Only a word the table's getopts leaves alone (``--long``)
goes through click's command tree (pot.cli.main), generated from the same table.
Command modules are imported only when their command runs."""

from __future__ import annotations

import os
import sys

from pot import errors
from pot.cli import optspec, output
from pot.cli.helptext import USAGE, help_text

# typing is not imported at run time (it costs more than some commands' whole work)
TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from types import FrameType
    from typing import Any, NoReturn

    from pot.settings import Settings
else:
    # the C half of signal: the same functions and numbers, without the enum module
    # that signal loads to wrap them (handlers come back as plain ints)
    import _signal as signal

# Every command upstream dispatches, in the order of its usage text, with the module
# that implements it. A missing module answers -h and fails as "not implemented".
COMMANDS: tuple[str, ...] = (
    "show",
    "version",
    "config",
    "list",
    "info",
    "ps",
    "top",
    "init",
    "de-init",
    "vnet-start",
    "create-base",
    "create-fscomp",
    "create",
    "create-private-bridge",
    "copy-in",
    "copy-out",
    "mount-in",
    "mount-out",
    "prune",
    "set-hook",
    "destroy",
    "add-dep",
    "set-rss",
    "get-rss",
    "set-cmd",
    "set-env",
    "set-hosts",
    "export",
    "import",
    "prepare",
    "export-ports",
    "set-attribute",
    "get-attribute",
    "start",
    "stop",
    "term",
    "rename",
    "clone",
    "clone-fscomp",
    "promote",
    "snapshot",
    "revert",
    "purge-snapshots",
    "update-config",
    "last-run-stats",
    "signal",
    "exec",
    "set-status",
)
ALIASES: dict[str, str] = {
    "ls": "list",
    "rollback": "revert",
    "snap": "snapshot",
    "set-attr": "set-attribute",
    "get-attr": "get-attribute",
}
# the commands that run before `pot init` has made POT_FS_ROOT
_NO_FS_ROOT = frozenset({"init", "de-init", "version"})


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that clean-up code runs as for Ctrl-C."""


# the signals that end an invocation; once one has arrived, clean-up runs undisturbed
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _on_stop_signal(signum: int, _frame: FrameType | None) -> NoReturn:
    """Turn the first SIGINT/SIGTERM into an exception and ignore the ones that follow.

    Ctrl-C under the sh launcher (etc/launcher/pot) reaches us twice, from the terminal
    and forwarded by the launcher: the second copy must not cut the clean-up short.
    Processes started during clean-up inherit the ignoring, so they complete too.
    """
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


def module_name(command: str) -> str:
    return "pot.cli.commands." + command.replace("-", "_")


def main() -> NoReturn:
    """Console-script entry point."""
    run(sys.argv[1:])


def run(argv: list[str]) -> NoReturn:
    """One invocation: set up output and signals, run, restore, exit with the status."""
    output.install()
    previous = _install_signal_handlers()
    try:
        code = _guarded(argv)
    finally:
        for number, action in previous.items():
            if action is not None:  # None: a handler not set from Python, left alone
                signal.signal(number, action)
        output.uninstall()
    sys.stdout.flush()
    sys.exit(code)


def _install_signal_handlers() -> dict[int, Any]:
    """Our SIGINT/SIGTERM handler, SIGQUIT at default; returns the previous actions.

    SIGINT is set explicitly: a background job of a non-interactive sh (the launcher)
    starts with SIGINT and SIGQUIT ignored, and Python keeps an ignored SIGINT ignored.
    SIGQUIT goes back to default so that pots' commands do not inherit the ignoring.
    """
    previous: dict[int, Any] = {n: signal.signal(n, _on_stop_signal) for n in _STOP_SIGNALS}
    previous[signal.SIGQUIT] = signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    return previous


def _guarded(argv: list[str]) -> int:
    """Run one invocation and turn every outcome into an exit status."""
    name = ""
    conf: Settings | None = None
    try:
        name, rest = _resolve(argv)
        conf = _load_settings()
        return _dispatch(name, rest, conf)
    except errors.PotError as exc:
        for text in exc.lines:
            output.error(text)
        if exc.usage and name in COMMANDS:
            _echo_help(name, conf)
        return exc.exit_code
    except KeyboardInterrupt:
        # end the ^C line, as a shell does
        output.echo(err=True)
        return 130
    except Terminated:
        return 130
    except Exception as exc:
        code = _click_outcome(exc)
        if code is not None:
            return code
        if isinstance(exc, OSError):
            # a full pool, a name too long, a missing permission: what failed, not a traceback
            output.error(os_error_line(exc, name))
        else:
            output.error(f"internal error: {type(exc).__name__}: {exc}")
        if os.environ.get("POT_DEBUG"):
            import traceback

            traceback.print_exc()
        return 1


# what a command was doing when the OS refused, for the error line
_DOING = {
    "clone": "cloning",
    "copy-in": "copying into the pot",
    "copy-out": "copying out of the pot",
    "create": "creating",
    "create-base": "creating the base",
    "export": "exporting",
    "import": "importing",
    "prepare": "preparing",
    "rename": "renaming",
    "snapshot": "taking a snapshot",
    "start": "starting",
    "stop": "stopping",
}


def os_error_line(exc: OSError, command: str) -> str:
    """``No space left on device while importing /path``: the reason, the step, the file."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    doing = _DOING.get(command, f"running pot {command}" if command else "starting pot")
    where = f" {exc.filename}" if exc.filename is not None else ""
    return f"{reason} while {doing}{where}"


def _click_outcome(exc: Exception) -> int | None:
    """The status of click's own exceptions (only click's command tree raises them)."""
    click = sys.modules.get("click")
    if click is None:
        return None
    if isinstance(exc, click.exceptions.Abort):
        # click turns Ctrl-C inside a command into Abort (after a newline on stderr)
        return 130
    if isinstance(exc, click.exceptions.Exit):
        code: int = exc.exit_code
        return code
    return None


def _resolve(argv: list[str]) -> tuple[str, list[str]]:
    """Upstream's dispatcher: aliases, ``run`` and ``help``; unknown names -> usage."""
    if not argv:
        output.echo(USAGE, nl=False)
        raise errors.QuietExit(1)
    name, rest = argv[0], argv[1:]
    if name == "run":
        return "term", ["-f", *rest]
    if name == "help":
        return "help", rest
    name = ALIASES.get(name, name)
    if name not in COMMANDS:
        output.echo(USAGE, nl=False)
        raise errors.QuietExit(1)
    return name, rest


def _load_settings() -> Settings:
    from pot import settings as settings_mod

    return settings_mod.load(os.environ.get("POT_ETC") or None)


def _dispatch(name: str, rest: list[str], conf: Settings) -> int:
    if name == "help":
        return _help(rest, conf)
    if name not in _NO_FS_ROOT:
        _check_fs_root(conf.get("POT_FS_ROOT"))
    _syslog(conf, name, rest)
    table = optspec.TABLES.get(name)
    if table is None:
        # a command upstream dispatches but has no script for (promote)
        raise errors.NotImplementedCommand(name)
    code = _run_from_table(name, table, rest, conf)
    if code is not None:
        return code
    from pot.cli import main as tree

    return tree.run_command(name, rest, conf)


def _run_from_table(
    name: str, table: tuple[optspec.Opt, ...], rest: list[str], conf: Settings
) -> int | None:
    """The fast path: parse from the table, call the module's ``run``; None: ask click."""
    from pot.cli.app import App

    parsed: optspec.Parsed | None = None
    try:
        parsed = optspec.parse(table, rest, breaks=name in optspec.BREAKS)
    except optspec.Unsupported:
        return None  # click's command logs the arguments itself
    except optspec.OptionError as exc:
        complaint = str(exc)
    if name in optspec.LOGS_ARGV:
        from pot.cli.syslog import log_arguments

        log_arguments(name, rest)
    if parsed is None:
        output.echo(complaint, err=True)
        _echo_help(name, conf)
        return 1
    if parsed.complaint:
        output.echo(parsed.complaint, err=True)
    if parsed.early == "h":
        _echo_help(name, conf)
        return 0
    app = App(conf)
    module = _command_module(name)
    if parsed.early:
        module.eager(app)
        return 0
    code = module.run(app, **optspec.apply(parsed, app, module))
    return code if isinstance(code, int) else 0


def _command_module(name: str) -> Any:
    try:
        return __import__(module_name(name), fromlist=["run"])
    except ModuleNotFoundError as exc:
        if exc.name != module_name(name):
            raise
        raise errors.NotImplementedCommand(name) from None


def _help(rest: list[str], conf: Settings) -> int:
    """``pot help [command]``: the usage, or one command's help (aliases and run too)."""
    if not rest:
        output.echo(USAGE, nl=False)
        return 0
    _check_fs_root(conf.get("POT_FS_ROOT"))
    target = "term" if rest[0] == "run" else ALIASES.get(rest[0], rest[0])
    if target not in COMMANDS:
        output.error(f"Command {rest[0]} unkown")
        return 1
    _echo_help(target, conf)
    return 0


def _echo_help(name: str, conf: Settings | None) -> None:
    """The command's own help text, with its run-time parts (create-base's releases)."""
    output.echo(help_text(name, conf), nl=False)


def _check_fs_root(fs_root: str) -> None:
    """POT_FS_ROOT must be a readable folder (it is never empty: settings refuses that)."""
    from pot.settings import path_text

    if not os.path.isdir(fs_root):
        output.error(f"{path_text(fs_root)} does not exist, please run 'pot init'", err=True)
        raise errors.QuietExit(1)
    if not os.access(fs_root, os.R_OK):
        output.error(f"Current user has no read access to {path_text(fs_root)}", err=True)
        raise errors.QuietExit(1)


# upstream logs these at debug, and only when verbose; the rest at info
_QUIET_LOGGED = frozenset(
    {"config", "get-rss", "info", "last-run-stats", "list", "ps", "show", "top"}
)


def _syslog(conf: Settings, name: str, rest: list[str]) -> None:
    """Upstream's one syslog line per command (``logger -t pot``)."""
    if name in _QUIET_LOGGED or name == "version":
        return
    import syslog

    facility = getattr(syslog, "LOG_" + str(conf.get("POT_LOG_FACILITY")).upper(), None)
    if facility is None:
        return
    syslog.openlog("pot", 0, facility)
    syslog.syslog(syslog.LOG_INFO, " ".join([f"pot-{name}", *rest]))
    syslog.closelog()
