from __future__ import annotations

import sys
import time

import pytest

from pot.cli import progress


def test_render() -> None:
    assert progress.render("14.1-RELEASE_base.txz", 0, 200 * 1024 * 1024) == (
        "14.1-RELEASE_base.txz    0% of 200.0 MiB"
    )
    assert progress.render("f", 150 * 1024 * 1024, 200 * 1024 * 1024) == "f   75% of 200.0 MiB"
    assert progress.render("f", 3 * 1024 * 1024 // 2, None) == "f  1.5 MiB"


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with progress.bar("x") as callback:
        assert callback is None


def test_line_is_drawn_rate_limited_and_wiped_when_complete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = iter([10.0, 10.1, 10.3])
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    mib = 1024 * 1024
    with progress.bar("f") as callback:
        assert callback is not None
        callback(1 * mib, 4 * mib)  # drawn
        callback(2 * mib, 4 * mib)  # too soon
        callback(3 * mib, 4 * mib)  # drawn
        callback(4 * mib, 4 * mib)  # complete: wiped
    out = capsys.readouterr()
    line = "f   25% of 4.0 MiB"
    assert out.out == ""
    assert out.err == f"\r{line}\rf   75% of 4.0 MiB\r{' ' * len(line)}\r"
