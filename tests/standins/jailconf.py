"""A jail.conf(5) reader: enough of the grammar for ``jail -f <file|-> -r <name>``.

Blocks ``name { ... }`` and ``* { ... }``, parameters outside blocks, ``name;``,
``name = value;``, ``name += value;``, comma-separated values, double-quoted strings
with backslash escapes, single-quoted strings, ``#``, ``//`` and ``/* */`` comments,
and ``$name`` / ``${name}`` variables (``$name`` is the jail's name).
"""

from __future__ import annotations

import re

from standins.state import ToolError

# (parameter, values, append) in file order; values is None for "name;"
Statement = tuple[str, list[str] | None, bool]

_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_.]+)\}|([A-Za-z0-9_.]+))")


def parse(text: str, source: str) -> dict[str, list[Statement]]:
    """Statements per section: "" (global), "*" (wildcard) and each jail name."""
    tokens = _tokens(text, source)
    sections: dict[str, list[Statement]] = {"": [], "*": []}
    current = ""
    i = 0
    while i < len(tokens):
        tok, quoted = tokens[i]
        if tok == "}" and not quoted:
            if current == "":
                raise ToolError(f"{source}: syntax error near '}}'")
            current = ""
            i += 1
            continue
        if i + 1 < len(tokens) and tokens[i + 1] == ("{", False):
            current = tok
            sections.setdefault(current, [])
            i += 2
            continue
        statement, i = _statement(tokens, i, source)
        sections[current].append(statement)
    if current:
        raise ToolError(f"{source}: syntax error: missing '}}'")
    return sections


def _statement(tokens: list[tuple[str, bool]], i: int, source: str) -> tuple[Statement, int]:
    name = tokens[i][0]
    i += 1
    if i < len(tokens) and tokens[i] == (";", False):
        return (name, None, False), i + 1
    if i >= len(tokens) or tokens[i][0] not in ("=", "+=") or tokens[i][1]:
        raise ToolError(f"{source}: syntax error near '{name}'")
    append = tokens[i][0] == "+="
    values: list[str] = []
    i += 1
    while i < len(tokens):
        values.append(tokens[i][0])
        i += 1
        if i < len(tokens) and tokens[i] == (",", False):
            i += 1
            continue
        break
    if i >= len(tokens) or tokens[i] != (";", False):
        raise ToolError(f"{source}: syntax error: missing ';' after {name}")
    return (name, values, append), i + 1


def _tokens(text: str, source: str) -> list[tuple[str, bool]]:
    tokens: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i)
            if end < 0:
                raise ToolError(f"{source}: unterminated comment")
            i = end + 2
        elif text.startswith("+=", i):
            tokens.append(("+=", False))
            i += 2
        elif ch in "{};=,":
            tokens.append((ch, False))
            i += 1
        elif ch == '"':
            value, i = _double_quoted(text, i + 1, source)
            tokens.append((value, True))
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ToolError(f"{source}: unterminated quote")
            tokens.append((text[i + 1 : end], True))
            i = end + 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in "{};=,\"'":
                if text.startswith("+=", j):
                    break
                j += 1
            tokens.append((text[i:j], False))
            i = j
    return tokens


def _double_quoted(text: str, i: int, source: str) -> tuple[str, int]:
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "\n": ""}
    chars: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            chars.append(escapes.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if ch == '"':
            return "".join(chars), i + 1
        chars.append(ch)
        i += 1
    raise ToolError(f"{source}: unterminated quote")


def statements_for(sections: dict[str, list[Statement]], jail: str) -> list[Statement]:
    """Global, then wildcard, then the jail's own statements, variables expanded."""
    merged = sections[""] + sections["*"] + sections.get(jail, [])
    scope: dict[str, str] = {"name": jail}
    result: list[Statement] = []
    for name, values, append in merged:
        expanded = None if values is None else [_expand(v, scope) for v in values]
        if expanded is not None:
            scope[name] = ",".join(expanded)
        result.append((name, expanded, append))
    return result


def _expand(value: str, scope: dict[str, str]) -> str:
    return _VAR.sub(lambda m: scope.get(m.group(1) or m.group(2), ""), value)
