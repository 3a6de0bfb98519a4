"""The configuration folder of CLI tests without ZFS (fixture cli_etc, tests/cli/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class CliEtc:
    """A configuration folder and the directories its pot.conf names."""

    etc: Path
    fs_root: Path

    def write_conf(self, **values: str) -> None:
        """Rewrite pot.conf: the defaults of this fixture, then ``values``."""
        base = {
            "POT_FS_ROOT": str(self.fs_root),
            "POT_ZFS_ROOT": "nopool/pot",
            # an empty manifests folder: create-base's help lists no release
            "POT_MANIFESTS_DIR": str(self.etc / "MANIFESTS"),
        }
        base.update(values)
        (self.etc / "pot.conf").write_text("".join(f"{k}={v}\n" for k, v in base.items()))
