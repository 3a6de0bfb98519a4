"""pot config: named items of the framework configuration, as upstream prints them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from pot.errors import InvalidName, worded
from pot.record import record
from pot.settings import Settings


@record
class ConfigItem:
    """One item: upstream prints ``<label> = <value>``, or only the value when quiet."""

    label: str
    value: str


def _syslogd(s: Settings) -> str:
    # the flags syslogd needs to accept the pots' messages on the bridge network
    return f"-b 127.0.0.1 -b {s.get('POT_GATEWAY')} -a {s.get('POT_NETWORK')}"


# name -> (label, value); values are the configured strings, joined as upstream does
# (no path normalisation), so a trailing slash in POT_FS_ROOT shows as it is
_ITEMS: Mapping[str, tuple[str, Callable[[Settings], str]]] = MappingProxyType(
    {
        "fs_root": ("fs_root", lambda s: s.get("POT_FS_ROOT")),
        "zfs_root": ("zfs_root", lambda s: s.get("POT_ZFS_ROOT")),
        "gateway": ("gateway", lambda s: s.get("POT_GATEWAY")),
        "syslogd": ("syslogd flags", _syslogd),
        "pot_prefix": ("pot prefix", lambda s: s.get("POT_FS_ROOT") + "/jails"),
        "fscomp_prefix": ("fscomp prefix", lambda s: s.get("POT_FS_ROOT") + "/fscomp"),
        "network_stack": ("network stack", lambda s: s.network_stack),
    }
)


def check_name(name: str) -> None:
    """Raise InvalidName (upstream's ``NO <name> is not a valid name``) for an unknown item."""
    if name not in _ITEMS:
        raise InvalidName(worded("NO", f"{name} is not a valid name"), usage=True)


def get(s: Settings, name: str) -> ConfigItem:
    """The item ``name`` of the configuration; raises InvalidName for an unknown name."""
    check_name(name)
    label, value = _ITEMS[name]
    return ConfigItem(label, value(s))
