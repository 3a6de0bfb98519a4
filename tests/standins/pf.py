"""pfctl(8) of FreeBSD 14 over a simulated pf: the main ruleset and named anchors.

A ruleset has ``nat`` (nat/rdr/binat, what ``-s nat`` shows), ``rules`` (pass/block/
match) and ``anchors`` (the anchor references of the main ruleset). Rules are stored
with macros expanded and are shown normalised the way pfctl prints them for the forms
pot writes (``inet`` after the interface, ``port = N`` in from/to, service names
unless ``-P``). An anchor exists while it is referenced or holds rules.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from pathlib import Path

from standins.state import Json, ToolError, getopt, host, out

USAGE = """usage: pfctl [-AdeghMmNnOPqRrvz] [-a anchor] [-D macro=value] [-F modifier]
	[-f file] [-i interface] [-K host | network]
	[-k host | network | gateway | label | id] [-o level] [-p device]
	[-s modifier] [-t table -T command [address ...]] [-x level]"""

SHOW = (
    "queue",
    "nat",
    "rules",
    "Anchors",
    "Sources",
    "states",
    "info",
    "Interfaces",
    "labels",
    "timeouts",
    "memory",
    "Tables",
    "osfp",
    "Running",
    "all",
    "creatorids",
    "ether",
)
FLUSH = ("nat", "queue", "rules", "Sources", "states", "info", "Tables", "osfp", "Reset", "all")
SERVICES = {
    21: "ftp",
    22: "ssh",
    23: "telnet",
    25: "smtp",
    53: "domain",
    80: "http",
    110: "pop3",
    143: "imap",
    443: "https",
    3306: "mysql",
    5432: "postgresql",
    8080: "http-alt",
}
_NAT_WORDS = ("nat", "rdr", "binat", "no")
_RULE_WORDS = ("pass", "block", "match", "antispoof")
_ANCHOR_WORDS = ("anchor", "nat-anchor", "rdr-anchor", "binat-anchor")
_OPTION_WORDS = ("set", "scrub", "table", "load", "altq", "queue", "ether")
_MACRO = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def run(tool: str, args: list[str]) -> int:
    opts, rest = getopt(tool, args, "a:AdD:eqf:F:ghi:k:K:mMnNOo:Pp:rRs:t:T:vx:z", USAGE)
    if rest:
        raise ToolError(*USAGE.splitlines())
    flags = {k for k, _ in opts}
    values = dict(opts)
    quiet = "q" in flags
    with host() as st:
        if "pf" not in st["modules"]:
            raise ToolError("pfctl: /dev/pf: No such file or directory")
        pf = st["pf"]
        anchor = values.get("a", "").strip("/")
        if "d" in flags:
            _enable(pf, on=False, quiet=quiet)
        if "F" in flags:
            _flush(pf, anchor, _lookup(values["F"], FLUSH, "flush"), quiet=quiet)
        if "f" in flags:
            _load(pf, anchor, values["f"], dry_run="n" in flags)
        if "s" in flags:
            what = _lookup(values["s"], SHOW, "show")
            out(_show(pf, anchor, what, numeric="P" in flags, verbose="v" in flags))
        if "e" in flags:
            _enable(pf, on=True, quiet=quiet)
    return 0


def _lookup(word: str, table: tuple[str, ...], what: str) -> str:
    for name in table:
        if name.startswith(word):
            return name
    raise ToolError(f"pfctl: Unknown {what} modifier '{word}'", *USAGE.splitlines())


def _enable(pf: Json, *, on: bool, quiet: bool) -> None:
    if pf["enabled"] == on:
        raise ToolError("pfctl: pf already enabled" if on else "pfctl: pf not enabled")
    pf["enabled"] = on
    if not quiet:
        sys.stderr.write("pf enabled\n" if on else "pf disabled\n")


def _ruleset(pf: Json, anchor: str, *, create: bool = False) -> Json | None:
    if not anchor:
        main: Json = pf["main"]
        return main
    if create:
        pf["anchors"].setdefault(anchor, {"nat": [], "rules": []})
    ruleset: Json | None = pf["anchors"].get(anchor)
    return ruleset


def _flush(pf: Json, anchor: str, what: str, *, quiet: bool) -> None:
    ruleset = _ruleset(pf, anchor)
    parts = {"nat": ["nat"], "rules": ["rules"], "all": ["nat", "rules"]}.get(what, [])
    if ruleset is not None:
        for part in parts:
            ruleset[part] = []
            if not quiet:
                label = {"nat": "nat", "rules": "rules"}[part]
                sys.stderr.write(f"{label} cleared\n")
        if not anchor and "rules" in parts:
            ruleset["anchors"] = []
    _forget_empty(pf)


def _forget_empty(pf: Json) -> None:
    """pf drops an anchor that has no rules and is not referenced."""
    referenced = _referenced(pf)
    for name in list(pf["anchors"]):
        ruleset = pf["anchors"][name]
        if not ruleset["nat"] and not ruleset["rules"] and name not in referenced:
            del pf["anchors"][name]


def _referenced(pf: Json) -> set[str]:
    return {ref["name"].rstrip("/*").rstrip("/") for ref in pf["main"]["anchors"]}


def _load(pf: Json, anchor: str, source: str, *, dry_run: bool) -> None:
    if source == "-":
        text, name = sys.stdin.read(), "stdin"
    else:
        try:
            text, name = Path(source).read_text(), source
        except OSError as exc:
            if anchor:
                raise ToolError(f"pfctl: {source}: {exc.strerror}") from None
            raise ToolError(
                f"pfctl: cannot open the main config file!: {exc.strerror}",
                "pfctl: Syntax error in config file: pf rules not loaded",
            ) from None
    parsed = _parse(text, name)
    if dry_run:
        return
    if anchor:
        ruleset = _ruleset(pf, anchor, create=True)
        assert ruleset is not None
        ruleset["nat"], ruleset["rules"] = parsed["nat"], parsed["rules"]
    else:
        pf["main"] = parsed
    _forget_empty(pf)


def _parse(text: str, source: str) -> Json:
    macros: dict[str, str] = {}
    parsed: Json = {"nat": [], "rules": [], "anchors": []}
    errors: list[str] = []
    for number, line in _logical_lines(text):
        macro = _MACRO.match(line)
        if macro and macro.group(1) not in _NAT_WORDS + _RULE_WORDS:
            macros[macro.group(1)] = _unquote(_expand(macro.group(2), macros, source, number))
            continue
        try:
            rule = _expand(line, macros, source, number)
        except ToolError as exc:
            errors.extend(exc.lines)
            continue
        words = rule.split()
        word = words[0]
        if word in _NAT_WORDS and _is_translation(words):
            parsed["nat"].append(rule)
        elif word in _RULE_WORDS and _is_filter(words):
            parsed["rules"].append(rule)
        elif word in _ANCHOR_WORDS and len(words) == 2 and _ANCHOR.match(_unquote(words[1])):
            parsed["anchors"].append({"kind": word, "name": _unquote(words[1])})
        elif word not in _OPTION_WORDS:
            errors.append(f"{source}:{number}: syntax error")
    if errors:
        raise ToolError(*errors, "pfctl: Syntax error in config file: pf rules not loaded")
    return parsed


# ---------------------------------------------------------------- grammar
#
# The rules pot loads, as pf.conf(5) defines them; anything else is a syntax error:
#   nat [pass] [on IF] [inet|inet6] [proto P] from ADDR [port P] to ADDR [port P] -> ADDR [port P]
#   rdr [pass] [on IF] [inet|inet6] [proto P] from ADDR [port P] to ADDR [port P] -> ADDR [port P]
#   pass|block [in|out] [log] [quick] [on IF] [inet|inet6] [proto P] (all | from .. to ..) [STATE]
# (binat and antispoof, which pot never writes, are not modelled.)

_ANCHOR = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*(/\*)?$")
_INTERFACE = re.compile(r"^[a-z][a-z0-9_.]*[0-9]+[ab]?$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PROTOS = ("tcp", "udp", "icmp", "icmp6", "sctp")
_STATES = (["keep", "state"], ["modulate", "state"], ["synproxy", "state"], ["no", "state"])


def _is_translation(words: list[str]) -> bool:
    if words[0] == "no":
        words = words[1:]
        if not words or words[0] not in ("nat", "rdr"):
            return False
    header = _after_header(words, 1)
    at = None if header is None else _after_from_to(words, header)
    if at is None or words[at : at + 1] != ["->"] or len(words) <= at + 1:
        return False
    if not _is_address(words[at + 1]):
        return False
    rest = words[at + 2 :]
    return rest == [] or (len(rest) == 2 and rest[0] == "port" and _is_port(rest[1]))


def _is_filter(words: list[str]) -> bool:
    if words[0] not in ("pass", "block"):
        return True  # match, antispoof: not modelled
    at = 1
    if words[at : at + 1] in (["in"], ["out"]):
        at += 1
    for optional in ("log", "quick"):
        if words[at : at + 1] == [optional]:
            at += 1
    header = _after_header(words, at, skip_pass=False)
    if header is None:
        return False
    end = header + 1 if words[header : header + 1] == ["all"] else _after_from_to(words, header)
    if end is None:
        return False
    rest = words[end:]
    return rest == [] or rest in _STATES


def _after_header(words: list[str], at: int, *, skip_pass: bool = True) -> int | None:
    """The index after ``[pass] [on IF] [inet|inet6] [proto P]``; None when malformed."""
    if skip_pass and words[at : at + 1] == ["pass"]:
        at += 1
    if words[at : at + 1] == ["on"]:
        if len(words) <= at + 1 or not _INTERFACE.match(words[at + 1]):
            return None
        at += 2
    if words[at : at + 1] in (["inet"], ["inet6"]):
        at += 1
    if words[at : at + 1] == ["proto"]:
        if len(words) <= at + 1 or words[at + 1] not in _PROTOS:
            return None
        at += 2
    return at


def _after_from_to(words: list[str], at: int) -> int | None:
    """The index after ``from ADDR [port P] to ADDR [port P]``; None when malformed."""
    for keyword in ("from", "to"):
        if words[at : at + 1] != [keyword] or len(words) <= at + 1:
            return None
        if not _is_address(words[at + 1]):
            return None
        at += 2
        if words[at : at + 1] == ["port"]:
            if len(words) <= at + 1:
                return None
            if words[at + 1] == "=" and len(words) > at + 2:
                at += 1
            if not _is_port(words[at + 1]):
                return None
            at += 2
    return at


def _is_address(word: str) -> bool:
    """any, an address or network, an interface's (``(em0)``, ``(em0:0)``) or a table."""
    if word == "any" or (word.startswith("<") and word.endswith(">")):
        return True
    if word.startswith("(") and word.endswith(")"):
        name, _, number = word[1:-1].partition(":")
        return bool(_INTERFACE.match(name)) and (number in ("", "0") or number == "network")
    try:
        ipaddress.ip_network(word, strict=False)
    except ValueError:
        return bool(_INTERFACE.match(word))
    return True


