"""Resource accounting: rctl(8), the sysctls it depends on, and a jail's CPU set (cpuset)."""

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


def usage(jail_name: str, *, human: bool = False) -> dict[str, str]:
    """The resource usage of a jail (``rctl -u jail:<name>``); ``human``: ``-h`` (``10M``)."""
    argv = ["rctl", "-hu" if human else "-u", f"jail:{jail_name}"]
    return parse_usage(proc.run(argv, check=False).stdout)


def parse_cpuset(text: str) -> str:
    """The CPU list of ``cpuset -g`` output (``0,1``), as upstream cuts it.

    Upstream drops the ``domain`` lines, keeps what follows the first ``:`` up to a
    second one, and deletes blanks; several lines stay separate lines.
    """
    kept = [line for line in text.splitlines() if "domain" not in line]
    # cut passes a line without the delimiter through whole
    fields = [line.split(":")[1] if ":" in line else line for line in kept]
    return "\n".join("".join(field.split()) for field in fields)


def jail_cpus(jail_name: str) -> str:
    """The CPUs a running jail may use (``cpuset -g -j <name>``), e.g. ``0,1``."""
    return parse_cpuset(proc.run(["cpuset", "-g", "-j", jail_name], check=False).stdout)
