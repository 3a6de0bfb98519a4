from __future__ import annotations

import re
from pathlib import Path

from pot import settings

ETC = Path(__file__).resolve().parents[2] / "etc" / "pot"
_COMMENTED_KEY = re.compile(r"# ([A-Z][A-Z0-9_]*[A-Za-z0-9_]*)=")


def test_default_conf_is_exactly_the_builtin_defaults() -> None:
    path = ETC / "pot.default.conf"
    values = settings.parse(path.read_text(), str(path))
    assert values == dict(settings.DEFAULTS)
    assert list(values) == list(settings.DEFAULTS)


def test_default_conf_values_are_unquoted() -> None:
    # potnet reads these files itself and keeps quotes as part of the value
    lines = (ETC / "pot.default.conf").read_text().splitlines()
    assignments = [line for line in lines if line and not line.startswith("#")]
    assert len(assignments) == len(settings.DEFAULTS)
    assert not [line for line in assignments if any(c in line for c in "\"' \t$")]


def test_sample_only_contains_comments() -> None:
    path = ETC / "pot.conf.sample"
    text = path.read_text()
    assert settings.parse(text, str(path)) == {}
    assert all(line.startswith("#") for line in text.splitlines() if line.strip())


def test_sample_shows_every_key_and_its_examples_are_valid() -> None:
    text = (ETC / "pot.conf.sample").read_text()
    shown = {m.group(1) for m in _COMMENTED_KEY.finditer(text)}
    assert set(settings.DEFAULTS) <= shown
    uncommented = "\n".join(line[2:] for line in text.splitlines() if _COMMENTED_KEY.match(line))
    values = settings.parse(uncommented, "sample")
    assert values["POT_EXTRA_EXTIF"] == "vlan20 vlan50"
    assert values["POT_NETWORK_vlan20"] == "192.168.100.0/24"
