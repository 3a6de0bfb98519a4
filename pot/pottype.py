"""The two kinds of pot (``pot.type`` in pot.conf).

A module of its own, not part of pot.model: the commands nomad-pot-driver runs every
second go through pot.model and never need enum.
"""

from __future__ import annotations

from enum import Enum


class PotType(Enum):
    SINGLE = "single"
    MULTI = "multi"
