"""Tiny recording stand-ins for FreeBSD tools (ifconfig, jls, sysrc) put first on PATH.

Each tool appends its argv as a JSON list to ``calls.jsonl``, prints its configured
output and exits with its configured status. A small local helper until the shared
stand-ins (tests/standins) are used by these tests.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

_SCRIPT = """\
#!{python}
import json, sys
with open({log!r}, "a") as f:
    f.write(json.dumps([{name!r}, *sys.argv[1:]]) + "\\n")
answers = {answers!r}
out, rc = answers.get(" ".join(sys.argv[1:]), answers.get("*", ("", 0)))
sys.stdout.write(out)
sys.exit(rc)
"""


class FakeBin:
    """A folder of stand-in tools prepended to PATH."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.log = folder / "calls.jsonl"
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    def tool(self, name: str, answers: dict[str, tuple[str, int]] | None = None) -> None:
        """Install ``name``; answers maps the joined arguments (or ``*``) to (stdout, status)."""
        path = self.folder / name
        path.write_text(
            _SCRIPT.format(
                python=sys.executable, log=str(self.log), name=name, answers=answers or {}
            )
        )
        path.chmod(0o755)

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def freebsd_tools(folder: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBin:
    """ifconfig knowing em0 (192.168.0.10) only, jls with no jail, sysrc answering /etc/pf.conf."""
    fake = FakeBin(folder, monkeypatch)
    em0 = "em0: flags=8843<UP>\n\tinet 192.168.0.10 netmask 0xffffff00\n"
    fake.tool("ifconfig", {"em0": (em0, 0), "em0 inet": (em0, 0), "*": ("", 1)})
    fake.tool("jls", {"*": ("", 1)})
    fake.tool("sysrc", {"-n pf_rules": ("/etc/pf.conf\n", 0)})
    return fake
