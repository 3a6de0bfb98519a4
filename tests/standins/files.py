"""fetch(1), sha256(1) and signify(1) of FreeBSD.

fetch never touches the network: ``file://`` URLs are read directly and any other URL
must have been served by the test (``state["urls"]``: URL -> local file), else it is
"Not Found" as a web server would answer. signify is the real OpenBSD tool
(Debian names it signify-openbsd), called after the argv is recorded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from standins.state import ToolError, getopt, host, out

FETCH_USAGE = """usage: fetch [-146AadFlMmnPpqRrsUv] [-B bytes] [--bind-address=host]
       [--ca-cert=file] [--ca-path=dir] [--cert=file] [--crl=file]
       [-i file] [--key=file] [-N file] [--no-passive] [--no-proxy=list]
       [--no-sslv3] [--no-tlsv1] [--no-verify-hostname] [--no-verify-peer]
       [-o file] [--referer=URL] [-S bytes] [-T seconds]
       [--user-agent=agent-string] [-w seconds] URL ..."""
# Debian's /usr/bin/signify is an unrelated mail tool
SIGNIFY = ("/usr/bin/signify-openbsd", "/usr/local/bin/signify")


def run(tool: str, args: list[str]) -> int:
    if tool == "fetch":
        return _fetch(args)
    if tool == "sha256":
        return _sha256(args)
    return _signify(args)


def _fetch(args: list[str]) -> int:
    options, urls = _fetch_options(args)
    output = options.get("o")
    if not urls:
        raise ToolError(*FETCH_USAGE.splitlines())
    status = 0
    for url in urls:
        target = output or Path(urlparse(url).path).name
        if output and os.path.isdir(output):
            target = os.path.join(output, Path(urlparse(url).path).name)
        try:
            _fetch_one(url, target, mirror="m" in options)
        except ToolError as exc:
            for line in exc.lines:
                sys.stderr.write(line + "\n")
            status = 1
    return status


def _fetch_options(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """fetch parses with getopt_long, so options may follow the URLs."""
    with_value = set("BiNoSTw")
    long_with_value = {
        "output": "o",
        "bind-address": "",
        "ca-cert": "",
        "ca-path": "",
        "cert": "",
        "crl": "",
        "key": "",
        "no-proxy": "",
        "referer": "",
        "user-agent": "",
    }
    options: dict[str, str] = {}
    urls: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--"):
            name, eq, val = arg[2:].partition("=")
            if name in long_with_value and not eq:
                i += 1
                if i >= len(args):
                    raise ToolError(*FETCH_USAGE.splitlines())
                val = args[i]
            if long_with_value.get(name):
                options[long_with_value[name]] = val
        elif arg.startswith("-") and len(arg) > 1:
            opts, _ = getopt(
                "fetch",
                [arg, *args[i + 1 : i + 2]],
                "146AadFlMmnPpqRrsUvB:i:N:o:S:T:w:",
                FETCH_USAGE,
            )
            options.update(opts)
            if arg[-1] in with_value and len(arg) == 2:
                i += 1
        else:
            urls.append(arg)
        i += 1
    return options, urls


def _fetch_one(url: str, target: str, *, mirror: bool) -> None:
    source = _source(url)
    if source is None or not source.is_file():
        raise ToolError(f"fetch: {url}: Not Found")
    if mirror and os.path.exists(target) and os.path.getsize(target) == source.stat().st_size:
        return
    tmp = f"{target}.fetch"
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise ToolError(f"fetch: {target}: {exc.strerror}") from None


def _source(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    with host(write=False) as st:
        local = st["urls"].get(url)
    return Path(local) if local else None


def _sha256(args: list[str]) -> int:
    opts, rest = getopt(
        "sha256", args, "bc:pqrs:tx", "usage: sha256 [-pqrtx] [-c string] [-s string] [files ...]"
    )
    flags = dict(opts)
    if "s" in flags:
        digest = hashlib.sha256(flags["s"].encode()).hexdigest()
        out(f"{digest}\n" if "q" in flags else f'SHA256 ("{flags["s"]}") = {digest}\n')
        return 0
    status = 0
    for name in rest or ["-"]:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            sys.stderr.write(f"sha256: {name}: {exc.strerror}\n")
            status = 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        if "q" in flags or name == "-":
            out(f"{digest}\n")
        elif "r" in flags:
            out(f"{digest} {name}\n")
        else:
            out(f"SHA256 ({name}) = {digest}\n")
    return status


def _signify(args: list[str]) -> int:
    for candidate in SIGNIFY:
        if os.access(candidate, os.X_OK):
            sys.stdout.flush()
            os.execv(candidate, ["signify", *args])
    raise ToolError(
        "signify: the real signify is not installed (apt-get install signify-openbsd)", rc=70
    )