def _is_port(word: str) -> bool:
    first, _, last = word.partition(":")
    if first.isdigit() and (not last or last.isdigit()):
        return all(0 < int(p) < 65536 for p in (first, last or first))
    return not last and bool(_NAME.match(word))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            lines.append((start, line))
    return lines


def _expand(text: str, macros: dict[str, str], source: str, number: int) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ToolError(f"{source}:{number}: macro '{name}' not defined")
        return macros[name]

    return re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", one, text)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


# ---------------------------------------------------------------- show


def _show(pf: Json, anchor: str, what: str, *, numeric: bool, verbose: bool) -> str:
    if what == "info":
        return _info(pf)
    if what == "Anchors":
        return "".join(f"  {name}\n" for name in _anchors(pf, anchor, recursive=verbose))
    if what not in ("nat", "rules", "all"):
        return ""
    ruleset = _ruleset(pf, anchor)
    if ruleset is None:
        return ""
    lines = []
    if what in ("nat", "all"):
        lines += [_normalise(r, numeric=numeric) for r in ruleset["nat"]]
        if not anchor:
            lines += [
                f'{ref["kind"]} "{ref["name"]}" all'
                for ref in ruleset["anchors"]
                if ref["kind"] != "anchor"
            ]
    if what in ("rules", "all"):
        lines += [_normalise(r, numeric=numeric) for r in ruleset["rules"]]
        if not anchor:
            lines += [
                f'anchor "{ref["name"]}" all'
                for ref in ruleset["anchors"]
                if ref["kind"] == "anchor"
            ]
    return "".join(line + "\n" for line in lines)


