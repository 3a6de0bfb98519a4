from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from pot import model, potconf, zfs
from pot.ops import bases
from pot.settings import DEFAULTS, Settings


def test_base_pot_name_replaces_only_the_first_dot() -> None:
    assert model.base_pot_name("13.2") == "base-13_2"
    assert model.base_pot_name("14.0-RC1") == "base-14_0-RC1"
    assert model.base_pot_name("fbsd.14.1") == "base-fbsd_14.1"
    assert model.base_pot_name("mine") == "base-mine"


def test_snapshot_full_takes_rw_datasets_with_one_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Settings(tmp_path, {**DEFAULTS, "POT_FS_ROOT": str(tmp_path), "POT_ZFS_ROOT": "z/pot"})
    conf = tmp_path / "jails" / "base-14_1" / "conf"
    conf.mkdir(parents=True)
    potconf.write_fscomp(
        conf / "fscomp.conf",
        [
            potconf.FsCompEntry("z/pot/bases/14.1", "/"),
            potconf.FsCompEntry("z/pot/bases/14.1/usr.local", "/usr/local"),
            potconf.FsCompEntry("z/pot/bases/14.1/custom", "/opt/custom"),
            potconf.FsCompEntry("z/pot/fscomp/data", "/data", "ro"),
            potconf.FsCompEntry("/host/dir", "/mnt"),
        ],
    )
    taken: list[tuple[str, str]] = []
    monkeypatch.setattr(zfs, "snapshot", lambda name, snap: taken.append((name, snap)))
    monkeypatch.setattr(time, "time", lambda: 1717200000.7)
    assert bases.snapshot_full(s, "base-14_1") == "1717200000"
    assert taken == [
        ("z/pot/bases/14.1", "1717200000"),
        ("z/pot/bases/14.1/usr.local", "1717200000"),
        ("z/pot/bases/14.1/custom", "1717200000"),
    ]


def test_undo_runs_newest_first_only_on_failure() -> None:
    done: list[str] = []
    with bases._undo_on_failure() as undo:
        undo(lambda: done.append("never"))
    assert done == []

    def broken() -> None:
        done.append("broken")
        raise OSError(16, "Device busy")

    with pytest.raises(KeyboardInterrupt), bases._undo_on_failure() as undo:
        undo(lambda: done.append("first"))
        undo(broken)
        undo(lambda: done.append("last"))
        raise KeyboardInterrupt
    # a failing step does not stop the others, nor replace the original exception
    assert done == ["last", "broken", "first"]


def test_undo_reports_what_it_could_not_remove() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    def busy() -> None:
        raise OSError(16, "Device busy")

    logger = logging.getLogger("pot.ops.bases")
    handler = Keep()
    logger.addHandler(handler)
    try:
        with pytest.raises(ValueError, match="boom"), bases._undo_on_failure() as undo:
            undo(busy)
            raise ValueError("boom")
    finally:
        logger.removeHandler(handler)
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.ERROR, "clean-up failed: [Errno 16] Device busy")
    ]
