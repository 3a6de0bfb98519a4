"""The two kinds of pot (``pot.type`` in pot.conf); reached as ``pot.model.PotType``."""

from __future__ import annotations

from enum import Enum


class PotType(Enum):
    SINGLE = "single"
    MULTI = "multi"
