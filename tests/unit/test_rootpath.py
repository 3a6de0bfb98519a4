"""Paths inside a pot resolved as the jail sees them, never onto the host."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pot import rootpath
from pot.rootpath import Missing, OutsideRoot


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A small pot root with the links a pot may hold, next to a "host" folder."""
    m = tmp_path / "m"
    for d in ("etc", "usr/local/etc", "var/db", "opt/custom/etc", "tmp"):
        (m / d).mkdir(parents=True)
    (m / "etc" / "rc.conf").write_text("")
    (tmp_path / "host").mkdir()
    (m / "abs").symlink_to("/usr/local/etc")  # absolute: the pot's own /usr/local/etc
    (m / "rel").symlink_to("usr/local")  # relative inside the pot
    (m / "var" / "up").symlink_to("../etc")  # relative, climbing but staying inside
    (m / "hostetc").symlink_to("/etc")  # the pot's own /etc, not the host's
    (m / "out").symlink_to("../host")  # relative, climbing above the pot's root
    (m / "deep").symlink_to("var/../../host")
    (m / "loop").symlink_to("loop")
    (m / "dangling").symlink_to("/nowhere/x")
    return m


def test_plain_paths(root: Path) -> None:
    assert rootpath.resolve(root, "/") == root
    assert rootpath.resolve(root, "/etc/rc.conf") == root / "etc/rc.conf"
    assert rootpath.resolve(root, "//etc/./rc.conf") == root / "etc/rc.conf"
    assert rootpath.resolve(root, "/usr/local/../local/etc") == root / "usr/local/etc"


def test_absolute_links_start_again_at_the_pots_root(root: Path) -> None:
    assert rootpath.resolve(root, "/abs") == root / "usr/local/etc"
    assert rootpath.resolve(root, "/hostetc/rc.conf") == root / "etc/rc.conf"
    assert rootpath.resolve(root, "/hostetc/new", strict=False) == root / "etc/new"


def test_relative_links(root: Path) -> None:
    assert rootpath.resolve(root, "/rel/etc") == root / "usr/local/etc"
    assert rootpath.resolve(root, "/var/up/rc.conf") == root / "etc/rc.conf"


@pytest.mark.parametrize(
    "path",
    ["/..", "/../etc", "/etc/../../host", "/out", "/out/x", "/deep", "/var/../../../etc/passwd"],
)
def test_climbing_above_the_root_is_refused(root: Path, path: str) -> None:
    with pytest.raises(OutsideRoot):
        rootpath.resolve(root, path, strict=False)


def test_missing_components(root: Path) -> None:
    with pytest.raises(Missing) as info:
        rootpath.resolve(root, "/etc/nothing/x")
    assert info.value.host_path == root / "etc/nothing"
    assert rootpath.resolve(root, "/etc/nothing/x", strict=False) == root / "etc/nothing/x"
    # a missing component followed by .. comes back to the real tree, links and all
    assert rootpath.resolve(root, "/nothing/../abs", strict=False) == root / "usr/local/etc"
    with pytest.raises(OutsideRoot):
        rootpath.resolve(root, "/nothing/../../x", strict=False)


def test_dangling_absolute_link_stays_inside(root: Path) -> None:
    assert rootpath.resolve(root, "/dangling", strict=False) == root / "nowhere/x"


def test_loops_and_files_as_directories(root: Path) -> None:
    with pytest.raises(OSError, match="Too many levels"):
        rootpath.resolve(root, "/loop")
    with pytest.raises(NotADirectoryError):
        rootpath.resolve(root, "/etc/rc.conf/x", strict=False)


def test_inside(root: Path) -> None:
    assert rootpath.inside(root, root) == "/"
    assert rootpath.inside(root, root / "usr/local") == "/usr/local"


def test_make_dirs_creates_inside_only(root: Path, tmp_path: Path) -> None:
    assert rootpath.make_dirs(root, "/data/a/b") == root / "data/a/b"
    assert (root / "data/a/b").is_dir()
    # through an absolute link: created in the pot's /etc, not the host's
    assert rootpath.make_dirs(root, "/hostetc/newdir") == root / "etc/newdir"
    # a dangling link gets its target made, inside the pot
    assert rootpath.make_dirs(root, "/dangling") == root / "nowhere/x"
    with pytest.raises(OutsideRoot):
        rootpath.make_dirs(root, "/out/evil")
    assert os.listdir(tmp_path / "host") == []
