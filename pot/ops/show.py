"""pot show: disk usage of pots and, for running ones, memory, CPUs and port redirections.

The sizes of every pot, base and fscomp come from one ``zfs list`` of POT_ZFS_ROOT;
datasets mounted into a pot from elsewhere are asked for one by one, as upstream does.
"""

from __future__ import annotations

from collections.abc import Mapping

from pot import jail, model, potconf, rctl, zfs
from pot.errors import CommandFailed, ConfigError, UsageError
from pot.net import pfctl
from pot.ops import common
from pot.potconf import PotConf
from pot.pottype import PotType
from pot.record import record
from pot.settings import Settings


@record
class Runtime:
    """What show adds for a running pot; without root only ``root`` is known (False)."""

    root: bool
    racct: bool = False
    virtual_memory: str = ""
    physical_memory: str = ""
    cpus: str = ""  # pot.rss.cpus; "" when no CPU limit is set
    allocated_cpus: str = ""
    redirections: tuple[str, ...] | None = None  # None: the pot has no rdr anchor


@record
class PotUsage:
    """One pot's block: its disk usage, with ``verbose`` its base's and its datasets'."""

    name: str
    disk_usage: str
    base_usage: str | None = None  # verbose and multi only
    datasets: tuple[tuple[str, str], ...] = ()  # verbose: (dataset below the root, used)
    runtime: Runtime | None = None  # running pots only


def choose(s: Settings, pot: str, *, all_pots: bool, running: bool) -> list[str]:
    """The pots ``-p``, ``-a`` or ``-r`` (the default) select, with upstream's errors."""
    if sum((bool(pot), all_pots, running)) > 1:
        raise UsageError("-p -r -a are mutually exclusive")
    if pot:
        common.check_pot(s, pot, f"{pot} is not a valid pot")
        return [pot]
    names = common.pot_names(s)
    if all_pots:
        return names
    # one jls for all pots, not one per pot
    up = set(jail.running_names()) if names else set()
    return [p for p in names if p in up]


def usage(
    s: Settings, pots: list[str], *, verbose: bool = False, root: bool = True
) -> list[PotUsage]:
    """The show block of every pot; ``root`` says whether runtime data may be read."""
    if not pots:
        return []
    sizes = zfs.used_tree(s.zfs_root)
    # one jls for all pots, not one per pot
    running = frozenset(jail.running_names())
    return [_pot_usage(s, pot, sizes, running, verbose=verbose, root=root) for pot in pots]


def _pot_usage(
    s: Settings,
    pot: str,
    sizes: Mapping[str, str],
    running: frozenset[str],
    *,
    verbose: bool,
    root: bool,
) -> PotUsage:
    conf = common.read_conf_or_empty(s, pot)
    usage_ = PotUsage(pot, sizes.get(model.pot_dataset(s, pot), ""))
    if verbose:
        base = conf.get("pot.base") or ""
        multi = common.pot_type(conf) is PotType.MULTI
        usage_ = PotUsage(
            pot,
            usage_.disk_usage,
            sizes.get(model.base_dataset(s, base), "") if multi else None,
            _foreign_datasets(s, pot, base, sizes),
        )
    if pot not in running:
        return usage_
    return PotUsage(
        pot, usage_.disk_usage, usage_.base_usage, usage_.datasets, _runtime(s, pot, conf, root)
    )


def _foreign_datasets(
    s: Settings, pot: str, base: str, sizes: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """fscomp.conf datasets that are neither the pot's nor its base's, with their size."""
    try:
        entries = potconf.read_fscomp(model.fscomp_conf_path(s, pot))
    except ConfigError:
        return ()
    own = (model.pot_dataset(s, pot), model.base_dataset(s, base))
    out: list[tuple[str, str]] = []
    for entry in entries:
        # upstream compares plain string prefixes, so jails/<pot>2 counts as the pot's too
        if entry.is_directory or entry.source.startswith(own):
            continue
        label = entry.source.removeprefix(s.zfs_root + "/")
        out.append((label, sizes.get(entry.source) or _used(entry.source)))
    return tuple(out)


def _used(dataset: str) -> str:
    try:
        return zfs.used(dataset)
    except CommandFailed:
        return ""  # upstream prints the empty output of the failed zfs list


def _runtime(s: Settings, pot: str, conf: PotConf, root: bool) -> Runtime:
    if not root:
        return Runtime(root=False)
    racct = rctl.racct_enabled()
    memory = rctl.usage(pot, human=True) if racct else {}
    cpus = conf.get("pot.rss.cpus") or ""
    return Runtime(
        root=True,
        racct=racct,
        virtual_memory=memory.get("vmemoryuse", ""),
        physical_memory=memory.get("memoryuse", ""),
        cpus=cpus,
        allocated_cpus=rctl.jail_cpus(pot) if cpus else "",
        redirections=_redirections(pot, conf),
    )


def _redirections(pot: str, conf: PotConf) -> tuple[str, ...] | None:
    """The pot's rdr rules, shortened as upstream prints them; None without its anchor."""
    if conf.get("network_type") != "public-bridge":
        return None
    anchor = f"{pfctl.RDR_ANCHOR}/{pfctl.anchor_name(pot)}"
    if not any(a.endswith(anchor) for a in pfctl.anchors(pfctl.RDR_ANCHOR)):
        return None
    ip = conf.raw("ip") or ""
    return tuple(
        shorten_rdr_rule(rule) for rule in pfctl.translation_rules(anchor) if f" {ip} " in rule
    )


def shorten_rdr_rule(rule: str) -> str:
    """``rdr pass on em0 inet proto tcp from any to 1.2.3.4 port = 80 -> 10.0.0.2 port 80``
    becomes ``1.2.3.4 port 80 -> 10.0.0.2 port 80`` (udp rules keep their head, as upstream).
    """
    marker = " inet proto tcp from any to "
    if rule.startswith("rdr pass on ") and marker in rule:
        rule = rule[rule.rindex(marker) + len(marker) :]
    return rule.replace(" =", "").strip()
