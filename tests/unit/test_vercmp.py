"""sort -V order as FreeBSD's sort(1) computes it (usr.bin/sort/vcmp.c)."""

from __future__ import annotations

import pytest

from pot import vercmp


def test_numbers_compare_by_value() -> None:
    tags = ["1.10", "1.9", "1.0", "2.0", "1.0.1", "10", "9"]
    assert sorted(tags, key=vercmp.key) == ["1.0", "1.0.1", "1.9", "1.10", "2.0", "9", "10"]


def test_tilde_sorts_before_everything_even_the_end() -> None:
    assert sorted(["1.0", "1.0~rc1", "1.0-rc1", "1.0a"], key=vercmp.key) == [
        "1.0~rc1",
        "1.0",
        "1.0a",
        "1.0-rc1",
    ]


def test_letters_sort_before_other_characters() -> None:
    assert vercmp.compare("1a", "1-") < 0
    assert vercmp.compare("1-", "1_") < 0  # others by character code


def test_file_suffixes_are_cut_before_comparing() -> None:
    # ".tar" is a suffix: "1.0.tar" compares as "1.0", then by text
    assert sorted(["1.0.tar", "1.0", "1.0a"], key=vercmp.key) == ["1.0", "1.0.tar", "1.0a"]
    # FreeBSD's sort takes an empty extension (a trailing dot) for a suffix too
    assert vercmp.compare("0.", "0-a") < 0


def test_dot_names_come_first() -> None:
    assert sorted(["a", ".b", "..", "."], key=vercmp.key) == [".", "..", ".b", "a"]


@pytest.mark.parametrize(("a", "b"), [("01", "1"), ("1.01", "1.1"), ("", "0")])
def test_only_identical_strings_are_equal(a: str, b: str) -> None:
    assert vercmp.compare(a, b) < 0
    assert vercmp.compare(b, a) > 0
    assert vercmp.compare(a, a) == 0


def test_highest_is_what_tail_n1_of_sort_v_prints() -> None:
    assert vercmp.highest("1.10", "1.9") == "1.10"
    assert vercmp.highest("2.0~beta", "2.0") == "2.0"
    assert vercmp.highest("1700000000", "1699999999") == "1700000000"
