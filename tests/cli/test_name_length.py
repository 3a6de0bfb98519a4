"""Names that ZFS would refuse once pot appends its longest suffix (``/usr.local@<epoch>``)
are refused up front, with one line, by create, clone, rename, import and prepare
(upstream made a 230-character pot whose snapshots then failed; 300 characters ended in
``internal error: OSError: File name too long``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.main import cli

# POT_ZFS_ROOT=nopool/pot: 255 - len("nopool/pot/jails/") - len("/usr.local@") - 10
LIMIT = 217


def _line(name: str) -> str:
    return (
        f"###>  {name} is not a valid name for a pot (too long: at most {LIMIT} bytes"
        " here, as ZFS limits names)\n"
    )


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def etc(cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliEtc:
    monkeypatch.setattr("pot.zfs.exists", lambda name: False)
    monkeypatch.chdir(tmp_path)
    return cli_etc


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize("length", [300, 230, LIMIT + 1])
def test_too_long_names_are_refused_with_one_line(length: int, cli_etc: CliEtc) -> None:
    name = "n" * length
    assert _run("create", "-p", name, "-t", "single", "-b", "14.1") == (1, _line(name), "")
    assert _run("clone", "-p", name, "-P", "web") == (1, _line(name), "")
    assert _run("rename", "-p", "web", "-n", name) == (1, _line(name), "")
    assert _run("import", "-p", name, "-t", "1", "-U", "file:///nowhere") == (
        1,
        _line(f"{name}_1"),
        "",
    )
    # prepare's new pot is <-n>_<-a>
    assert _run("prepare", "-p", "img", "-t", "1", "-a", "1", "-n", name)[:2] == (
        1,
        _line(f"{name}_1"),
    )
    assert list(cli_etc.fs_root.iterdir()) == []


@pytest.mark.usefixtures("etc")
def test_the_limit_itself_passes_the_length_check() -> None:
    code, out, _ = _run("clone", "-p", "n" * LIMIT, "-P", "web")
    assert code == 1
    assert "too long" not in out
