"""Version order as FreeBSD's ``sort -V`` has it (upstream sorts release names and tags so).

Two strings compare as Debian versions (runs of digits by value, ``~`` before
everything, letters before other characters), after cutting a file-name suffix of the
form ``(\\.[A-Za-z~][A-Za-z0-9~]*)*$``; ``.``, ``..`` and other names starting with a dot
come first; versions that compare equal are ordered by their text, so that only
identical strings are equal (sort's last-resort comparison).
"""

from __future__ import annotations

import functools


def _digit(c: str) -> bool:
    return "0" <= c <= "9"


def _alpha(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


def _suffix_start(text: str) -> int:
    """Length of text without its file-name suffix (sort's rule, empty extensions allowed)."""
    in_suffix = expect_alpha = False
    start = len(text)
    for i, c in enumerate(text):
        if expect_alpha:
            expect_alpha = False
            if not (_alpha(c) or c == "~"):
                in_suffix = False
        elif c == ".":
            expect_alpha = True
            if not in_suffix:
                in_suffix, start = True, i
        elif not (_alpha(c) or _digit(c) or c == "~"):
            in_suffix = False
    return start if in_suffix else len(text)


def _rank(c: str) -> int:
    """Order of the kinds of non-digit positions: ~, the end (or a digit), letters, others."""
    if c == "~":
        return 0
    if not c or _digit(c):
        return 1
    return 2 if _alpha(c) else 3


def _char_order(c1: str, c2: str) -> int:
    """Two positions of a non-digit run ("" is the end of the string)."""
    r1, r2 = _rank(c1), _rank(c2)
    if r1 != r2:
        return r1 - r2
    return ord(c1) - ord(c2) if r1 >= 2 else 0


def _at(text: str, i: int) -> str:
    return text[i] if i < len(text) else ""


def _numbers(a: str, i: int, b: str, j: int) -> tuple[int, int, int]:
    """Compare the digit runs at a[i:] and b[j:] by value; the result and the new indexes."""
    while _at(a, i) == "0":
        i += 1
    while _at(b, j) == "0":
        j += 1
    diff = 0
    while _digit(_at(a, i)) and _digit(_at(b, j)):
        diff = diff or ord(a[i]) - ord(b[j])
        i, j = i + 1, j + 1
    if _digit(_at(a, i)):
        return 1, i, j
    if _digit(_at(b, j)):
        return -1, i, j
    return diff, i, j


def _versions(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not _digit(a[i])) or (j < len(b) and not _digit(b[j])):
            order = _char_order(_at(a, i), _at(b, j))
            if order:
                return order
            i, j = min(i + 1, len(a)), min(j + 1, len(b))
        diff, i, j = _numbers(a, i, b, j)
        if diff:
            return diff
    return 0


def _dot_names(a: str, b: str) -> int:
    """``.`` first, then ``..``, then other names starting with a dot; 0 when undecided."""
    for special in (".", ".."):
        if a == special:
            return -1
        if b == special:
            return 1
    return (b.startswith(".") - a.startswith(".")) if a[:1] != b[:1] else 0


def compare(a: str, b: str) -> int:
    """Negative, zero or positive as a sorts before, with or after b under ``sort -V``."""
    if a == b:
        return 0
    by_text = -1 if a < b else 1
    if not a or not b:
        return -1 if not a else 1
    dots = _dot_names(a, b)
    if dots:
        return dots
    if a[0] == "." and b[0] == ".":
        a, b = a[1:], b[1:]
    a_end, b_end = _suffix_start(a), _suffix_start(b)
    if a[:a_end] == b[:b_end]:
        return by_text
    return _versions(a[:a_end], b[:b_end]) or by_text


key = functools.cmp_to_key(compare)


def highest(*versions: str) -> str:
    """What ``printf '%s\\n' VERSIONS | sort -V | tail -n1`` prints."""
    return max(versions, key=key)
