"""The only builder of ``zfs``/``zpool`` argv and parser of their output.

Every read passes ``-H`` and names its columns with ``-o``; whole trees are read in one
call. Failures surface as :class:`pot.errors.CommandFailed` from :mod:`pot.proc`, with
the tool's stderr. zfs-fuse (the Linux test bed) lacks a few FreeBSD flags; the ones we
need are probed once per process by :func:`capabilities`.
"""

from __future__ import annotations

import time
from types import MappingProxyType

from pot import log as logging
from pot import proc
from pot.errors import CommandFailed
from pot.record import record

# ls, info and get-attr (run every second by nomad-pot-driver) read datasets through this
# module: contextlib, functools and re are not loaded at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import TracebackType
    from typing import IO

# our own notes, not upstream's messages: shown from -vv, on stderr (see pot.cli.output)
trace = logging.getLogger("pot.trace")

# the user properties export writes on jails/<pot>
USER_PROPS = (":pot.tag", ":pot.snap")
# zfs-fuse may keep a fresh clone or received dataset busy for a few seconds: the
# pauses (seconds) between attempts of destroy and rename while zfs says "busy"
BUSY_PAUSES: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)
_NO_PROPS: Mapping[str, str] = MappingProxyType({})
_BASE_COLUMNS = ("name", "mountpoint", "mounted", "origin")


@record
class Dataset:
    """One file system as ``zfs list`` shows it; ``-`` (unset) values become ``""``."""

    name: str
    mountpoint: str
    mounted: bool
    origin: str
    props: Mapping[str, str]


@record
class Caps:
    """Flags of this host's zfs that FreeBSD has and zfs-fuse lacks."""

    receive_u: bool
    receive_o: bool
    list_p: bool
    # the lz4 compression algorithm (init's choice for POT_ZFS_ROOT)
    lz4: bool = True


# --------------------------------------------------------------------------- helpers


def _zfs(*args: str) -> list[str]:
    return ["zfs", *args]


def _value(text: str) -> str:
    return "" if text == "-" else text


def _rows(text: str) -> list[list[str]]:
    """Tab-separated ``-H`` output, one list of fields per line."""
    return [line.split("\t") for line in text.splitlines() if line]


