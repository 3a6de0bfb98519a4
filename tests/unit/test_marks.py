"""The marks of unfinished pots (``:pot.incomplete``, ``:pot.renaming``): what the pot
check, ls and the next create make of them. ZFS is answered by the test."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from pot import lock, zfs
from pot.errors import PotError
from pot.ops import common, listing
from pot.settings import DEFAULTS, Settings

ROOT = "zp/pot"


@pytest.fixture
def s(tmp_path: Path) -> Settings:
    values = dict(
        DEFAULTS, POT_FS_ROOT=str(tmp_path / "pot"), POT_ZFS_ROOT=ROOT, POT_TMP=str(tmp_path)
    )
    return Settings(tmp_path / "etc", MappingProxyType(values))


@pytest.fixture
def marks(s: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    """dataset -> its marks; a pot ``web`` with its folders and pot.conf."""
    sets: dict[str, dict[str, str]] = {f"{ROOT}/jails/web": {}}
    folder = s.fs_root / "jails" / "web"
    (folder / "m").mkdir(parents=True)
    (folder / "conf").mkdir()
    (folder / "conf" / "pot.conf").write_text("pot.type=single\n")

    def user_props(name: str, props: tuple[str, ...]) -> dict[str, str] | None:
        if name not in sets:
            return None
        return {p: sets[name].get(p, "") for p in props}

    monkeypatch.setattr(zfs, "user_props", user_props)
    monkeypatch.setattr(zfs, "exists", lambda name: name in sets)
    return sets


def test_a_marked_pot_is_no_pot_but_for_its_maker(
    s: Settings, marks: dict[str, dict[str, str]]
) -> None:
    assert common.pot_problem(s, "web") is None
    marks[f"{ROOT}/jails/web"][common.INCOMPLETE] = "clone"
    assert common.pot_problem(s, "web") == "The pot web is incomplete (an interrupted clone)"
    with lock.making(f"{ROOT}/jails/web"):
        assert common.pot_problem(s, "web") is None
    assert not common.is_pot(s, "web")
    marks[f"{ROOT}/jails/web"] = {common.RENAMING: "web/www"}
    assert common.pot_problem(s, "web") == (
        "The pot web is half renamed (an interrupted rename web/www)"
    )


def test_the_next_create_removes_a_leftover_but_never_a_half_renamed_pot(
    s: Settings, marks: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    destroyed: list[str] = []
    monkeypatch.setattr(zfs, "destroy", lambda name, **kw: destroyed.append(name))
    common.remove_incomplete(s, "web")  # a good pot: untouched
    assert destroyed == [] and (s.fs_root / "jails" / "web").is_dir()
    marks[f"{ROOT}/jails/web"] = {common.RENAMING: "web/www"}
    with pytest.raises(PotError, match="run pot rename -p web -n www again"):
        common.remove_incomplete(s, "web")
    marks[f"{ROOT}/jails/web"] = {common.INCOMPLETE: "create"}
    common.remove_incomplete(s, "web")
    assert destroyed == [f"{ROOT}/jails/web"]
    assert not (s.fs_root / "jails" / "web").exists()


def test_ls_leaves_unfinished_pots_out(s: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a", "b", "c"):
        (s.fs_root / "jails" / name / "conf").mkdir(parents=True)
    props = {
        f"{ROOT}/jails": {},
        f"{ROOT}/jails/a": {common.INCOMPLETE: "create"},
        f"{ROOT}/jails/a/m": {common.INCOMPLETE: "create"},
        f"{ROOT}/jails/b": {},
        f"{ROOT}/jails/c": {common.RENAMING: "c/d"},
    }

    def list_tree(root: str, *, user_props: tuple[str, ...]) -> dict[str, zfs.Dataset]:
        return {
            name: zfs.Dataset(
                name, "", True, "", MappingProxyType({p: v.get(p, "") for p in user_props})
            )
            for name, v in props.items()
        }

    monkeypatch.setattr(zfs, "list_tree", list_tree)
    monkeypatch.setattr("pot.jail.running_names", list)
    assert [p.name for p in listing.pots(s, verbose=False)] == ["b"]
