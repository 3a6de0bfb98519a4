"""pot prepare: import an image once, clone it as a task's pot and customise the clone.

This is the only command nomad-pot-driver uses to make a task's pot. The whole command
runs under the global lock, as upstream's (held until the end, through the ``-s`` start).
In order:

1. The image pot ``<pot>_<tag>`` (``.`` -> ``_``) is imported from the base URL unless it
   is a pot already; it is shared by every pot prepared from it and never removed here.
2. The new pot ``<-n or image>_<-a>`` (``.`` -> ``_``) is cloned from it with the
   network options given.
3. The command, six attributes (non-persistent, no rc script, prunable, localhost
   tunnel, no /etc/hosts enrichment, no tmpfs) and the exported ports (in reverse
   order, as upstream stores them) are set. As upstream, a step that refuses is
   reported with upstream's "- ignoring" line and the others go on (a multi pot cannot
   take ``no-tmpfs``).
4. With ``start``, the pot is started (a non-persistent pot: until its command ends).

Unlike upstream, a failing clone ends the command, and an error, Ctrl-C or SIGTERM after
the clone removes the new pot again: nothing half-made is left behind.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from pot import lock, model, zfs
from pot import log as logging
from pot.errors import InvalidName, PotError, QuietExit, UsageError
from pot.ops import attrs, clone, common, create, imports, lifecycle, network_options
from pot.ops.common import Authorize, allowed
from pot.ops.export import Bar, no_bar
from pot.ops.undo import Undo, undo_on_failure
from pot.record import field, record
from pot.settings import Settings

# typing is imported for type checking only: at run time it costs more than it gives
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")

log = logging.getLogger(__name__)


# nomad-pot-driver's network_mode "host" is pot's inherit
_HOST = "host"
# (attribute, value, upstream's message when it cannot be set), in upstream's order
_ATTRIBUTES = (
    ("persistent", "OFF", "Couldn't disable the persistent attribute - ignoring"),
    ("no-rc-script", "ON", "Couldn't enable the no-rc-script attribute - ignoring"),
    # sic: upstream reports prunable under no-rc-script's name
    ("prunable", "ON", "Couldn't enable the no-rc-script attribute - ignoring"),
    ("localhost-tunnel", "YES", "Couldn't enable the localhost-tunnel attribute - ignoring"),
    ("no-etc-hosts", "YES", "Couldn't disable the enrichment of /etc/hosts - ignoring"),
    ("no-tmpfs", "YES", "Couldn't disable tmpfs for /tmp - ignoring"),
)


class NestedUsageError(PotError):
    """A command prepare runs (import, clone) refused its options: upstream prints that
    command's help, not prepare's, after the lines, then prepare's own ``failure`` line."""

    def __init__(self, command: str, *lines: str, failure: str) -> None:
        super().__init__(*lines)
        self.command = command
        self.failure = failure


@record
class PrepareOptions:
    """A parsed ``pot prepare`` command line; "" (or None, ()) = not given."""

    pot: str = ""
    tag: str = ""
    allocation: str = ""
    url: str | None = None
    name: str = ""
    cmd: str = ""
    ports: tuple[str, ...] = ()
    network_type: str = ""  # after network_type(): host is already inherit
    ips: tuple[str, ...] = ()
    bridge: str = ""
    stack: str = ""
    dns: str = ""
    pubkey: str | None = None  # None: POT_DEFAULT_SIGNATURE_PUBKEY
    start: bool = False
    cwd: Path = field(default_factory=Path.cwd)


@record
class Prepared:
    """The new pot, the image pot it is a clone of, and whether this call imported it."""

    pot: str
    image: str
    imported: bool


# ------------------------------------------------------------------ options


def network_type(value: str) -> str:
    """``-N``: ``host`` means inherit; anything else must be one of pot's four types."""
    mapped = "inherit" if value == _HOST else value
    if mapped not in network_options.NETWORK_TYPES:
        raise UsageError(f"Network type {mapped} not recognized")
    return mapped


def names(o: PrepareOptions) -> tuple[str, str]:
    """(image pot, new pot): ``<pot>_<tag>`` and ``<-n or image>_<-a>``, ``.`` -> ``_``."""
    image = model.imported_pot_name(o.pot, o.tag)
    new = f"{o.name or image}_{o.allocation}".replace(".", "_")
    return image, new


def check(o: PrepareOptions) -> tuple[str, str]:
    """Upstream's checks after its option loop, in its order; returns ``names(o)``."""
    if not o.pot:
        raise UsageError("A pot name is mandatory")
    if not o.tag:
        raise UsageError("A tag is mandatory")
    if not o.allocation:
        raise UsageError("An allocation id is mandatory")
    if o.network_type == "private-bridge" and not o.bridge:
        raise UsageError(
            "A bridge name has to be provided if private-bridge is selected as network-type"
        )
    image, new = names(o)
    # both become dataset names and paths; upstream does not check (a '/' breaks it)
    if not model.valid_pot_name(image):
        raise InvalidName(f"{image} is not a valid name for a pot")
    create.check_pot_name(new)
    return image, new


