"""Fixtures for CLI tests that need no ZFS: a POT_ETC whose POT_FS_ROOT exists."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from cli_env import CliEtc, FakeCommand

from pot.cli import optspec
from pot.cli.edge import module_name


@pytest.fixture
def cli_etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliEtc:
    etc = tmp_path / "etc"
    (etc / "MANIFESTS").mkdir(parents=True)
    fs_root = tmp_path / "pot"
    fs_root.mkdir()
    env = CliEtc(etc, fs_root)
    env.write_conf()
    monkeypatch.setenv("POT_ETC", str(etc))
    return env


@pytest.fixture
def fake_command(monkeypatch: pytest.MonkeyPatch) -> FakeCommand:
    """Install an option table and a ``run`` as the implementation of a dispatched name."""

    def install(name: str, table: tuple[optspec.Opt, ...], run: Callable[..., object]) -> None:
        module = ModuleType(module_name(name))
        setattr(module, "run", run)  # noqa: B010  (a plain ModuleType has no such field)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setitem(optspec.TABLES, name, table)

    return install
