"""Shared pieces of every command: the upstream-style command class and common options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from pot.cli import optspec
from pot.cli.app import App
from pot.cli.helptext import command_help
from pot.cli.root import require_root
from pot.errors import QuietExit
from pot.settings import Settings

if TYPE_CHECKING:
    from pot.flavours import Flavour

__all__ = ["App", "PotCommand", "pass_app", "pot_command", "require_root", "table_command"]

F = TypeVar("F", bound=Callable[..., Any])
# builds a help text whose parts are found at run time (create-base: the valid releases)
HelpProvider = Callable[[Settings], str]


pass_app = click.make_pass_decorator(App)

T = TypeVar("T")
# the callback of a repeated option (``multiple=True``): all its values, in order
Callback = Callable[[click.Context, click.Parameter, tuple[str, ...]], T]


def app_of(ctx: click.Context) -> App:
    """The App of a command, for option callbacks (they run before the command)."""
    app = ctx.find_object(App)
    assert app is not None
    return app


def last_value(check: Callable[[str], T], default: T) -> Callback[T]:
    """Every value checked (and converted) in order, as upstream's getopts loop does;
    the last one wins, ``default`` when the option is not given."""

    def callback(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> T:
        checked = [check(value) for value in values]
        return checked[-1] if checked else default

    return callback


def last(check: Callable[[str], object] | None = None) -> Callback[str]:
    """Every value checked in order; the last one wins as given, "" when not given."""

    def callback(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> str:
        if check is not None:
            for value in values:
                check(value)
        return values[-1] if values else ""

    return callback


def dns_option(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str:
    """-d of create, clone and prepare: inherit, pot, off or custom:<file> (checked here)."""
    from pot.ops import create

    return last(lambda value: create.check_dns(value, Path.cwd()))(ctx, param, values)


def flavours_option(
    ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Flavour, ...]:
    """-f of create and clone: each flavour found now, relative paths from the working folder."""
    from pot.ops import flavour

    cwd = Path.cwd()
    return tuple(flavour.find(app_of(ctx).settings, value, cwd) for value in values)


def new_pot_options(f: F) -> F:
    """The options create and clone share, checked as they are parsed (upstream checks
    them in its getopts loop): -k -p -N -B -S -i -P -d -f. Their values reach the command
    by these names, those of :class:`pot.ops.create.NewPotOptions`."""
    from pot.ops import create

    for option in reversed(
        (
            click.option("-k", "keep", is_flag=True),
            click.option("-p", "pot", multiple=True, callback=last(create.check_pot_name)),
            click.option(
                "-N", "network_type", multiple=True, callback=last(create.check_network_type)
            ),
            click.option("-B", "bridge", multiple=True, callback=last()),
            click.option("-S", "stack", multiple=True, callback=last(create.check_stack)),
            click.option("-i", "ips", multiple=True),
            click.option("-P", "potbase", multiple=True, callback=last()),
            click.option("-d", "dns", multiple=True, callback=dns_option),
            click.option("-f", "flavours", multiple=True, callback=flavours_option),
        )
    ):
        f = option(f)
    return f


def given(values: dict[str, Any]) -> dict[str, Any]:
    """The values of the options given on the command line: those not given keep the
    defaults of the record they go to (create's network type and dns are "inherit",
    clone's "")."""
    ctx = click.get_current_context()
    return {
        name: value
        for name, value in values.items()
        if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
    }


def help_text(
    name: str, settings: Settings | None = None, provider: HelpProvider | None = None
) -> str:
    """The help of command ``name``; with both settings and a provider, the provider's text."""
    if provider is not None and settings is not None:
        return provider(settings)
    return command_help(name)


def echo_help(
    name: str, settings: Settings | None = None, provider: HelpProvider | None = None
) -> None:
    click.echo(help_text(name, settings, provider), nl=False)


class PotCommand(click.Command):
    """A command that parses like upstream's getopts and prints upstream's help text."""

    def __init__(
        self, name: str, *, help_provider: HelpProvider | None = None, **kwargs: Any
    ) -> None:
        self.help_provider = help_provider
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
        return help_text(self.name, settings, self.help_provider)

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


def pot_command(
    name: str, *, help_provider: HelpProvider | None = None
) -> Callable[[F], PotCommand]:
    """Declare the click command for upstream command ``name``.

    ``help_provider`` builds the help text from the settings where parts of it are
    found at run time (create-base: ``helptext.create_base_help(releases)``).
    """

    def decorate(f: F) -> PotCommand:
        cmd = click.command(name, cls=PotCommand, help_provider=help_provider)(f)
        assert isinstance(cmd, PotCommand)
        return cmd

    return decorate


def _count_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> int:
    app = ctx.find_object(App)
    if app is not None and value:
        app.verbose(value)
    return value


def verbose_option(f: F) -> F:
    """``-v``: each one adds one level of verbosity, as upstream."""
    return click.option("-v", "verbose", count=True, expose_value=False, callback=_count_verbose)(f)


def quiet_option(f: F) -> F:
    return click.option("-q", "quiet", is_flag=True)(f)


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
    if opt.kind == optspec.EAGER:

        def early(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
            if value:
                module.eager(ctx.find_object(App))
                ctx.exit(0)

        return click.option(letter, is_flag=True, expose_value=False, is_eager=True, callback=early)
    if opt.kind == optspec.FLAG:
        return click.option(letter, opt.dest, is_flag=True)
    if opt.kind == optspec.COUNT:
        return click.option(letter, opt.dest, count=True)
    return click.option(letter, opt.dest, default=opt.default, hidden=opt.hidden)


def table_command(name: str, table: tuple[optspec.Opt, ...], module: ModuleType) -> PotCommand:
    """The click command of ``module.run``, its options from ``table``."""
    return pot_command(name)(table_options(table, module)(pass_app(module.run)))
