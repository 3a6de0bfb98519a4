"""The edge's signal handling: the first SIGINT/SIGTERM ends the command, later ones
are ignored while its clean-up runs (Ctrl-C under the sh launcher arrives twice)."""

from __future__ import annotations

import os
import signal

import pytest

from pot.cli import edge, main


def _run(monkeypatch: pytest.MonkeyPatch, first: int, done: list[str]) -> int:
    """``pot version`` whose work is: a signal, then a clean-up that gets two more."""

    def dispatch(*_args: object) -> int:
        try:
            os.kill(os.getpid(), first)
            done.append("not interrupted")
        finally:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)
            done.append("clean-up finished")
        return 0

    monkeypatch.setattr(edge, "_load_settings", lambda: None)
    monkeypatch.setattr(edge, "_dispatch", dispatch)
    with pytest.raises(SystemExit) as exc:
        main.cli.main(["version"])
    return int(str(exc.value.code))


@pytest.mark.parametrize("first", [signal.SIGINT, signal.SIGTERM])
def test_second_signal_during_clean_up_is_ignored(
    monkeypatch: pytest.MonkeyPatch, first: int
) -> None:
    done: list[str] = []
    assert _run(monkeypatch, first, done) == 130
    assert done == ["clean-up finished"]


def test_handlers_are_restored_after_the_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    _run(monkeypatch, signal.SIGINT, [])
    after = {n: signal.getsignal(n) for n in before}
    assert after == before


def test_an_ignored_sigint_is_taken_over(monkeypatch: pytest.MonkeyPatch) -> None:
    # a background job of the launcher starts with SIGINT (and SIGQUIT) ignored
    seen: list[object] = []

    def dispatch(*_args: object) -> int:
        seen.extend(signal.getsignal(n) for n in (signal.SIGINT, signal.SIGQUIT))
        return 0

    monkeypatch.setattr(edge, "_load_settings", lambda: None)
    monkeypatch.setattr(edge, "_dispatch", dispatch)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with pytest.raises(SystemExit):
            main.cli.main(["version"])
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [edge._on_stop_signal, signal.SIG_DFL]