def _names(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def _props_args(props: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in props.items():
        args += ["-o", f"{key}={value}"]
    return args


def _does_not_exist(result: proc.Result) -> bool:
    return not result.ok and "does not exist" in result.stderr


def _read(argv: Sequence[str]) -> str:
    return proc.run(argv).stdout


def _missing_is_empty(argv: Sequence[str]) -> str:
    """stdout of a read; "" when its dataset does not exist, CommandFailed otherwise."""
    result = proc.run(argv, check=False)
    if _does_not_exist(result):
        return ""
    if not result.ok:
        raise CommandFailed(argv, result.returncode, result.stderr)
    return result.stdout


# --------------------------------------------------------------------------- reads


def pool_of(name: str) -> str:
    """The pool a dataset or snapshot belongs to."""
    return name.split("/", 1)[0].split("@", 1)[0]


def exists(name: str) -> bool:
    """Whether the dataset (or snapshot) exists: upstream's ``_zfs_dataset_valid``."""
    if not name:
        return False
    result = proc.run(_zfs("list", "-H", "-o", "name", "-t", "all", name), check=False)
    return result.ok and result.stdout.strip() == name


def parse_tree(text: str, user_props: Sequence[str] = USER_PROPS) -> dict[str, Dataset]:
    """Parse ``zfs list -H -o name,mountpoint,mounted,origin,<user_props>`` output."""
    width = len(_BASE_COLUMNS) + len(user_props)
    tree: dict[str, Dataset] = {}
    for row in _rows(text):
        if len(row) != width:
            raise ValueError(f"zfs list: {width} columns expected: {row!r}")
        name, mountpoint, mounted, origin, *values = row
        props = MappingProxyType(dict(zip(user_props, map(_value, values), strict=True)))
        tree[name] = Dataset(name, _value(mountpoint), mounted == "yes", _value(origin), props)
    return tree


def list_tree_argv(root: str, user_props: Sequence[str] = USER_PROPS) -> list[str]:
    columns = ",".join((*_BASE_COLUMNS, *user_props))
    return _zfs("list", "-H", "-o", columns, "-r", "-t", "filesystem", root)


def list_tree(root: str, *, user_props: Sequence[str] = USER_PROPS) -> dict[str, Dataset]:
    """Every file system from root down, in one call; {} when root does not exist."""
    return parse_tree(_missing_is_empty(list_tree_argv(root, user_props)), user_props)


def dataset(name: str, *, user_props: Sequence[str] = USER_PROPS) -> Dataset | None:
    """One file system (no descendants); None when it does not exist."""
    columns = ",".join((*_BASE_COLUMNS, *user_props))
    text = _missing_is_empty(_zfs("list", "-H", "-o", columns, "-t", "filesystem", name))
    return parse_tree(text, user_props).get(name)


def children(name: str) -> list[str]:
    """Full names of the file systems directly below name; [] when it does not exist."""
    argv = _zfs("list", "-H", "-o", "name", "-d", "1", "-t", "filesystem", name)
    return [child for child in _names(_missing_is_empty(argv)) if child != name]


def get(name: str, prop: str) -> str:
    """One property's value; ``-`` (unset) becomes ""."""
    return _value(_read(_zfs("get", "-H", "-o", "value", prop, name)).rstrip("\n"))


def user_props(name: str, props: Sequence[str]) -> dict[str, str] | None:
    """The values of some user properties of a dataset ("" when unset); None when it does
    not exist. One call, so it can replace :func:`exists` where the marks matter."""
    argv = _zfs("get", "-H", "-o", "property,value", ",".join(props), name)
    result = proc.run(argv, check=False)
    if _does_not_exist(result):
        return None
    if not result.ok:
        raise CommandFailed(argv, result.returncode, result.stderr)
    values = {prop: "" for prop in props}
    for row in _rows(result.stdout):
        if len(row) == 2 and row[0] in values:
            values[row[0]] = _value(row[1])
    return values


def property_names(name: str) -> frozenset[str]:
    """Every property zfs shows for name: what this zfs and pool support (``encryption``)."""
    return frozenset(_names(_read(_zfs("get", "-H", "-o", "property", "all", name))))


def used(name: str) -> str:
    """The human-readable ``used`` size, as ``zfs get`` prints it (``1.2G``)."""
    return get(name, "used")


def used_tree(root: str) -> dict[str, str]:
    """name -> human-readable ``used`` of every file system from root down, in one call."""
    argv = _zfs("list", "-H", "-o", "name,used", "-r", "-t", "filesystem", root)
    return {row[0]: row[1] for row in _rows(_missing_is_empty(argv)) if len(row) == 2}


def snapshots(name: str, *, recursive: bool = False) -> list[str]:
    """Full snapshot names of name (and descendants if recursive), oldest first."""
    depth = ["-r"] if recursive else ["-d", "1"]
    argv = _zfs("list", "-H", "-o", "name", "-t", "snapshot", "-s", "creation", *depth, name)
    return _names(_read(argv))


def snapshot_tree(root: str) -> list[str]:
    """Every snapshot below root in zfs's own order (dataset by dataset); [] if root is missing."""
    argv = _zfs("list", "-H", "-o", "name", "-t", "snapshot", "-r", root)
    return _names(_missing_is_empty(argv))


# --------------------------------------------------------------------------- changes


def set_prop(name: str, prop: str, value: str) -> None:
    proc.run(_zfs("set", f"{prop}={value}", name))


def inherit(name: str, prop: str) -> None:
    proc.run(_zfs("inherit", prop, name))


def create(name: str, *, props: Mapping[str, str] = _NO_PROPS, parents: bool = False) -> None:
    proc.run(_zfs("create", *(["-p"] if parents else []), *_props_args(props), name))


def snapshot(name: str, snap: str, *, recursive: bool = False) -> None:
    proc.run(_zfs("snapshot", *(["-r"] if recursive else []), f"{name}@{snap}"))


def clone(snapshot: str, target: str, *, props: Mapping[str, str] = _NO_PROPS) -> None:
    proc.run(_zfs("clone", *_props_args(props), snapshot, target))


def rollback(snapshot: str, *, recursive: bool = False) -> None:
    """Roll back to snapshot; recursive (``-r``) destroys the later snapshots first."""
    proc.run(_zfs("rollback", *(["-r"] if recursive else []), snapshot))


def _is_busy(exc: CommandFailed) -> bool:
    return "dataset is busy" in exc.stderr


def _unmount_quietly(name: str) -> None:
    """An explicit unmount: zfs-fuse often finds a fresh mount busy when destroy or
    rename unmount it implicitly, while ``zfs unmount`` succeeds.
    """
    if "@" not in name:
        proc.run(_zfs("unmount", name), check=False)


def _retry_while_busy(
    argv: Sequence[str], failure: CommandFailed, *, at_once: bool = False
) -> None:
    """Pause and run argv again while zfs says busy (BUSY_PAUSES); raise the last failure.

    ``at_once``: the first retry comes without a pause (after an unmount it usually
    succeeds; zfs-fuse calls every mounted dataset busy for rename, so each import pays it).
    """
    for pause in ((0.0,) if at_once else ()) + BUSY_PAUSES:
        trace.debug("dataset busy, retrying in %.2fs", pause)
        if pause:
            time.sleep(pause)
        try:
            proc.run(argv)
            return
        except CommandFailed as exc:
            if not _is_busy(exc):
                raise
            failure = exc
    raise failure


def destroy(name: str, *, recursive: bool = False, force: bool = False) -> None:
    """Destroy a dataset or snapshot; when zfs says busy, unmount it and retry."""
    argv = _zfs("destroy", *(["-r"] if recursive else []), *(["-f"] if force else []), name)
    try:
        proc.run(argv)
    except CommandFailed as exc:
        if not _is_busy(exc):
            raise
        _unmount_quietly(name)
        _retry_while_busy(argv, exc, at_once=True)


def rename(old: str, new: str) -> None:
    """Rename a dataset or snapshot.

    When zfs says busy, the file systems are unmounted, renamed (retrying while busy)
    and the ones that were mounted are mounted again under the new name, as zfs does.
    """
    argv = _zfs("rename", old, new)
    try:
        proc.run(argv)
    except CommandFailed as exc:
        if not _is_busy(exc) or "@" in old:
            raise
        mounted = [d.name for d in list_tree(old, user_props=()).values() if d.mounted]
        _unmount_quietly(old)
        _retry_while_busy(argv, exc, at_once=True)
        for name in mounted:
            mount(new + name[len(old) :])


def mount(name: str) -> None:
    proc.run(_zfs("mount", name))


def unmount(name: str, *, force: bool = False) -> None:
    """Unmount name and the file systems mounted below it."""
    proc.run(_zfs("unmount", *(["-f"] if force else []), name))


# --------------------------------------------------------------------------- streams


def send_argv(snapshot: str, *, replicate: bool = True) -> list[str]:
    return _zfs("send", *(["-R"] if replicate else []), snapshot)


def send(snapshot: str, *, replicate: bool = True) -> proc.reading:
    """``zfs send [-R] snapshot`` as a binary stream; its status is checked on exit."""
    return proc.reading(send_argv(snapshot, replicate=replicate))


def receive_argv(
    target: str,
    caps: Caps,
    *,
    unmounted: bool,
    props: Mapping[str, str],
    exclude: Sequence[str] = (),
) -> list[str]:
    """The receive command line, leaving out what this zfs cannot take.

    ``exclude`` names properties of the stream not to receive (``-x``; import passes
    ``encryption`` where the pool knows it, so the new datasets inherit the pool's).
    """
    args = ["receive"]
    if unmounted and caps.receive_u:
        args.append("-u")
    if caps.receive_o:
        args += _props_args(props)
    for prop in exclude:
        args += ["-x", prop]
    return _zfs(*args, target)


class receive:
    """``with receive(target) as stream``: ``zfs receive [-u] [-o k=v]... [-x prop]...
    target`` started, the stream to write into.

    Without ``-o``/``-u`` (zfs-fuse) the properties are set and the file system is
    unmounted after the stream has been received (not when the body or zfs failed).
    """

    def __init__(
        self,
        target: str,
        *,
        unmounted: bool = False,
        props: Mapping[str, str] = _NO_PROPS,
        exclude: Sequence[str] = (),
    ) -> None:
        self.caps = capabilities()
        self.target = target
        self.unmounted = unmounted
        self.props = props
        argv = receive_argv(target, self.caps, unmounted=unmounted, props=props, exclude=exclude)
        self.writing = proc.writing(argv)

    def __enter__(self) -> IO[bytes]:
        return self.writing.__enter__()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.writing.__exit__(kind, exc, tb)
        if exc is not None:
            return
        if not self.caps.receive_o:
            for key, value in self.props.items():
                set_prop(self.target, key, value)
        if self.unmounted and not self.caps.receive_u:
            unmount(self.target)


# --------------------------------------------------------------------------- capabilities

# compiled on first use (re caches it), not by every command that imports this module
_FLAG_WORD = r"(?:^|[\s\[|])-([A-Za-z]+)"


def usage_flags(text: str, subcommand: str) -> frozenset[str]:
    """Option letters that zfs's usage text shows for one subcommand."""
    letters: set[str] = set()
    inside = False
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == subcommand:
            inside = True
        elif not words or not words[0].startswith(("[", "<")):
            inside = False  # a continuation line starts with an operand; anything else ends it
        if inside:
            import re

            for group in re.findall(_FLAG_WORD, line):
                letters.update(group)
    return frozenset(letters)


def property_values(text: str, prop: str) -> frozenset[str]:
    """The values the property table of a usage text allows for prop (``on | off | ...``)."""
    for line in text.splitlines():
        words = line.split()
        if words[:1] == [prop] and len(words) > 3:
            return frozenset(v.strip() for v in " ".join(words[3:]).split("|"))
    return frozenset()


def parse_caps(receive_usage: str, list_usage: str) -> Caps:
    """Capabilities from ``zfs receive``'s usage and ``zfs list``'s (with its property table)."""
    receive = usage_flags(receive_usage, "receive")
    listing = usage_flags(list_usage, "list")
    return Caps(
        receive_u="u" in receive,
        receive_o="o" in receive,
        list_p="p" in listing,
        lz4="lz4" in property_values(list_usage, "compression"),
    )


def _usage(*args: str) -> str:
    # a bad call makes zfs print the subcommand's usage (on stderr, exit 2)
    result = proc.run(_zfs(*args), check=False)
    return result.stdout + result.stderr


_CAPS: list[Caps] = []  # the probe's answer, once made (functools costs start-up)


def capabilities() -> Caps:
    """Probe this zfs once per process by reading its usage texts."""
    if not _CAPS:
        _CAPS.append(parse_caps(_usage("receive"), _usage("list", "-?")))
        trace.debug("zfs capabilities: %s", _CAPS[0])
    return _CAPS[0]


def forget_capabilities() -> None:
    """Probe again on the next :func:`capabilities` (tests swap the zfs they run)."""
    _CAPS.clear()
