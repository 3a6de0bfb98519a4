"""click's side of the option tables: the upstream-style command class and the options
and callbacks generated from a table (pot.cli.optspec)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

import click

from pot.cli import optspec
from pot.cli.app import App
from pot.cli.helptext import help_text
from pot.cli.syslog import log_arguments
from pot.errors import QuietExit
from pot.settings import Settings

__all__ = ["App", "PotCommand", "pass_app", "table_command"]

F = TypeVar("F", bound=Callable[..., Any])


pass_app = click.make_pass_decorator(App)


def app_of(ctx: click.Context) -> App:
    """The App of a command, for option callbacks (they run before the command)."""
    app = ctx.find_object(App)
    assert app is not None
    return app


class PotCommand(click.Command):
    """A command that parses like upstream's getopts and prints upstream's help text."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("add_help_option", False)
        kwargs.setdefault("context_settings", {})
        # getopts stops at the first operand and leaves the rest alone
        kwargs["context_settings"].setdefault("allow_interspersed_args", False)
        kwargs["context_settings"].setdefault("allow_extra_args", True)
        super().__init__(name, **kwargs)
        self.params.insert(0, _help_option())

    def help_for(self, settings: Settings | None) -> str:
        """The upstream help text, with its run-time parts when the settings are known."""
        assert self.name is not None
        return help_text(self.name, settings)

    def echo_help(self, ctx: click.Context) -> None:
        app = ctx.find_object(App)
        click.echo(self.help_for(app.settings if app else None), nl=False)

    def get_help(self, ctx: click.Context) -> str:
        return self.help_for(None).rstrip("\n")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            click.echo(f"Illegal option {exc.option_name}", err=True)
        except click.BadOptionUsage as exc:
            click.echo(f"No arg for {exc.option_name} option", err=True)
        except click.UsageError as exc:
            click.echo(exc.format_message(), err=True)
        self.echo_help(ctx)
        raise QuietExit(1)


def _help_option() -> click.Option:
    def show(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            assert isinstance(ctx.command, PotCommand)
            ctx.command.echo_help(ctx)
            ctx.exit(0)

    return click.Option(
        ["-h"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=show,
        help="print this help",
    )


def _count_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> int:
    app = ctx.find_object(App)
    if app is not None and value:
        app.verbose(value)
    return value


def verbose_option(f: F) -> F:
    """``-v``: each one adds one level of verbosity, as upstream."""
    return click.option("-v", "verbose", count=True, expose_value=False, callback=_count_verbose)(f)


def table_options(table: tuple[optspec.Opt, ...], module: ModuleType) -> Callable[[F], F]:
    """click's options of a command declared by its option table (pot.cli.optspec)."""

    def decorate(f: F) -> F:
        for opt in reversed(table):
            f = _table_option(opt, module)(f)
        return f

    return decorate


def _table_option(opt: optspec.Opt, module: ModuleType) -> Callable[[F], F]:
    letter = f"-{opt.letter}"
    if opt.kind == optspec.VERBOSE:
        return verbose_option
    if opt.kind == optspec.OPERANDS:
        return click.argument(opt.dest, nargs=-1, type=click.UNPROCESSED)
    if opt.kind == optspec.EAGER:
        return click.option(
            letter, is_flag=True, expose_value=False, is_eager=True, callback=_eager(module)
        )
    if opt.kind == optspec.CONST:
        # the MULTI option of the same destination gives the value: no callback here
        return click.option(letter, opt.dest, flag_value=opt.const, multiple=True)
    kind: dict[str, Any] = (
        {"is_flag": True}
        if opt.kind == optspec.FLAG
        else {"count": True}
        if opt.kind == optspec.COUNT
        else {"multiple": True, "hidden": opt.hidden}
    )
    return click.option(letter, opt.dest, callback=_callback(opt, module), **kind)


def _eager(module: ModuleType) -> Callable[..., None]:
    """An eager letter (signal -l): the module's ``eager`` runs instead of the command."""

    def early(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            module.eager(ctx.find_object(App))
            ctx.exit(0)

    return early


def _callback(opt: optspec.Opt, module: ModuleType) -> Callable[..., Any]:
    """The option's value as pot.cli.optspec.apply gives it: the default when it is not
    given, else what its ``call`` returns, else its last value (VALUE) or all of them."""

    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if not value:
            return opt.initial()
        if opt.call:
            return getattr(module, opt.call)(app_of(ctx), value)
        return value[-1] if opt.kind == optspec.VALUE else value

    return callback


def table_command(name: str, table: tuple[optspec.Opt, ...], module: ModuleType) -> PotCommand:
    """The click command of ``module.run``, its options from ``table``."""
    cls: type[PotCommand] = PotCommand
    if name in optspec.LOGS_ARGV:
        cls = ArgvLoggingCommand
    elif name in optspec.BREAKS:
        cls = BreakingCommand
    decorate = click.command(name, cls=cls)
    command = decorate(table_options(table, module)(pass_app(module.run)))
    assert isinstance(command, PotCommand)
    return command


class ArgvLoggingCommand(PotCommand):
    """Logs ``<name>: <arguments>`` before parsing them, as upstream does first thing."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        assert self.name is not None
        log_arguments(self.name, args)
        return super().parse_args(ctx, args)


class BreakingCommand(PotCommand):
    """Parses the options read before the first bad one (upstream's vnet-start)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, known_options(self, args))


def known_options(command: click.Command, args: list[str]) -> list[str]:
    """The words of ``args`` before the first bad option, whose getopts message goes to
    stderr; an operand or ``--`` ends the options and the operands are dropped."""
    kept: list[str] = []
    rest = list(args)
    takes_value = {
        opt.lstrip("-")
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for opt in param.opts
    }
    letters_known = {
        opt.lstrip("-") for param in command.params for opt in getattr(param, "opts", ())
    }
    while rest and rest[0].startswith("-") and rest[0] not in ("-", "--"):
        letters = rest.pop(0)[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter not in letters_known:
                click.echo(f"Illegal option -{letter}", err=True)
                return kept
            if letter not in takes_value:
                kept.append(f"-{letter}")
            elif letters or rest:
                kept += [f"-{letter}", letters or rest.pop(0)]
                letters = ""
            else:
                click.echo(f"No arg for -{letter} option", err=True)
                return kept
    return kept
