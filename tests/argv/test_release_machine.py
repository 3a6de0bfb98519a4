"""hw.machine / hw.machine_arch through a stand-in sysctl on PATH."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from pot import release
from pot.release import Machine


def _sysctl(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    script = folder / "sysctl"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{folder}/argv"\n{body}\n')
    script.chmod(0o755)
    return folder / "argv"


@pytest.fixture
def linux_x86(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")


def test_sysctl_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linux_x86: None) -> None:
    argv = _sysctl(tmp_path / "bin", "printf 'arm64\\naarch64\\n'")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert release.host_machine() == Machine("arm64", "aarch64")
    assert argv.read_text() == "-n hw.machine hw.machine_arch\n"


def test_sysctl_without_hw_machine_falls_back_to_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linux_x86: None
) -> None:
    _sysctl(tmp_path / "bin", "echo 'sysctl: cannot stat /proc/sys/hw/machine' >&2; exit 255")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert release.host_machine() == Machine("amd64", "amd64")


def test_no_sysctl_falls_back_to_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linux_x86: None
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert release.host_machine() == Machine("amd64", "amd64")
