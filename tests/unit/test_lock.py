from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import pytest

from pot.errors import LockTimeout, PotError
from pot.lock import HELD_ENV, RECURSIVE_ENV, flocked, global_lock, pot_lock, transient


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


def _hold_pot(folder: str, pot: str, ready: Any, release: Any) -> None:
    with pot_lock(Path(folder), pot):
        ready.set()
        release.wait(10)


def test_pot_lock_files_do_not_pile_up(tmp_path: Path) -> None:
    folder = tmp_path / "pot-locks"
    for n in range(20):
        with pot_lock(folder, f"p{n}"):
            assert (folder / f"p{n}").exists()
        with transient(tmp_path / f"pot-lock-p{n}"):
            pass
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pot-locks"]


def test_pot_lock_waits_for_the_holder_and_survives_the_unlink(tmp_path: Path) -> None:
    folder = tmp_path / "pot-locks"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    p = multiprocessing.Process(target=_hold_pot, args=(str(folder), "web", ready, release))
    p.start()
    try:
        assert ready.wait(10)
        with pytest.raises(LockTimeout), pot_lock(folder, "web", timeout=0.2):
            pass
        release.set()
        # the holder unlinks the file it locked; we must lock the file that is there now
        with pot_lock(folder, "web", timeout=10):
            assert (folder / "web").exists()
    finally:
        release.set()
        p.join()
    assert list(folder.iterdir()) == []


def test_pot_lock_is_reentrant_and_skips_impossible_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HELD_ENV, raising=False)
    folder = tmp_path / "pot-locks"
    with pot_lock(folder, "web"), pot_lock(folder, "web"), pot_lock(folder, "db"):
        assert (folder / "web").exists() and (folder / "db").exists()
    assert HELD_ENV not in os.environ
    for name in ("", "..", "a/b", "x" * 300):
        with pot_lock(folder, name):
            pass
    assert list(folder.iterdir()) == []


def test_pot_lock_refuses_a_linked_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "pot-locks").symlink_to(tmp_path / "real")
    with (
        pytest.raises(PotError, match="not a folder of this user"),
        pot_lock(tmp_path / "pot-locks", "web"),
    ):
        pass
