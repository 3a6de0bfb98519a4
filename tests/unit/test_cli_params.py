"""The option checks several commands share (pot/cli/checks.py) and the click
callbacks generated from the option tables (pot/cli/params.py)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from pot.cli import checks, params
from pot.cli.app import App
from pot.errors import UsageError
from pot.settings import DEFAULTS, Settings


def _app(tmp_path: Path) -> App:
    return App(Settings(tmp_path, dict(DEFAULTS)))


def test_last_checks_every_value_and_keeps_the_last() -> None:
    seen: list[str] = []
    assert checks.last(("a", "b", "c"), seen.append) == "c"
    assert seen == ["a", "b", "c"]


def test_last_fails_on_the_first_bad_value() -> None:
    seen: list[str] = []

    def check(value: str) -> None:
        seen.append(value)
        if value == "bad":
            raise UsageError(f"{value} is bad")

    with pytest.raises(UsageError, match=r"^bad is bad$"):
        checks.last(("good", "bad", "good"), check)
    assert seen == ["good", "bad"]


def test_every_keeps_all_values_in_order() -> None:
    assert checks.every(("b", "a", "b"), str) == ("b", "a", "b")


def test_dns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = _app(tmp_path)
    assert checks.dns(app, ("pot", "inherit")) == "inherit"
    with pytest.raises(UsageError):
        checks.dns(app, ("nonsense",))


def test_app_of(tmp_path: Path) -> None:
    app = _app(tmp_path)
    with click.Context(click.Command("test"), obj=app) as ctx:
        assert params.app_of(ctx) is app


def test_given_keeps_what_the_command_line_gave() -> None:
    # an empty value given is given; None (not given) is left to the record's default
    assert checks.given({"a": "", "b": None, "k": False, "i": ()}) == {
        "a": "",
        "k": False,
        "i": (),
    }
