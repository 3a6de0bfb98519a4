"""Entry point of every stand-in: record the call, apply injected failures, then behave.

Usage (from a generated wrapper named after the tool): ``main("jail")``. The argv is
appended as ``{"tool": ..., "argv": [...]}`` to ``$POT_STANDIN_LOG`` before anything
else happens, so even rejected calls are visible to the tests.

Failure injection, in the state directory:
* ``<tool>.rc`` / ``<tool>.out`` / ``<tool>.err``: when any of them exists, the tool
  prints the texts and exits with the status (default 0) instead of behaving;
* ``overrides.json``: a list of ``{"tool", "prefix", "rc", "out", "err", "times"}``;
  the first entry whose tool matches and whose ``prefix`` starts the arguments answers
  the call (``times``, when set, counts down to zero and then the entry is spent).

Exit status 70 means the stand-in does not simulate what was asked (the real tool
might well accept it): extend the stand-in rather than the test.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import sys
from pathlib import Path

from standins.state import LOG_ENV, ToolError, locked, state_dir

# tool name -> module that implements it (each module has run(tool, args) -> int)
TOOLS: dict[str, str] = {
    "jail": "jails",
    "jls": "jails",
    "jexec": "jails",
    "ifconfig": "netif",
    "pfctl": "pf",
    "mount": "mounts",
    "mount_nullfs": "mounts",
    "umount": "mounts",
    "devfs": "mounts",
    "sysctl": "system",
    "rctl": "system",
    "cpuset": "system",
    "sysrc": "system",
    "service": "system",
    "logger": "system",
    "kldload": "system",
    "kldstat": "system",
    "freebsd-version": "system",
    "chflags": "system",
    "top": "system",
    "posixshmcontrol": "system",
    "fetch": "files",
    "sha256": "files",
    "signify": "files",
    "pkill": "procs",
    "pgrep": "procs",
    "daemon": "procs",
    "script": "procs",
    "sockstat": "procs",
}


def main(tool: str, argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        _record(tool, args)
        injected = _injected(tool, args)
        if injected is not None:
            return injected
        module = importlib.import_module(f"standins.{TOOLS[tool]}")
        rc: int = module.run(tool, args)
        return rc
    except ToolError as exc:
        sys.stdout.flush()
        for line in exc.lines:
            sys.stderr.write(line + "\n")
        return exc.rc


def _record(tool: str, args: list[str]) -> None:
    log = os.environ.get(LOG_ENV)
    if not log:
        raise ToolError(f"standin: {LOG_ENV} is not set", rc=70)
    line = json.dumps({"tool": tool, "argv": args}) + "\n"
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _injected(tool: str, args: list[str]) -> int | None:
    folder = state_dir()
    files = {ext: folder / f"{tool}.{ext}" for ext in ("rc", "out", "err")}
    if any(p.exists() for p in files.values()):
        rc = int(files["rc"].read_text().strip() or "0") if files["rc"].exists() else 0
        out = files["out"].read_text() if files["out"].exists() else ""
        err = files["err"].read_text() if files["err"].exists() else ""
        return _answer(rc, out, err)
    return _rule(folder / "overrides.json", tool, args)


def _rule(path: Path, tool: str, args: list[str]) -> int | None:
    if not path.exists():
        return None
    with locked(path.with_suffix(".lock")):
        rules = json.loads(path.read_text())
        for rule in rules:
            prefix = rule.get("prefix", [])
            if rule["tool"] != tool or args[: len(prefix)] != prefix:
                continue
            if rule.get("times") is not None:
                if rule["times"] <= 0:
                    continue
                rule["times"] -= 1
                path.write_text(json.dumps(rules))
            return _answer(rule.get("rc", 0), rule.get("out", ""), rule.get("err", ""))
    return None


def _answer(rc: int, out: str, err: str) -> int:
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(err)
    return rc
