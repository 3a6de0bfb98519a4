"""pot create-base: option handling, messages and exit codes (no ZFS reached)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pot import zfs
from pot.cli.main import cli
from pot.release import Machine

RELEASES = ("13.2-RELEASE", "14.0-RC1", "14.0-RELEASE", "14.1-RELEASE")


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """POT_ETC with a pot.conf pointing at a manifests folder; no ZFS behind it."""
    manifests = tmp_path / "MANIFESTS"
    manifests.mkdir()
    for rel in RELEASES:
        (manifests / f"amd64-amd64-{rel}").write_text("")
    (tmp_path / "pot").mkdir()
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "pot.conf").write_text(
        f"POT_FS_ROOT={tmp_path / 'pot'}\nPOT_ZFS_ROOT=nopool/pot\nPOT_GROUP=root\n"
        f"POT_MANIFESTS_DIR={manifests}\nPOT_CACHE={tmp_path / 'cache'}\n"
    )
    monkeypatch.setenv("POT_ETC", str(folder))
    monkeypatch.setattr("pot.release.host_machine", lambda: Machine("amd64", "amd64"))
    # no pool here: nothing is a base unless a test says so
    monkeypatch.setattr(zfs, "exists", lambda name: False)
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["create-base", *args])
    return result.exit_code, result.stdout, result.stderr


HELP = """\
pot create-base [-h] [-r RELEASE] [-b basename]
  -h print this help
  -v verbose
  -r RELEASE : supported release are: 13.2 14.0-RC1 14.0 14.1{space}
     + 13.2
     + 14.0
     + 14.0-RC1
     + 14.1
  -b basename : optional, (default: the release)
""".format(space=" ")  # upstream's list ends in a space


def _help() -> str:
    return HELP


def test_missing_release(etc: Path) -> None:
    assert _run() == (1, "###>  option -r is mandatory\n" + _help(), "")
    assert _run("-b", "mybase") == (1, "###>  option -r is mandatory\n" + _help(), "")


def test_unsupported_release(etc: Path) -> None:
    for bad in ("12.0", "14.1-RELEASE", "14"):
        assert _run("-r", bad) == (1, f"###>  {bad} is not a supported release\n" + _help(), "")


def test_no_manifest_at_all_names_the_folder_and_how_to_fill_it(etc: Path) -> None:
    for manifest in (etc / "MANIFESTS").iterdir():
        manifest.unlink()
    code, out, _ = _run("-r", "14.1")
    assert code == 1
    assert out.splitlines()[:2] == [
        "###>  14.1 is not a supported release",
        f"###>  No release manifest for amd64-amd64 in {etc}/MANIFESTS [POT_MANIFESTS_DIR]:"
        " install the package freebsd-release-manifests, or save a release's MANIFEST as"
        f" {etc}/MANIFESTS/amd64-amd64-14.1-RELEASE (from"
        " https://download.freebsd.org/releases/amd64/amd64/14.1-RELEASE/MANIFEST)",
    ]
    # manifests of other machines do not count
    (etc / "MANIFESTS" / "arm64-aarch64-14.1-RELEASE").write_text("")
    assert "[POT_MANIFESTS_DIR]" in _run("-r", "14.1")[1]


def test_name_of_another_release_is_forbidden(etc: Path) -> None:
    code, out, _ = _run("-r", "14.1", "-b", "14.0-RC1")
    assert code == 1
    assert out == (
        "###>  14.0-RC1 has the name of another valid release and that's forbidden\n" + _help()
    )


def test_invalid_base_name(etc: Path) -> None:
    for bad in ("a/b", "a@b", "a b", "-x"):
        code, out, _ = _run("-r", "14.1", "-b", bad)
        assert (code, out) == (1, f"###>  {bad} is not a valid base name\n" + _help())


def test_existing_base(etc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (etc / "pot" / "bases" / "14.1").mkdir(parents=True)
    (etc / "pot" / "bases" / "mine").mkdir(parents=True)
    monkeypatch.setattr(zfs, "exists", lambda name: name.startswith("nopool/pot/bases/"))
    assert _run("-r", "14.1") == (
        1,
        "===>  Automatically use 14.1 as base name\n###>  14.1 already exist\n",
        "",
    )
    assert _run("-b", "mine", "-r", "14.1") == (1, "###>  mine is already a base\n", "")
    # each option is checked when parsed: -b first, so no word about the bad release
    assert _run("-b", "mine", "-r", "9.9") == (1, "###>  mine is already a base\n", "")
    assert _run("-r", "9.9", "-b", "mine") == (
        1,
        "###>  9.9 is not a supported release\n" + _help(),
        "",
    )


def test_folder_without_dataset_is_not_a_base(etc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (etc / "pot" / "bases" / "14.1").mkdir(parents=True)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    code, out, _ = _run("-r", "14.1")
    assert code == 1
    assert out == (
        "===>  Automatically use 14.1 as base name\n"
        "###>   This operation needs 'root' privilegies\n"
    )


def test_root_is_checked_after_the_arguments(etc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert _run("-r", "14.0-RC1", "-b", "rc") == (
        1,
        "###>   This operation needs 'root' privilegies\n",
        "",
    )
    assert _run("-r", "bogus") == (1, "###>  bogus is not a supported release\n" + _help(), "")


def test_not_initialised(etc: Path) -> None:
    code, out, _ = _run("-r", "14.1", "-b", "b141")
    assert code == 1
    assert out == "###>   Your system is not initialized, please run pot init\n"


def test_illegal_option_and_missing_argument(etc: Path) -> None:
    assert _run("-L") == (1, _help(), "Illegal option -L\n")
    assert _run("-r") == (1, _help(), "No arg for -r option\n")


def test_help(etc: Path) -> None:
    assert _run("-h") == (0, _help(), "")
    assert _run("-v", "-h") == (0, _help(), "")


def test_help_lists_releases_of_this_machine(etc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("arm64-aarch64-13.4-RELEASE", "arm64-aarch64-15.0-RC1"):
        (etc / "MANIFESTS" / name).write_text("")
    monkeypatch.setattr("pot.release.host_machine", lambda: Machine("arm64", "aarch64"))
    result = CliRunner().invoke(cli, ["help", "create-base"])
    assert (result.exit_code, result.stdout) == (
        0,
        HELP.replace("13.2 14.0-RC1 14.0 14.1 ", "13.4 15.0-RC1 ").replace(
            "     + 13.2\n     + 14.0\n     + 14.0-RC1\n     + 14.1\n",
            "     + 13.4\n     + 15.0-RC1\n",
        ),
    )


def test_help_without_manifests(etc: Path) -> None:
    for entry in (etc / "MANIFESTS").iterdir():
        entry.unlink()
    result = CliRunner().invoke(cli, ["create-base", "-h"])
    assert (result.exit_code, result.stdout) == (
        0,
        "pot create-base [-h] [-r RELEASE] [-b basename]\n"
        "  -h print this help\n"
        "  -v verbose\n"
        "  -r RELEASE : supported release are: \n"
        "\n"
        "  -b basename : optional, (default: the release)\n",
    )
