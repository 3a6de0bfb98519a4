"""init/de-init's edits of the pf rules file (no tools involved)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pot.ops import init

NAT = "nat-anchor pot-nat"
RDR = 'rdr-anchor "pot-rdr/*"'


def test_pf_configured_needs_each_anchor_exactly_once() -> None:
    assert init.pf_configured(f"pass all\n{RDR}\n{NAT}\n")
    assert not init.pf_configured(f"{NAT}\n")
    assert not init.pf_configured(f"{NAT}\n{RDR}\n{NAT}\n")
    # the lines must match whole, as upstream's grep '^...$'
    assert not init.pf_configured(f" {NAT}\n{RDR}\n")


def test_with_and_without_anchors() -> None:
    assert init.without_anchors(f"a\n{NAT}\nb\n{RDR}\n{NAT}\n") == "a\nb\n"
    assert init.with_anchors("a\nb\n") == f"{NAT}\n{RDR}\na\nb\n"
    assert init.with_anchors("a") == f"{NAT}\n{RDR}\na\n"
    assert init.with_anchors("") == f"{NAT}\n{RDR}\n"


def test_add_to_a_missing_file(tmp_path: Path) -> None:
    pf = tmp_path / "pf.conf"
    said: list[str] = []
    init.add_pf_anchors(pf, said.append)
    assert pf.read_text() == f"{NAT}\n{RDR}\n"
    assert said == [
        f"auto-magically editing your {pf}",
        f"Please, check that your PF configuration file {pf} is still valid and reload it!",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pf.conf"]


def test_add_replaces_broken_anchors_after_a_backup(tmp_path: Path) -> None:
    pf = tmp_path / "pf.conf"
    original = f"ext_if=em0\n{NAT}\n{NAT}\npass all"
    pf.write_text(original)
    said: list[str] = []
    init.add_pf_anchors(pf, said.append)
    assert pf.read_text() == f"{NAT}\n{RDR}\next_if=em0\npass all\n"
    assert (tmp_path / "pf.conf.bkp-pot").read_text() == original
    assert said[:2] == [f"Creating a backup of your {pf}", f"{pf} -> {pf}.bkp-pot"]


def test_add_leaves_a_configured_file_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pf = tmp_path / "pf.conf"
    pf.write_text(f"set skip on lo0\n{NAT}\n{RDR}\n")
    said: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="pot"):
        init.add_pf_anchors(pf, said.append)
    assert said == []
    assert pf.read_text() == f"set skip on lo0\n{NAT}\n{RDR}\n"
    assert [r.getMessage() for r in caplog.records] == ["pf already properly configured"]


def test_remove(tmp_path: Path) -> None:
    pf = tmp_path / "pf.conf"
    pf.write_text(f"{NAT}\n{RDR}\npass all\n")
    said: list[str] = []
    init.remove_pf_anchors(pf, said.append)
    assert pf.read_text() == "pass all\n"
    assert said == [
        "pf configuration file should be clean",
        f"  - please check {pf} and reload it",
    ]


def test_remove_from_a_missing_file_only_says_so(tmp_path: Path) -> None:
    said: list[str] = []
    init.remove_pf_anchors(tmp_path / "none", said.append)
    assert not (tmp_path / "none").exists()
    assert len(said) == 2
