"""Only pot.rootpath opens the files of a pot's tree (a link there must never be followed).

A textual guard: code outside pot/rootpath.py that builds a host path to a pot's
``conf/``, ``m/etc``, ``m/tmp`` and the like (``pot_dir(...) / "conf"``,
``pot_root(...) / ...``) would open it with the ordinary, link-following calls. Such
paths are spelt ``model.pot_file(s, pot, "conf/pot.conf")`` and go through rootpath.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pot"

FORBIDDEN = re.compile(
    r'/ "(conf|etc|tmp|hosts|resolv\.conf|rc\.conf|\.last_run_stats|m|fscomp\.conf|pot\.conf)"'
    r"|pot_root\([^)]*\) /"
    r'|pot_dir\([^)]*\) / "'
)

# the module itself, the pure path names, and the places where a path is meant as the
# jail sees it (copy-in, mount-in: resolved by rootpath.resolve first)
ALLOWED = {
    "rootpath.py": None,
    "model.py": None,
    "ops/files.py": ['return model.pot_root(s, pot) / real.removeprefix("/")'],
    # a base's own tree, made from a release by create-base, not a pot's
    "ops/bases.py": [
        '_symlink(root / "etc", "opt/custom/etc")',
        '_symlink(root / "usr" / "local" / "etc", "../../opt/custom/usr.local.etc")',
    ],
    # the host's own configuration (POT_ETC/pot.conf)
    "settings.py": ['conf = folder / "pot.conf"'],
}


def offending_lines() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        allowed = ALLOWED.get(rel, [])
        if allowed is None:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line) and line.strip() not in allowed:
                found.append(f"pot/{rel}:{number}: {line.strip()}")
    return found


def test_no_pot_path_is_opened_outside_rootpath() -> None:
    assert offending_lines() == []
