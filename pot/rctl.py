"""Resource accounting: rctl(8), the sysctls it depends on, and a jail's CPU set (cpuset)."""

from __future__ import annotations

from pot import proc

TYPE_CHECKING = False
if TYPE_CHECKING:  # get-rss runs every second: collections is not loaded at start-up
    from collections.abc import Sequence


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


def least_loaded(count: int, ncpu: int, pinned: Sequence[str]) -> str:
    """potcpu's ``get-cpu -n count``: the ``count`` CPUs fewest pinned jails use (comma list).

    ``pinned`` holds the CPU lists of the running jails; a jail that may use every CPU
    loads none in particular. Empty when count is not below the number of CPUs.
    """
    if count <= 0 or count >= ncpu:
        return ""
    load = dict.fromkeys(range(ncpu), 0)
    for cpus in pinned:
        chosen = {int(c) for c in cpus.split(",") if c.isdigit() and int(c) < ncpu}
        if len(chosen) < ncpu:
            for cpu in chosen:
                load[cpu] += 1
    best = sorted(load, key=lambda cpu: (load[cpu], cpu))[:count]
    return ",".join(str(cpu) for cpu in sorted(best))


def ncpu() -> int:
    text = sysctl("hw.ncpu")
    return int(text) if text.isdigit() else 1


def pin(jid: int, cpus: str) -> None:
    """``cpuset -l <cpus> -j <jid>`` (an empty list fails, ignored as upstream)."""
    proc.run(["cpuset", "-l", cpus, "-j", str(jid)], check=False, show_errors=True)


def limit_memory(jail_name: str, value: str) -> bool:
    """``rctl -a jail:<name>:memoryuse:deny=<value>``; whether rctl accepted it."""
    argv = ["rctl", "-a", f"jail:{jail_name}:memoryuse:deny={value}"]
    return proc.run(argv, check=False, show_errors=True).ok


def remove_rules(jail_name: str) -> None:
    """``rctl -r jail:<name>``: drop every rule of the jail (upstream never does)."""
    proc.run(["rctl", "-r", f"jail:{jail_name}"], check=False)
