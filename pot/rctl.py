"""Resource accounting: rctl(8) and the sysctls it depends on."""

from __future__ import annotations

from pot import proc


def sysctl(name: str, *, quiet: bool = False) -> str:
    """``sysctl -n [-q] <name>``; "" when it cannot be read."""
    argv = ["sysctl", "-qn" if quiet else "-n", name]
    result = proc.run(argv, check=False)
    return result.stdout.strip() if result.ok else ""


def racct_enabled() -> bool:
    """Upstream's ``_is_rctl_available``: ``kern.racct.enable`` is 1."""
    return sysctl("kern.racct.enable", quiet=True) == "1"


def parse_usage(text: str) -> dict[str, str]:
    """``rctl -u`` output (``resource=value`` per line) as a dict."""
    usage: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split("=")
        # upstream: grep ^<key> | cut -d= -f2, i.e. the text up to a second "="
        if len(fields) > 1 and fields[0] not in usage:
            usage[fields[0]] = fields[1]
    return usage


def usage(jail_name: str) -> dict[str, str]:
    """The raw resource usage of a jail (``rctl -u jail:<name>``)."""
    return parse_usage(proc.run(["rctl", "-u", f"jail:{jail_name}"], check=False).stdout)
