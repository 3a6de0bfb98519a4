"""Pure parts of import and export: the .meta line, option values."""

from __future__ import annotations

import pytest

from pot.errors import PotError, UsageError
from pot.ops import export, imports
from pot.ops.imports import Dependency


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
