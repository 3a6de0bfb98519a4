"""Pure parts of import and export: the .meta line, option values."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pot.errors import PotError, UsageError
from pot.ops import export, imports
from pot.ops.imports import Dependency
from pot.settings import Settings


@pytest.mark.parametrize(
    ("line", "dependency"),
    [
        ("", None),
        ("-", None),
        ("nginx:1.0@1700000000", Dependency("nginx", "1.0", "1700000000")),
        # upstream's awk fields: cut at the first "@", then at ":"
        ("nginx:1.0:x@17@18", Dependency("nginx", "1.0", "17")),
        ("nginx@17", Dependency("nginx", "", "17")),
        ("nginx:1.0", Dependency("nginx", "1.0", "")),
    ],
)
def test_parse_meta(line: str, dependency: Dependency | None) -> None:
    assert imports.parse_meta(line) == dependency


def test_dependency_local_name_turns_dots_into_underscores() -> None:
    assert Dependency("nginx", "1.0.2", "17").name == "nginx_1_0_2"


@pytest.mark.parametrize("value", ["0", "6", "9"])
def test_levels(value: str) -> None:
    assert export.check_level(value) == int(value)


@pytest.mark.parametrize("value", ["", "10", "x", "-1", " 6", "٣"])
def test_bad_levels(value: str) -> None:
    with pytest.raises(UsageError, match=r"is an invalid compression level$"):
        export.check_level(value)


def test_check_url() -> None:
    assert imports.check_url("file:///images") == "file:///images"
    with pytest.raises(PotError, match=r"^Argument of -U cannot be empty$"):
        imports.check_url("")


# ------------------------------------------------- the received tree, before any write


def _received(tmp_path: Path) -> tuple[Settings, Path]:
    s = Settings().with_values(POT_FS_ROOT=str(tmp_path / "pot"))
    folder = tmp_path / "pot" / "jails" / ".import-web_1_0-0123abcd"
    (folder / "conf").mkdir(parents=True)
    (folder / "m" / "etc").mkdir(parents=True)
    (folder / "m" / "tmp").mkdir()
    (folder / "conf" / "pot.conf").write_text("pot.type=single\n")
    (folder / "conf" / "fscomp.conf").write_text("")
    (folder / "m" / "etc" / "hosts").write_text("127.0.0.1 localhost\n")
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "file").write_text("secret\n")
    return s, folder


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    s, _ = _received(tmp_path)
    imports._validate(s, ".import-web_1_0-0123abcd", "web_1_0")


DIR, FILE = "not a directory", "not a regular file"


@pytest.mark.parametrize(
    ("rel", "target", "what"),
    [
        ("conf", "host", DIR),
        ("conf/pot.conf", "host/file", FILE),
        ("m/etc/hosts", "host/file", FILE),
        ("m/etc/resolv.conf", "host/file", FILE),
        ("m/etc/rc.conf", "host/file", FILE),
        ("m/tmp", "host", DIR),
    ],
)
def test_links_are_refused(tmp_path: Path, rel: str, target: str, what: str) -> None:
    s, folder = _received(tmp_path)
    path = folder / rel
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.symlink_to(tmp_path / target)
    with pytest.raises(PotError) as exc:
        imports._validate(s, ".import-web_1_0-0123abcd", "web_1_0")
    assert exc.value.lines == (f"{rel} of the imported pot web_1_0 is {what}",)


def test_fscomp_entries_are_refused(tmp_path: Path) -> None:
    s, folder = _received(tmp_path)
    (folder / "conf" / "fscomp.conf").write_text("/etc /hostetc\n")
    with pytest.raises(PotError) as exc:
        imports._validate(s, ".import-web_1_0-0123abcd", "web_1_0")
    assert exc.value.lines == (
        "conf/fscomp.conf of the imported pot web_1_0 mounts /etc, which is not part of the image",
    )
