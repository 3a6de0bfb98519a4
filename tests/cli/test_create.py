"""pot create, clone, create-fscomp, clone-fscomp: option handling and messages (no ZFS).

Every case here fails before a dataset could be made; the ZFS tests check that nothing
is left behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_env import CliEtc
from click.testing import CliRunner

from pot.cli.helptext import HELP
from pot.cli.main import cli
from pot.errors import PotError
from pot.ops import create
from pot.release import Machine

CREATE_HELP = HELP["create"]
CLONE_HELP = HELP["clone"]
DOT = "('.' is the only character not allowed)"
SINGLE_LEVEL = "single pot level can only be zero (omit -l option)"


@pytest.fixture
def etc(cli_etc: CliEtc, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliEtc:
    """14.1 is a valid release; no pool behind POT_ZFS_ROOT, so nothing is a pot or base."""
    (cli_etc.etc / "MANIFESTS" / "amd64-amd64-14.1-RELEASE").write_text("")
    (cli_etc.etc / "flavours").mkdir()
    monkeypatch.setattr("pot.release.host_machine", lambda: Machine("amd64", "amd64"))
    monkeypatch.setattr("pot.zfs.exists", lambda name: False)
    monkeypatch.chdir(tmp_path)
    return cli_etc


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.stderr == "" or "Illegal" in result.stderr or "No arg" in result.stderr
    return result.exit_code, result.stdout


def _error(*lines: str, help_text: str = "") -> str:
    return "".join(f"###>  {line}\n" for line in lines) + help_text


# ---------------------------------------------------------------- one option


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize("command", ["create", "clone"])
def test_dot_in_name(command: str) -> None:
    assert _run(command, "-p", "web.1") == (
        1,
        _error(f"web.1 is not a valid name for a pot {DOT}"),
    )


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize("name", ["a/b", "a@b", "a b", "-x"])
def test_other_bad_names(name: str) -> None:
    code, out = _run("create", "-t", "single", "-b", "14.1", "-p", name)
    assert code == 1
    assert out.startswith(f"###>  '{name}' is not a valid name for a pot (it cannot start")
    assert out.count("\n") == 1


@pytest.mark.usefixtures("etc")
def test_empty_name_is_missing() -> None:
    assert _run("create", "-t", "single", "-b", "14.1", "-p", "") == (
        1,
        _error("pot name is missing", help_text=CREATE_HELP),
    )


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-t", "double"), "Type double not supported"),
        (("-N", "bridge"), "Network type bridge not recognized"),
        (("-S", "ipv5"), "Network stack ipv5 not valid"),
        (("-d", "nope"), "'nope' is not a valid dns option"),
    ],
)
def test_bad_values_print_help(args: tuple[str, ...], message: str) -> None:
    assert _run("create", "-p", "web", *args) == (1, _error(message, help_text=CREATE_HELP))


@pytest.mark.usefixtures("etc")
def test_clone_bad_stack_prints_clone_help() -> None:
    assert _run("clone", "-p", "web", "-S", "ipv5") == (
        1,
        _error("Network stack ipv5 not valid", help_text=CLONE_HELP),
    )


@pytest.mark.usefixtures("etc")
def test_options_checked_in_command_line_order() -> None:
    assert _run("create", "-N", "x", "-t", "y") == (
        1,
        _error("Network type x not recognized", help_text=CREATE_HELP),
    )
    assert _run("create", "-t", "y", "-N", "x") == (
        1,
        _error("Type y not supported", help_text=CREATE_HELP),
    )


@pytest.mark.usefixtures("etc")
def test_dns_custom_file_unreadable() -> None:
    assert _run("create", "-p", "web", "-d", "custom:/no/such/file") == (
        1,
        _error("The file /no/such/file is not valid or readable"),
    )


def test_flavour_not_found(etc: CliEtc) -> None:
    assert _run("create", "-p", "web", "-f", "nothere") == (1, _error("Flavour nothere not found"))
    code, out = _run("create", "-v", "-p", "web", "-f", "nothere")
    assert code == 1
    # upstream prints the debug line after the error
    debug = f"=====>  Looking in the flavour dir {(etc.etc / 'flavours').resolve()}\n"
    assert out == debug + _error("Flavour nothere not found")


# ------------------------------------------------------------- consistency


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize(
    ("args", "lines", "with_help"),
    [
        (("-t", "single"), ["at least one of -b and -P has to be used"], True),
        (("-t", "single", "-b", "14.1", "-l", "1"), [SINGLE_LEVEL], True),
        (("-t", "single", "-b", "13.0"), ["13.0 is not a valid release"], True),
        (("-t", "single", "-P", "ref"), ["pot ref not found"], True),
        ((), ["at least one of -b and -P has to be used"], True),
        (("-l", "0"), ["level 0 needs option -b"], True),
        (("-l", "0", "-b", "b", "-P", "q"), ["-P option is not allowed with level 0"], True),
        (("-l", "0", "-b", "nobase"), ["nobase is not a valid base"], True),
        (("-b", "nobase"), ["nobase is not a valid base"], True),
        (("-P", "ref"), [" Pot ref not found", "-P ref : is not a pot"], True),
        (("-l", "2"), ["level 2 pots need another pot as reference"], True),
        (("-l", "2", "-P", "ref"), [" Pot ref not found", "-P ref : is not a pot"], True),
        (("-l", "3", "-b", "x"), ["level 3 is not supported"], False),
        (("-l", ""), ["level  is not supported"], False),
    ],
)  # fmt: skip
def test_consistency(args: tuple[str, ...], lines: list[str], with_help: bool) -> None:
    expected = _error(*lines, help_text=CREATE_HELP if with_help else "")
    assert _run("create", "-p", "web", *args) == (1, expected)


@pytest.mark.usefixtures("etc")
def test_single_level_zero_is_fine_until_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    root = "###>   This operation needs 'root' privilegies\n"
    assert _run("create", "-p", "web", "-t", "single", "-b", "14.1", "-l", "0") == (1, root)
    # network problems come after the root check
    assert _run("create", "-p", "web", "-t", "single", "-b", "14.1", "-N", "alias") == (1, root)


@pytest.mark.usefixtures("etc")
def test_network_errors_without_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pot.net.vnet_available", lambda: False)
    single = ("create", "-p", "web", "-t", "single", "-b", "14.1")
    assert _run(*single, "-N", "alias") == (
        1,
        _error("option -i is mandatory with network type is alias"),
    )
    assert _run(*single, "-N", "public-bridge") == (
        1,
        _error("This kernel doesn't support VIMAGE! No vnet possible"),
    )
    assert _run(*single, "-d", "pot") == (
        1,
        _error("This kernel doesn't support VIMAGE! No vnet possible (needed by the dns)"),
    )
    monkeypatch.setattr("pot.net.vnet_available", lambda: True)
    assert _run(*single, "-d", "pot") == (1, _error("dns pot not found (dns) - please fix it"))


def test_info_lines_come_after_the_checks(etc: CliEtc, monkeypatch: pytest.MonkeyPatch) -> None:
    def stop(*_args: object) -> None:
        raise PotError("stop here")

    monkeypatch.setattr(create, "_make", stop)
    code, out = _run(
        "create", "-p", "web", "-t", "single", "-b", "14.1", "-i", "a", "-i", "b", "-d", "off"
    )
    assert code == 1
    assert out == (
        "===>  Creating a new pot\n"
        "===>  pot name     : web\n"
        "===>  type         : single\n"
        "===>  base         : 14.1\n"
        "===>  pot_base     : \n"
        "===>  level        : 0\n"
        "===>  network-type : inherit\n"
        "===>  network-stack: ipv4\n"
        "===>  ip           : \n"
        "===>  bridge       : \n"
        "===>  dns          : off\n"
        "===>  flavours     : \n"
        "###>  stop here\n"
    )


# -------------------------------------------------------------------- clone


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "pot name is missing (option -p)"),
        (("-p", "new"), "reference pot name is missing (option -P)"),
        (("-p", "new", "-P", "ref"), "reference pot ref not found"),
    ],
)
def test_clone_checks(args: tuple[str, ...], message: str) -> None:
    assert _run("clone", *args) == (1, _error(message, help_text=CLONE_HELP))


# ---------------------------------------------------------------- fscomps


@pytest.mark.usefixtures("etc")
def test_fscomp_names_missing() -> None:
    assert _run("create-fscomp") == (
        1,
        _error("fs component name is missing", help_text=HELP["create-fscomp"]),
    )
    assert _run("clone-fscomp", "-F", "a") == (
        1,
        _error("fscomp name is missing (option -f)", help_text=HELP["clone-fscomp"]),
    )
    assert _run("clone-fscomp", "-f", "a") == (
        1,
        _error("clonable fscomp name is missing (option -F)", help_text=HELP["clone-fscomp"]),
    )


@pytest.mark.usefixtures("etc")
def test_clone_fscomp_missing_source() -> None:
    assert _run("clone-fscomp", "-f", "a", "-F", "b") == (1, _error("fscomp b doesn't exist"))


@pytest.mark.usefixtures("etc")
@pytest.mark.parametrize("name", ["a/b", "a@b", "a b"])
def test_bad_fscomp_names(name: str) -> None:
    assert _run("create-fscomp", "-f", name) == (
        1,
        _error(f"'{name}' is not a valid fscomp name", help_text=HELP["create-fscomp"]),
    )
