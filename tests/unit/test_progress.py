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


# ---------------------------------------------------------------- fetch(1)'s line


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (257, " 257  B"),
        (9999, "9999  B"),
        (10000, "   9 kB"),
        (182452224, " 174 MB"),
        (5 * 1024**4 * 1024, "5120 TB"),
    ],
)
def test_fetch_bytes(count: int, text: str) -> None:
    assert progress.fetch_bytes(count) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "   00s"), (60, "   60s"), (61, "01m01s"), (3601, "01h00m"), (90000, "01d01h")],
)
def test_fetch_seconds(seconds: int, text: str) -> None:
    assert progress.fetch_seconds(seconds) == text


def test_fetch_line_as_the_image_guide_shows_it() -> None:
    # `/var/cache/pot/test_1.0.xz  174 MB  527 MBps    00s` (path padded to 46 columns)
    size = 182452224
    line = progress.fetch_line("/var/cache/pot/test_1.0.xz", size, size, 100.0, 100.33)
    assert line == "/var/cache/pot/test_1.0.xz" + " " * 20 + "         174 MB  527 MBps    00s"
    assert progress.fetch_line("/c/x.skein", 257, 257, 5.0, 5.0) == (
        "/c/x.skein" + " " * 36 + "         257  B ?? Bps    00s"
    )


def test_fetch_line_names_long_paths_whole_off_a_terminal() -> None:
    path = "/var/cache/pot/" + "x" * 40 + ".xz"
    assert progress.fetch_line(path, 1, 1, 0.0, 1.0).startswith(path + "         ")
    assert progress.fetch_line(path, 1, 1, 0.0, 1.0, terminal=True).startswith(
        path[:46] + "         "
    )


def test_unfinished_download_shows_the_time_left() -> None:
    # half of it in 10 s: 10 s to go
    assert progress.fetch_line("f", 50, 100, 0.0, 10.0).endswith("   5  Bps    10s")


def test_fetching_prints_a_line_per_transfer_off_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    clock = iter([1.0, 3.0, 4.0, 4.0])
    monkeypatch.setattr(time, "time", lambda: next(clock))
    with progress.fetching("/cache/f.xz") as callback:
        assert callback is not None
        callback(0, 4000)
        callback(4000, 4000)
        callback(0, 10)  # fetched again (upstream's retry): a second line
        callback(10, 10)
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (
        f"{'/cache/f.xz':<46}        4000  B 2000  Bps    02s\n"
        f"{'/cache/f.xz':<46}          10  B ?? Bps    00s\n"
    )


def test_fetching_prints_nothing_when_nothing_was_opened(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with progress.fetching("/cache/f.xz"):
        pass
    assert capsys.readouterr() == ("", "")
