"""hw.machine / hw.machine_arch through the stand-in sysctl (or none at all) on PATH."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
from standins.harness import Standins

from pot import release
from pot.release import Machine


@pytest.fixture
def linux_x86(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")


def test_sysctl_answers(standins: Standins, linux_x86: None) -> None:
    standins.set_sysctl("hw.machine", "arm64")
    standins.set_sysctl("hw.machine_arch", "aarch64")
    assert release.host_machine() == Machine("arm64", "aarch64")
    assert standins.calls() == [["sysctl", "-n", "hw.machine", "hw.machine_arch"]]


def test_sysctl_without_hw_machine_falls_back_to_platform(
    standins: Standins, linux_x86: None
) -> None:
    # what Linux's sysctl answers
    standins.fail("sysctl", rc=255, err="sysctl: cannot stat /proc/sys/hw/machine\n")
    assert release.host_machine() == Machine("amd64", "amd64")


def test_no_sysctl_falls_back_to_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linux_x86: None
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert release.host_machine() == Machine("amd64", "amd64")