def _anchors(pf: Json, parent: str, *, recursive: bool) -> list[str]:
    names = set(pf["anchors"]) | _referenced(pf)
    # every prefix of an existing anchor path exists too
    for name in list(names):
        parts = name.split("/")
        names.update("/".join(parts[:i]) for i in range(1, len(parts)))
    if parent:
        prefix = parent + "/"
        children = [n for n in names if n.startswith(prefix)]
    else:
        children = list(names)
    if not recursive:
        depth = parent.count("/") + 1 if parent else 0
        children = [n for n in children if n.count("/") == depth]
    return sorted(children)


def _normalise(rule: str, *, numeric: bool) -> str:
    words = rule.split()
    family = _family(words)
    if words[0] in ("nat", "rdr", "binat") or words[:2] in (["rdr", "pass"], ["nat", "pass"]):
        words = _with_family(words, family)
    result = []
    translated = False
    i = 0
    while i < len(words):
        word = words[i]
        if word == "->":
            translated = True
        if word == "port" and i + 1 < len(words) and not translated:
            target = words[i + 1]
            if target.isdigit():
                port = int(target)
                shown = str(port) if numeric else SERVICES.get(port, str(port))
                result += ["port", "=", shown]
                i += 2
                continue
        result.append(word)
        i += 1
    return " ".join(result)


def _family(words: list[str]) -> str | None:
    for word in words:
        candidate = word.strip("(){}<>,")
        try:
            version = ipaddress.ip_network(candidate, strict=False).version
        except ValueError:
            continue
        return "inet" if version == 4 else "inet6"
    return None


def _with_family(words: list[str], family: str | None) -> list[str]:
    if family is None or "inet" in words or "inet6" in words:
        return words
    if "on" in words:
        at = words.index("on") + 2
        return [*words[:at], family, *words[at:]]
    at = 2 if words[:2] == ["rdr", "pass"] else 1
    return [*words[:at], family, *words[at:]]


def _info(pf: Json) -> str:
    status = "Enabled" if pf["enabled"] else "Disabled"
    return (
        f"Status: {status} for 0 days 00:00:00           Debug: Urgent\n"
        "\n"
        "State Table                          Total             Rate\n"
        "  current entries                        0               \n"
        "  searches                               0            0.0/s\n"
        "  inserts                                0            0.0/s\n"
        "  removals                               0            0.0/s\n"
    )