# ------------------------------------------------------------------ the work


def prepare(
    s: Settings,
    o: PrepareOptions,
    *,
    authorize: Authorize = allowed,
    bar: Bar = no_bar,
    fetching: Bar = no_bar,
    say: lifecycle.Say = lifecycle.silent,
) -> Prepared:
    """Import (if needed), clone and customise (module doc); ``authorize`` is the root
    check of the nested commands. Raises PotError with upstream's messages
    (NestedUsageError when import or clone refused its options)."""
    image, new = check(o)
    create.check_name_length(s, image)
    create.check_name_length(s, new)
    with lock.global_lock(s.lock_file):
        if common.is_pot(s, new):
            raise UsageError(f"A pot with name {new} already exists")
        imported = _ensure_image(s, o, image, authorize, (bar, fetching))
        with undo_on_failure(keep=False) as undo:
            _journal_new_pot(s, new, undo)
            _clone(s, o, image, new, authorize)
            _customise(s, o, new, authorize)
        if o.start:
            _start(s, new, authorize, say)
        else:
            log.info("Prepared the pot %s", new)
    return Prepared(new, image, imported)


def _nested(command: str, action: Callable[[], T], failure: str) -> T:
    """Run a nested command's op; its usage errors carry its name (for its help).

    Its error lines are followed by prepare's ``failure`` line, as upstream reports a
    nested command that returned non-zero.
    """
    try:
        return action()
    except PotError as exc:
        if exc.usage:
            raise NestedUsageError(command, *exc.lines, failure=failure) from exc
        failed = PotError(*exc.lines, failure)
        failed.exit_code = exc.exit_code
        raise failed from exc


def _ensure_image(
    s: Settings, o: PrepareOptions, image: str, authorize: Authorize, bars: tuple[Bar, Bar]
) -> bool:
    """Import the image unless it is a pot already; whether it was imported now."""
    if common.is_pot(s, image):
        log.debug("pot %s already imported - reusing it", image)
        return False
    options = imports.ImportOptions(pot=o.pot, tag=o.tag, url=o.url, pubkey=o.pubkey)

    def run() -> None:
        # upstream hands its -U to import as it is: none given is an empty -U there
        imports.check_url(o.url or "")
        imports.import_image(s, options, authorize=authorize, bar=bars[0], fetching=bars[1])

    _nested("import", run, "pot import failed")
    return True


def _journal_new_pot(s: Settings, new: str, undo: Undo) -> None:
    """Record the new pot's folder and dataset (absent now) to go again on failure."""
    undo.new_folder(model.pot_dir(s, new))
    dataset = model.pot_dataset(s, new)
    if not zfs.exists(dataset):
        undo.dataset(dataset)


def _clone(s: Settings, o: PrepareOptions, image: str, new: str, authorize: Authorize) -> None:
    options = clone.CloneOptions(
        pot=new,
        potbase=image,
        network_type=o.network_type,
        ips=o.ips,
        # upstream passes -B only with private-bridge
        bridge=o.bridge if o.network_type == "private-bridge" else "",
        stack=o.stack,
        dns=o.dns,
        cwd=o.cwd,
    )
    _nested(
        "clone",
        lambda: clone.clone(s, options, authorize=authorize),
        f"Not able to clone imported pot as {new}",
    )


def _best_effort(action: Callable[[], None], failure: str) -> None:
    """Upstream's "- ignoring" steps: the refusal and ``failure`` are reported, no more."""
    try:
        action()
    except PotError as exc:
        common.report(log, exc)
        log.error("%s", failure)


def _customise(s: Settings, o: PrepareOptions, new: str, authorize: Authorize) -> None:
    if o.cmd:
        _best_effort(
            lambda: attrs.set_cmd(s, new, o.cmd, authorize=authorize),
            f"Couldn't set the command {o.cmd} ot the pot - ignoring",  # sic
        )
    for name, value, failure in _ATTRIBUTES:
        _best_effort(
            functools.partial(attrs.set_attribute, s, new, name, value, authorize=authorize),
            failure,
        )
    if o.ports:
        # upstream prepends each -e to the list it passes on
        reversed_ports = tuple(reversed(o.ports))
        _best_effort(
            lambda: attrs.export_ports(s, new, reversed_ports, authorize=authorize),
            f"Couldn't export ports {' '.join(o.ports)} - ignoring",
        )


def _start(s: Settings, new: str, authorize: Authorize, say: lifecycle.Say) -> None:
    """``-s``: a failing start is reported, the pot stopped (not destroyed), exit 1."""
    log.debug("Auto starting the pot %s", new)
    try:
        lifecycle.start(s, new, authorize=authorize, say=say)
    except PotError as exc:
        common.report(log, exc)
        log.error("pot %s failed to start", new)
        _stop(s, new, authorize)
        raise QuietExit(1) from exc


def _stop(s: Settings, new: str, authorize: Authorize) -> None:
    """Upstream's ``stop`` after a failed ``-s`` start; what it reports is all it does."""
    try:
        lifecycle.stop(s, new, authorize=authorize)
    except PotError as exc:
        common.report(log, exc)
