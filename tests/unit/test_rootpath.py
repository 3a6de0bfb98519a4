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


# ------------------------------------------------------------ files pot reads and writes


@pytest.fixture
def pot(tmp_path: Path) -> tuple[Path, Path]:
    """A pot folder (conf/, m/etc) and, next to it, a host folder with a file."""
    folder = tmp_path / "jails" / "web"
    (folder / "conf").mkdir(parents=True)
    (folder / "m" / "etc").mkdir(parents=True)
    (folder / "conf" / "pot.conf").write_text("pot.type=single\n")
    host = tmp_path / "host"
    host.mkdir()
    (host / "file").write_text("host\n")
    return folder, host


def pf(folder: Path, rel: str) -> rootpath.PotFile:
    return rootpath.PotFile(folder, rel, "pot web")


def test_read_and_write_plain_files(pot: tuple[Path, Path]) -> None:
    folder, _ = pot
    assert rootpath.read_text(pf(folder, "conf/pot.conf")) == "pot.type=single\n"
    rootpath.write(pf(folder, "m/etc/hosts"), "127.0.0.1 localhost\n")
    assert (folder / "m/etc/hosts").read_text() == "127.0.0.1 localhost\n"
    assert sorted(os.listdir(folder / "m/etc")) == ["hosts"]  # no temporary file left
    with pytest.raises(FileNotFoundError):
        rootpath.read_bytes(pf(folder, "conf/missing"))


@pytest.mark.parametrize("absolute", [True, False])
def test_links_are_refused_for_reading(pot: tuple[Path, Path], absolute: bool) -> None:
    folder, host = pot
    target = host / "file" if absolute else Path("../../../host/file")
    (folder / "conf" / "pot.conf").unlink()
    (folder / "conf" / "pot.conf").symlink_to(target)
    with pytest.raises(rootpath.UnsafePath) as exc:
        rootpath.read_bytes(pf(folder, "conf/pot.conf"))
    assert exc.value.lines == ("conf/pot.conf of pot web is not a regular file",)
    assert not rootpath.readable(pf(folder, "conf/pot.conf"))


def test_a_linked_folder_is_refused(pot: tuple[Path, Path]) -> None:
    folder, host = pot
    (folder / "m" / "etc").rmdir()
    (folder / "m" / "etc").symlink_to(host)
    for action in (
        lambda: rootpath.write(pf(folder, "m/etc/file"), "x"),
        lambda: rootpath.read_bytes(pf(folder, "m/etc/file")),
        lambda: rootpath.makedirs(pf(folder, "m/etc/sub")),
        lambda: rootpath.unlink(pf(folder, "m/etc/file")),
    ):
        with pytest.raises(rootpath.UnsafePath) as exc:
            action()
        assert exc.value.lines == ("m/etc of pot web is not a directory",)
    assert (host / "file").read_text() == "host\n"
    assert sorted(os.listdir(host)) == ["file"]


def test_write_replaces_a_link_or_node_never_writes_through(pot: tuple[Path, Path]) -> None:
    folder, host = pot
    hosts = folder / "m" / "etc" / "hosts"
    hosts.symlink_to(host / "file")
    rootpath.write(pf(folder, "m/etc/hosts"), "mine\n")
    assert not hosts.is_symlink() and hosts.read_text() == "mine\n"
    assert (host / "file").read_text() == "host\n"
    fifo = folder / "m" / "etc" / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(rootpath.UnsafePath):  # never opened: it would block
        rootpath.read_bytes(pf(folder, "m/etc/fifo"))
    rootpath.write(pf(folder, "m/etc/fifo"), "x")
    assert fifo.read_text() == "x"


def test_modes_do_not_depend_on_the_umask(pot: tuple[Path, Path]) -> None:
    folder, _ = pot
    old = os.umask(0)
    try:
        rootpath.write(pf(folder, "conf/new"), "x")
        rootpath.write(pf(folder, "conf/script"), "x", 0o755)
        rootpath.makedirs(pf(folder, "m/a/b"))
        rootpath.write(pf(folder, "m/c/d"), "x", parents=0o700)
    finally:
        os.umask(old)

    def mode(rel: str) -> int:
        return os.lstat(folder / rel).st_mode & 0o7777

    assert (mode("conf/new"), mode("conf/script")) == (0o644, 0o755)
    assert (mode("m/a"), mode("m/a/b"), mode("m/c"), mode("m/c/d")) == (0o755, 0o755, 0o700, 0o644)


def test_write_keeps_the_mode_of_the_file_it_replaces(pot: tuple[Path, Path]) -> None:
    folder, _ = pot
    (folder / "conf" / "pot.conf").chmod(0o600)
    rootpath.write(pf(folder, "conf/pot.conf"), "new\n")
    assert os.lstat(folder / "conf/pot.conf").st_mode & 0o7777 == 0o600
    rootpath.write(pf(folder, "conf/pot.conf"), "new\n", keep_mode=False)
    assert os.lstat(folder / "conf/pot.conf").st_mode & 0o7777 == 0o644


def test_a_directory_is_never_replaced(pot: tuple[Path, Path]) -> None:
    folder, _ = pot
    (folder / "m" / "etc" / "hosts").mkdir()
    with pytest.raises(rootpath.UnsafePath) as exc:
        rootpath.write(pf(folder, "m/etc/hosts"), "x")
    assert exc.value.lines == ("m/etc/hosts of pot web is not a regular file",)


def test_dotdot_is_refused(pot: tuple[Path, Path]) -> None:
    folder, _ = pot
    with pytest.raises(rootpath.UnsafePath):
        rootpath.read_bytes(pf(folder, "conf/../../../host/file"))


def test_check(pot: tuple[Path, Path]) -> None:
    folder, host = pot
    rootpath.check(pf(folder, "conf"), "dir", required=True)
    rootpath.check(pf(folder, "conf/pot.conf"), "file", required=True)
    rootpath.check(pf(folder, "conf/absent"), "file")
    rootpath.check(pf(folder, "m/absent/deeper"), "dir")
    with pytest.raises(rootpath.UnsafePath):
        rootpath.check(pf(folder, "conf/absent"), "file", required=True)
    (folder / "m" / "tmp").symlink_to(host)
    with pytest.raises(rootpath.UnsafePath):
        rootpath.check(pf(folder, "m/tmp"), "dir")
    with pytest.raises(rootpath.UnsafePath):
        rootpath.check(pf(folder, "m/tmp/x"), "file")


def test_copy_keeps_permission_bits_without_set_id(pot: tuple[Path, Path]) -> None:
    folder, _ = pot
    hook = folder / "conf" / "prestart.sh"
    hook.write_text("#!/bin/sh\n")
    hook.chmod(0o4755)
    rootpath.copy(pf(folder, "conf/prestart.sh"), pf(folder, "conf/poststart.sh"))
    assert os.lstat(folder / "conf/poststart.sh").st_mode & 0o7777 == 0o755
