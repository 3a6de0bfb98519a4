"""The network commands: vnet-start and create-private-bridge."""

from __future__ import annotations

from pathlib import Path

from pot import lock, model, net, potconf
from pot.errors import AlreadyExists, ConfigError, InvalidName, PotError
from pot.net import addresses
from pot.ops.common import Authorize, allowed
from pot.settings import Settings


def vnet_start(s: Settings, bridge: str = "", *, authorize: Authorize = allowed) -> None:
    """Check the configuration, ``authorize``, then bring up bridges and pf NAT.

    An unknown ``bridge`` is only reported (upstream's vnet-start exits 0 then).
    """
    net.check_vnet_config(s)
    authorize()
    try:
        s.tmp.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PotError("The POT_TMP directory is not available - aborting") from exc
    net.vnet_start(s, bridge or None)


def create_private_bridge(
    s: Settings, name: str, size: str, *, authorize: Authorize = allowed
) -> Path:
    """Write ``POT_FS_ROOT/bridges/<name>`` for the first free subnet of ``size`` hosts.

    Runs under the global lock, like every allocation of addresses. Returns the file.
    """
    with lock.global_lock(s.lock_file):
        if not name:
            raise PotError("A bridge name is mandatory (-B option)")
        if not size:
            raise PotError("The amount of host is mandatory (-S option)")
        if name in (".", "..") or "/" in name:
            raise InvalidName(f"{name} is not a valid bridge name")
        path = model.bridges_dir(s) / name
        if path.exists():
            raise AlreadyExists(f"A bridge with name {name} already exists")
        authorize()
        path.parent.mkdir(parents=True, exist_ok=True)
        bridge = _new_net(s, size)
        # upstream writes potnet's empty answer and a bridge file without net (fixed)
        if bridge is None:
            raise PotError(f"Not able to get a valid network with size {size}")
        potconf.atomic_write(path, f"net={bridge.net}\ngateway={bridge.gateway}\nname={name}\n")
        return path


def _new_net(s: Settings, size: str) -> addresses.Bridge | None:
    try:
        return addresses.new_net(s, int(size))
    except (ValueError, ConfigError):
        return None
