"""The option callbacks every command shares (pot/cli/params.py)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from pot.cli import params
from pot.errors import UsageError
from pot.settings import DEFAULTS, Settings

CTX = click.Context(click.Command("test"))
OPTION = click.Option(["-x"], multiple=True)


def test_last_checks_every_value_and_keeps_the_last() -> None:
    seen: list[str] = []
    assert params.last(seen.append)(CTX, OPTION, ("a", "b", "c")) == "c"
    assert seen == ["a", "b", "c"]
    assert params.last()(CTX, OPTION, ()) == ""


def test_last_fails_on_the_first_bad_value() -> None:
    def check(value: str) -> None:
        if value == "bad":
            raise UsageError(f"{value} is bad")

    with pytest.raises(UsageError, match=r"^bad is bad$"):
        params.last(check)(CTX, OPTION, ("good", "bad", "good"))


def test_last_value_converts_and_defaults() -> None:
    assert params.last_value(int, 6)(CTX, OPTION, ("1", "9")) == 9
    assert params.last_value(int, 6)(CTX, OPTION, ()) == 6
    assert params.last_value(str, None)(CTX, OPTION, ()) is None


def test_dns_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert params.dns_option(CTX, OPTION, ("pot", "inherit")) == "inherit"
    assert params.dns_option(CTX, OPTION, ()) == ""
    with pytest.raises(UsageError):
        params.dns_option(CTX, OPTION, ("nonsense",))


def test_app_of(tmp_path: Path) -> None:
    app = params.App(Settings(tmp_path, dict(DEFAULTS)))
    with click.Context(click.Command("test"), obj=app) as ctx:
        assert params.app_of(ctx) is app


def test_given_keeps_only_the_options_on_the_command_line() -> None:
    seen: list[dict[str, object]] = []

    @click.command()
    @click.option("-a", "a", multiple=True, callback=params.last())
    @click.option("-b", "b", multiple=True, callback=params.last())
    @click.option("-k", "k", is_flag=True)
    def command(**options: object) -> None:
        seen.append(params.given(dict(options)))

    command.main(["-a", "", "-k"], standalone_mode=False)
    command.main([], standalone_mode=False)
    # an empty value given is given; what is not given is left to the record's default
    assert seen == [{"a": "", "k": True}, {}]
