"""Configuration folders (POT_ETC) of the tests: the ZFS tests' (PotEnv, tests/conftest.py)
and the CLI tests' without ZFS (CliEtc, fixture cli_etc in tests/cli/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pot.cli import optspec

# a stand-in command of tests/cli/conftest.py's fake_command: its name, its option
# table and its ``run(app, **values)``
FakeCommand = Callable[[str, tuple[optspec.Opt, ...], Callable[..., object]], None]


class EtcFolder:
    """A configuration folder whose pot.conf is its fixture's defaults and a test's values."""

    etc: Path

    def defaults(self) -> dict[str, str]:
        raise NotImplementedError

    def write_conf(self, **values: str) -> None:
        """Rewrite pot.conf: the defaults of this fixture, then ``values``."""
        merged = {**self.defaults(), **values}
        (self.etc / "pot.conf").write_text("".join(f"{k}={v}\n" for k, v in merged.items()))


@dataclass
class CliEtc(EtcFolder):
    """A configuration folder and the directories its pot.conf names."""

    etc: Path
    fs_root: Path

    def defaults(self) -> dict[str, str]:
        return {
            "POT_FS_ROOT": str(self.fs_root),
            "POT_ZFS_ROOT": "nopool/pot",
            # an empty manifests folder: create-base's help lists no release
            "POT_MANIFESTS_DIR": str(self.etc / "MANIFESTS"),
        }
