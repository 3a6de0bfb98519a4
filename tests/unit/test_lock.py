from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import pytest

from pot.errors import LockTimeout
from pot.lock import RECURSIVE_ENV, flocked, global_lock


def _hold(path: str, ready: Any, release: Any) -> None:
    with flocked(Path(path)):
        ready.set()
        release.wait(10)


def test_second_holder_times_out_while_first_holds(tmp_path: Path) -> None:
    lock = tmp_path / "pot-lock-file"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    p = multiprocessing.Process(target=_hold, args=(str(lock), ready, release))
    p.start()
    try:
        assert ready.wait(10)
        with pytest.raises(LockTimeout), flocked(lock, timeout=0.2):
            pass
    finally:
        release.set()
        p.join()
    with flocked(lock, timeout=1):
        pass


def test_global_lock_marks_children_and_is_reentrant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(RECURSIVE_ENV, raising=False)
    lock = tmp_path / "lock"
    start = time.monotonic()
    with global_lock(lock):
        assert os.environ[RECURSIVE_ENV] == "1"
        with global_lock(lock):  # nested: must not deadlock
            pass
    assert RECURSIVE_ENV not in os.environ
    assert time.monotonic() - start < 5
