"""Read-only views of pf(4) that pot reports: anchors and their rules (pfctl)."""

from __future__ import annotations

from pot import proc
from pot.errors import CommandFailed


def _lines(argv: list[str]) -> list[str]:
    """stdout lines of a pfctl query; none when pf or pfctl is not there."""
    try:
        result = proc.run(argv, check=False)
    except CommandFailed:  # pfctl not installed
        return []
    return result.stdout.splitlines() if result.ok else []


def anchors(parent: str) -> list[str]:
    """The anchors below ``parent`` (``pfctl -a <parent> -s Anchors``), e.g. ``pot-rdr/web``."""
    return [line.strip() for line in _lines(["pfctl", "-a", parent, "-s", "Anchors"])]


def nat_rules(anchor: str) -> list[str]:
    """The translation rules of an anchor (``pfctl -a <anchor> -s nat -P``), one per line."""
    return _lines(["pfctl", "-a", anchor, "-s", "nat", "-P"])
