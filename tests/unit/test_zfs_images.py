"""The zfs pieces import needs: receive's ``-x`` and the property probe (recorded argv)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pot import proc, zfs
from pot.zfs import Caps

FULL = Caps(receive_u=True, receive_o=True, list_p=True)
BARE = Caps(receive_u=False, receive_o=False, list_p=False)


def test_receive_argv_excludes_properties_after_the_options() -> None:
    argv = zfs.receive_argv(
        "p/b", FULL, unmounted=True, props={"origin": "p/a@1"}, exclude=("encryption",)
    )
    assert argv == ["zfs", "receive", "-u", "-o", "origin=p/a@1", "-x", "encryption", "p/b"]
    bare = zfs.receive_argv("p/b", BARE, unmounted=True, props={}, exclude=("encryption",))
    assert bare == ["zfs", "receive", "-x", "encryption", "p/b"]
    assert zfs.receive_argv("p/b", BARE, unmounted=False, props={}) == ["zfs", "receive", "p/b"]


def test_property_names_reads_the_property_column(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def run(argv: Sequence[str], **_: object) -> proc.Result:
        calls.append(list(argv))
        return proc.Result(tuple(argv), 0, "type\ncreation\nencryption\n:pot.tag\n", "")

    monkeypatch.setattr(proc, "run", run)
    names = zfs.property_names("p/pot")
    assert calls == [["zfs", "get", "-H", "-o", "property", "all", "p/pot"]]
    assert names == {"type", "creation", "encryption", ":pot.tag"}
