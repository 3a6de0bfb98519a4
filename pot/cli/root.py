"""Upstream's late root check, shared by the commands (click-free)."""

from __future__ import annotations

import os

from pot.errors import NeedsRoot


def require_root() -> None:
    """Upstream's late root check (after argument validation)."""
    if os.geteuid() != 0:
        raise NeedsRoot()
