"""pf(4) through pfctl: the only builder of pfctl argv (anchors, rules, loading, flushing).

pot's main ruleset has two anchors (added by ``pot init``): ``pot-nat`` holds the NAT of
the bridges' networks, ``pot-rdr/<anchor>`` the redirections of each pot's exported ports.
Queries answer nothing when pf or pfctl is not there, as upstream's ``$(pfctl …)``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pot.net import host
from pot.settings import Settings

NAT_ANCHOR = "pot-nat"
RDR_ANCHOR = "pot-rdr"
# longest rdr anchor name below pot-rdr/ (upstream keeps the last 55 characters)
ANCHOR_MAX = 55


def anchor_name(pot: str) -> str:
    """The pot's anchor below ``pot-rdr/``: the name, or its last 55 characters without leading
    ``_``."""
    if len(pot) <= ANCHOR_MAX:
        return pot
    return pot[-ANCHOR_MAX:].lstrip("_")


# --------------------------------------------------------------------------- queries


def anchors(parent: str | None = None) -> list[str]:
    """The anchors of the main ruleset, or below ``parent`` (e.g. ``pot-rdr/web``)."""
    argv = (
        ["pfctl", "-s", "Anchors"] if parent is None else ["pfctl", "-a", parent, "-s", "Anchors"]
    )
    return [line.strip() for line in host.query(argv).splitlines() if line.strip()]


def pot_anchors_loaded() -> bool:
    """Whether the main ruleset has pot's two anchors."""
    found = anchors()
    return NAT_ANCHOR in found and RDR_ANCHOR in found


def translation_rules(anchor: str) -> list[str]:
    """The translation rules of an anchor (``pfctl -a <anchor> -s nat -P``), one per line."""
    return host.query(["pfctl", "-a", anchor, "-s", "nat", "-P"]).splitlines()


def nat_listing(anchor: str) -> str:
    """``pfctl -s nat -a <anchor>`` as upstream reads and shows it."""
    return host.query(["pfctl", "-s", "nat", "-a", anchor])


# --------------------------------------------------------------------------- changes


def load_ruleset(path: str) -> bool:
    """Load the main ruleset from ``path``; whether pfctl accepted it."""
    return host.attempt(["pfctl", "-f", path])


def load_anchor(s: Settings, anchor: str, text: str, prefix: str) -> bool:
    """Replace the rules of ``anchor`` by ``text`` (through a temporary file in POT_TMP
    named ``<prefix>.…``); whether pfctl accepted them."""
    with _rules_file(s, prefix, text) as path:
        return host.attempt(["pfctl", "-a", anchor, "-f", str(path)])


def flush_translations(anchor: str) -> bool:
    """``pfctl -a <anchor> -F nat -q``; whether it worked."""
    return host.attempt(["pfctl", "-a", anchor, "-F", "nat", "-q"])


def enable() -> bool:
    """``pfctl -e``; fails with "pf already enabled" as the usual answer."""
    return host.attempt(["pfctl", "-e"])


@contextlib.contextmanager
def _rules_file(s: Settings, prefix: str, text: str) -> Iterator[Path]:
    """A temporary file in POT_TMP holding text, removed afterwards."""
    try:
        fd, name = tempfile.mkstemp(prefix=f"{prefix}.", dir=s.tmp)
    except OSError as exc:
        raise host.NetworkError(
            f"cannot create a temporary file in {s.tmp}: {exc.strerror}"
        ) from exc
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        yield path
    finally:
        path.unlink(missing_ok=True)
