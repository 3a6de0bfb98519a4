"""The per-pot configuration files ``conf/pot.conf`` and ``conf/fscomp.conf``, and the attributes.

This module is the only reader and writer of both files. ``PotConf`` keeps every line as
it is (unknown keys, order, even lines that are not ``key=value``), so a file we rewrite
differs from the original only where we changed it. The readers reproduce upstream's
several ways of reading a key; the ``set_*`` functions reproduce upstream's edits byte for
byte (delete the key's lines, append the new ones at the end).
"""

from __future__ import annotations

import os

from pot import rootpath
from pot.errors import ConfigError, PotError, UsageError
from pot.record import record
from pot.rootpath import PotFile

# Every command that reads a pot.conf imports this module, among them those nomad-pot-
# driver runs every second: re and pathlib are not loaded until an edit needs them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path
    from typing import Literal

    AttrType = Literal["bool", "uint", "sysvopt", "string"]
    AttrKind = Literal["pot", "jail"]

FILE_MODE = 0o644
# the characters upstream's generic reader deletes (tr -d ' \t"')
_GENERIC_DELETE = str.maketrans("", "", ' \t"')


# --------------------------------------------------------------------------- pot.conf


def _key_regex(key: str, *, anchored: bool) -> re.Pattern[str]:
    """Upstream's grep/sed pattern for a key: ``^key=`` with every dot matching any character."""
    import re

    body = "".join("." if c == "." else re.escape(c) for c in key)
    return re.compile(("^" if anchored else "") + body + "=")


def _starts_with_key(line: str, key: str) -> bool:
    """Whether ``_key_regex(key, anchored=True)`` matches the line (a line holds no
    newline, so a dot of the key matches any one character), without loading re.
    """
    n = len(key)
    if len(line) <= n or line[n] != "=":
        return False
    return line.startswith(key) or all(k in (".", c) for k, c in zip(key, line, strict=False))


def _shell_value(values: Iterable[str]) -> str:
    """Several values as ``$(...)`` returns them: one per line, trailing newlines dropped."""
    return "\n".join(values).rstrip("\n")


class PotConf:
    """The lines of one pot.conf, in file order, with upstream's readers and edits.

    ``newline_at_end``: only an untouched file may lack the final newline; any edit adds
    it, as echo >> would.
    """

    __slots__ = ("lines", "newline_at_end")

    def __init__(self, lines: list[str] | None = None, newline_at_end: bool = True) -> None:
        self.lines: list[str] = [] if lines is None else lines
        self.newline_at_end = newline_at_end

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, PotConf)
        return (self.lines, self.newline_at_end) == (other.lines, other.newline_at_end)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it was

    def __repr__(self) -> str:
        return f"PotConf(lines={self.lines!r}, newline_at_end={self.newline_at_end!r})"

    @classmethod
    def parse(cls, text: str) -> PotConf:
        if not text:
            return cls()
        if text.endswith("\n"):
            return cls(text[:-1].split("\n"))
        return cls(text.split("\n"), newline_at_end=False)

    def text(self) -> str:
        if not self.lines:
            return ""
        return "\n".join(self.lines) + ("\n" if self.newline_at_end else "")

    # -- readers ------------------------------------------------------------------

    def _matching(self, key: str) -> list[str]:
        return [line for line in self.lines if _starts_with_key(line, key)]

    def has(self, key: str) -> bool:
        return bool(self._matching(key))

    def get_all(self, key: str) -> list[str]:
        """Upstream's generic reader, one value per line of the key (``pot.depend``).

        From each line spaces, tabs and double quotes are deleted, then the text between
        the first and the second ``=`` is the value.
        """
        return [line.translate(_GENERIC_DELETE).split("=")[1] for line in self._matching(key)]

    def get(self, key: str, default: str | None = None) -> str | None:
        """What upstream's generic reader returns: the values of every line of the key,
        joined by newlines as a shell variable would hold them; ``default`` without a line.
        """
        values = self.get_all(key)
        return _shell_value(values) if values else default

    def get_string(self, key: str, default: str | None = None) -> str | None:
        """Upstream's string reader (exec_stop): spaces and quotes kept, cut at a second ``=``."""
        values = [line.split("=")[1] for line in self._matching(key)]
        return _shell_value(values) if values else default

    def raw_all(self, key: str) -> list[str]:
        """Everything after ``key=``, one value per line (``pot.env``, ``pot.hosts``)."""
        return [line[len(key) + 1 :] for line in self._matching(key)]

    def raw(self, key: str, default: str | None = None) -> str | None:
        """Everything after ``key=`` (``ip``, ``pot.cmd``), lines joined as the shell would."""
        values = self.raw_all(key)
        return _shell_value(values) if values else default

    def get_export_ports(self, default: str | None = None) -> str | None:
        """Upstream's ``pot.export.ports`` reader.

        Any line *containing* the key counts, and only if it has exactly one ``=``; the
        value is what follows it.
        """
        pattern = _key_regex("pot.export.ports", anchored=False)
        values = [
            line.split("=")[1]
            for line in self.lines
            if pattern.search(line) and line.count("=") == 1
        ]
        return _shell_value(values) if values else default

    # -- edits --------------------------------------------------------------------

    def append(self, text: str) -> None:
        """Append text as line(s); an embedded newline starts a new line, as with echo."""
        self.lines.extend(text.split("\n"))
        self.newline_at_end = True

    def add(self, key: str, value: str) -> None:
        """Append ``key=value`` (repeatable keys such as ``pot.depend``)."""
        self.append(f"{key}={value}")

    def remove(self, key: str) -> int:
        """Delete every line of the key (upstream's ``sed '/^key=.*/d'``); returns how many."""
        return self.remove_matching(_key_regex(key, anchored=True).pattern)

    def remove_matching(self, pattern: str) -> int:
        """Delete every line in which the regular expression is found; returns how many."""
        import re

        regex = re.compile(pattern)
        kept = [line for line in self.lines if not regex.search(line)]
        removed = len(self.lines) - len(kept)
        if removed:
            self.lines[:] = kept
            self.newline_at_end = True
        return removed

    def set(self, key: str, value: str) -> None:
        """Replace the key's first line in place and drop its other lines; append if absent.

        Upstream's ``set-*`` commands instead delete and append: use the ``set_*``
        functions of this module for those, so the file matches upstream's byte for byte.
        """
        index = next((i for i, line in enumerate(self.lines) if _starts_with_key(line, key)), None)
        if index is None:
            self.add(key, value)
            return
        rest = self.lines[index + 1 :]
        self.lines[index + 1 :] = [line for line in rest if not _starts_with_key(line, key)]
        self.lines[index : index + 1] = f"{key}={value}".split("\n")
        self.newline_at_end = True

    def replace_line(self, old: str, new: str) -> int:
        """Turn every line equal to ``old`` into ``new`` in place (rename's edit of other pots)."""
        count = 0
        for i, line in enumerate(self.lines):
            if line == old:
                self.lines[i] = new
                count += 1
        if count:
            self.newline_at_end = True
        return count


def read(path: Path | PotFile) -> PotConf:
    """Parse a pot.conf; an unreadable file is a ConfigError naming it."""
    return PotConf.parse(_read_text(path))


def write(path: Path | PotFile, conf: PotConf) -> None:
    """Replace the file atomically with ``conf.text()``."""
    atomic_write(path, conf.text())


def _read_text(path: Path | PotFile) -> str:
    # bytes, not read_text(): universal newlines would silently turn \r\n into \n
    try:
        if isinstance(path, PotFile):
            return rootpath.read_text(path)
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        host = path.host if isinstance(path, PotFile) else path
        raise ConfigError(f"{host}: cannot be read: {exc.strerror}") from exc
    except rootpath.UnsafePath as exc:
        # a link or node where a pot's file belongs reads as a broken file (ls goes on)
        raise ConfigError(*exc.lines) from exc


def atomic_write(path: Path | PotFile, text: str) -> None:
    """Replace ``path`` with ``text``: a file of a pot's tree through pot.rootpath (never
    through a link), a host file by renaming a temporary file next to it.

    An existing file keeps its mode (and owner, when we may set it); a new one gets 0644.
    On any failure the temporary file is removed and ``path`` is left as it was.
    """
    if isinstance(path, PotFile):
        rootpath.write(path, text)
        return
    data = text.encode("utf-8", "surrogateescape")
    try:
        old = path.stat()
    except FileNotFoundError:
        old = None
    try:
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PotError(f"{path}: cannot be written: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _copy_mode(tmp, old)
        os.replace(tmp, path)
    except BaseException as exc:
        try:  # noqa: SIM105  (contextlib costs start-up)
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise PotError(f"{path}: cannot be written: {exc.strerror}") from exc
        raise


def _copy_mode(tmp: str, old: os.stat_result | None) -> None:
    if old is None:
        os.chmod(tmp, FILE_MODE)
        return
    os.chmod(tmp, old.st_mode & 0o7777)
    if os.geteuid() == 0:
        os.chown(tmp, old.st_uid, old.st_gid)


# ------------------------------------------------------- upstream's lines, key by key


def cmd_value(cmd: str) -> str:
    """The command as upstream stores it: a leading ``"`` and then one trailing ``"`` removed.

    Upstream runs both removals through ``echo | sed``, that is line by line, and
    command substitution drops trailing newlines; a one-line command is simply unquoted.
    """
    unquoted = _per_line(cmd, lambda line: line.removeprefix('"')).rstrip("\n")
    if unquoted == cmd:
        return cmd
    return _per_line(unquoted, lambda line: line.removesuffix('"')).rstrip("\n")


def _per_line(text: str, edit: Callable[[str], str]) -> str:
    return "\n".join(edit(line) for line in text.split("\n"))


def cmd_line(cmd: str) -> str:
    """``pot.cmd=<cmd>`` as set-cmd (and a flavour's ``set-cmd -c``) writes it."""
    return f"pot.cmd={cmd_value(cmd)}"


def env_line(assignment: str) -> str:
    """``pot.env="VAR=value"`` with every ``"`` escaped as ``\\"`` (set-env, one per -E)."""
    quoted = '"' + assignment.replace('"', '\\"').rstrip("\n") + '"'
    return _per_line(quoted, lambda line: f"pot.env={line}")


def hosts_line(ip: str, hostname: str) -> str:
    """``pot.hosts=<ip> <hostname>`` (set-hosts, one per -H)."""
    return _per_line(f"{ip} {hostname}", lambda line: f"pot.hosts={line}")


def attr_line(name: str, value: str) -> str:
    """``pot.attr.<name>=<value>``; the value as ``normalize`` returns it."""
    return f"pot.attr.{name}={value}"


def rss_line(resource: str, value: str) -> str:
    """``pot.rss.<cpus|memory>=<value>``, the value stored as given (e.g. ``64M``)."""
    return f"pot.rss.{resource}={value}"


def export_ports_line(ports: Sequence[str]) -> str:
    """``pot.export.ports=`` and every -e value as given, joined by one space."""
    return "pot.export.ports=" + " ".join(ports)


def depend_line(pot: str) -> str:
    return f"pot.depend={pot}"


def hostname_line(hostname: str) -> str:
    """``host.hostname="<name>"``: one of the two keys upstream writes quoted."""
    return f'host.hostname="{hostname}"'


def osrelease_value(baseos: str) -> str:
    """create's osrelease: ``-RELEASE`` appended unless the release has RC or RELEASE in it."""
    return baseos if "RC" in baseos or "RELEASE" in baseos else f"{baseos}-RELEASE"


def osrelease_line(release: str) -> str:
    return f'osrelease="{release}"'


# ------------------------------------------------------------- upstream's edits


def set_cmd(conf: PotConf, cmd: str) -> None:
    conf.remove("pot.cmd")
    conf.append(cmd_line(cmd))


def set_env(conf: PotConf, assignments: Sequence[str]) -> None:
    """Replace all ``pot.env`` lines by one per assignment, in order."""
    conf.remove("pot.env")
    for assignment in assignments:
        conf.append(env_line(assignment))


def set_hosts(conf: PotConf, entries: Sequence[tuple[str, str]]) -> None:
    """Replace all ``pot.hosts`` lines by one per (ip, hostname); none just clears them."""
    conf.remove("pot.hosts")
    for ip, hostname in entries:
        conf.append(hosts_line(ip, hostname))


def set_attr(conf: PotConf, name: str, value: str) -> None:
    conf.remove(f"pot.attr.{name}")
    conf.append(attr_line(name, value))


def set_rss(conf: PotConf, resource: str, value: str) -> None:
    conf.remove(f"pot.rss.{resource}")
    conf.append(rss_line(resource, value))


def set_export_ports(conf: PotConf, ports: Sequence[str]) -> None:
    # upstream's delete is not anchored: any line containing the key goes
    conf.remove_matching(_key_regex("pot.export.ports", anchored=False).pattern)
    conf.append(export_ports_line(ports))


def add_depend(conf: PotConf, pot: str) -> None:
    """Append ``pot.depend=<pot>``; duplicates are not checked (as upstream)."""
    conf.append(depend_line(pot))


# ------------------------------------------------------------------ attributes


@record
class AttrSpec:
    """One attribute of upstream's table.

    ``default`` is upstream's ``_POT_DEFAULT_<name>_D`` (jail attributes only; info and
    start fall back to it). ``created`` is what create writes for a new pot (None: the
    line is not written). ``jail_param`` is the jail(8) parameter start passes.
    """

    name: str
    jail_param: str | None
    type: AttrType
    default: str | None
    readonly: bool
    kind: AttrKind
    created: str | None = None

    @property
    def key(self) -> str:
        """The pot.conf key the attribute is stored under."""
        return f"pot.attr.{self.name}"


def _pot_attr(name: str, created: str | None = None, *, readonly: bool = False) -> AttrSpec:
    return AttrSpec(name, None, "bool", None, readonly, "pot", created)


def _jail_attr(name: str, jail_param: str, type_: AttrType, default: str) -> AttrSpec:
    return AttrSpec(name, jail_param, type_, default, False, "jail", default)


# upstream's _POT_RW_ATTRIBUTES, _POT_RO_ATTRIBUTES and _POT_JAIL_RW_ATTRIBUTES, in order
ATTRIBUTES: tuple[AttrSpec, ...] = (
    _pot_attr("start-at-boot", "NO"),
    _pot_attr("early-start-at-boot"),
    _pot_attr("persistent", "YES"),
    _pot_attr("no-rc-script", "NO"),
    _pot_attr("prunable", "NO"),
    _pot_attr("localhost-tunnel"),
    _pot_attr("no-tmpfs", "NO"),
    _pot_attr("no-etc-hosts"),
    _pot_attr("to-be-pruned", readonly=True),
    _jail_attr("enforce_statfs", "enforce_statfs", "uint", "2"),
    _jail_attr("mount", "allow.mount", "bool", "NO"),
    _jail_attr("fdescfs", "mount.fdescfs", "bool", "NO"),
    _jail_attr("linprocfs", "allow.mount.linprocfs", "bool", "NO"),
    _jail_attr("nullfs", "allow.mount.nullfs", "bool", "NO"),
    _jail_attr("procfs", "mount.procfs", "bool", "NO"),
    _jail_attr("tmpfs", "allow.mount.tmpfs", "bool", "NO"),
    _jail_attr("zfs", "allow.mount.zfs", "bool", "NO"),
    _jail_attr("raw_sockets", "allow.raw_sockets", "bool", "NO"),
    _jail_attr("sysvshm", "sysvshm", "sysvopt", "new"),
    _jail_attr("sysvsem", "sysvsem", "sysvopt", "new"),
    _jail_attr("sysvmsg", "sysvmsg", "sysvopt", "new"),
    _jail_attr("children", "children.max", "uint", "0"),
    _jail_attr("mlock", "allow.mlock", "bool", "NO"),
    _jail_attr("devfs_ruleset", "devfs_ruleset", "uint", "4"),
    _jail_attr("exec_stop", "exec.stop", "string", ""),
    _jail_attr("stop_timeout", "stop.timeout", "uint", "10"),
)
POT_ATTRIBUTES = tuple(a for a in ATTRIBUTES if a.kind == "pot")
JAIL_ATTRIBUTES = tuple(a for a in ATTRIBUTES if a.kind == "jail")
_BY_NAME = {a.name: a for a in ATTRIBUTES}
# the order in which create writes the pot attributes
_CREATED_POT_ATTRIBUTES = ("no-rc-script", "persistent", "start-at-boot", "prunable", "no-tmpfs")
_TRUE_WORDS = frozenset({"yes", "true", "on"})
_FALSE_WORDS = frozenset({"no", "false", "off"})
_SYSVOPT_VALUES = ("new", "inherit", "disable")
_DIGITS = frozenset("0123456789")


def attribute(name: str) -> AttrSpec:
    """The attribute, read-only ones included; raises upstream's error (+ help) for others."""
    spec = _BY_NAME.get(name)
    if spec is None:
        raise UsageError(f"{name} is not a valid attribute")
    return spec


def writable_attribute(name: str) -> AttrSpec:
    """The attribute set-attribute accepts; read-only ones get the same error as unknown ones."""
    spec = attribute(name)
    if spec.readonly:
        raise UsageError(f"{name} is not a valid attribute")
    return spec


def normalize(spec: AttrSpec, value: str) -> str:
    """The value set-attribute stores, or upstream's error (+ help) for an invalid one."""
    if spec.readonly:
        raise UsageError(f"{spec.name} is not a valid attribute")
    if spec.type == "bool":
        return _normalize_bool(value)
    if spec.type == "uint" and not set(value) <= _DIGITS:
        raise UsageError(f"value {value} is not a valid uint value")
    if spec.type == "sysvopt" and value not in _SYSVOPT_VALUES:
        raise UsageError("value must be one of 'new', 'inherit', 'disable'")
    return value


def _normalize_bool(value: str) -> str:
    word = value.lower() if value.isascii() else ""
    if word in _TRUE_WORDS:
        return "YES"
    if word in _FALSE_WORDS:
        return "NO"
    # upstream overwrites the value with the failed conversion's empty output before
    # printing it, hence the two spaces and no value
    raise UsageError("value  is not a valid boolean value")


# -------------------------------------------------------------- a new pot's file


@record
class NewPot:
    """What create knows when it writes a new pot.conf (values already computed)."""

    level: int
    pot_type: str
    base: str
    potbase: str
    dns: str  # as given to -d; custom:<file> is stored as custom
    hostname: str
    osrelease: str  # see osrelease_value()
    stack: str
    network_type: str
    ip: str = ""
    bridge: str = ""
    dns_pot: str = ""  # POT_DNS_NAME, the pot.depend written for -d pot


def created(new: NewPot) -> PotConf:
    """The pot.conf create writes, line for line in upstream's order."""
    conf = PotConf()
    for key, value in (
        ("pot.level", str(new.level)),
        ("pot.type", new.pot_type),
        ("pot.base", new.base),
        ("pot.potbase", new.potbase),
        ("pot.dns", "custom" if new.dns.startswith("custom:") else new.dns),
        ("pot.cmd", "sh /etc/rc"),
    ):
        conf.add(key, value)
    conf.append(hostname_line(new.hostname))
    conf.append(osrelease_line(new.osrelease))
    for name in _CREATED_POT_ATTRIBUTES:
        conf.append(attr_line(name, _BY_NAME[name].created or ""))
    for spec in JAIL_ATTRIBUTES:
        conf.append(attr_line(spec.name, spec.created or ""))
    _add_network(conf, new)
    if new.dns == "pot":
        conf.add("pot.depend", new.dns_pot)
    return conf


def _add_network(conf: PotConf, new: NewPot) -> None:
    conf.add("pot.stack", new.stack)
    conf.add("network_type", new.network_type)
    bridged = new.network_type in ("public-bridge", "private-bridge")
    conf.add("vnet", "true" if bridged else "false")
    if new.network_type != "inherit":
        conf.add("ip", new.ip)
    if new.network_type == "private-bridge":
        conf.add("bridge", new.bridge)


# --------------------------------------------------------------------- fscomp.conf


@record
class FsCompEntry:
    """One mount of fscomp.conf: ``<source> <mountpoint>[ <option>]``.

    source is a dataset name or an absolute host directory; mountpoint is inside the pot
    (or, in the legacy form, the absolute host path under ``<pot>/m``); option is None
    (read-write), ``ro`` or ``zfs-remount``.
    """

    source: str
    mountpoint: str
    option: str | None = None

    @classmethod
    def parse(cls, line: str) -> FsCompEntry:
        """Fields split on blanks as awk does; fields after the third are ignored."""
        # awk's blanks are spaces and tabs only (str.split() would cut at \r or \f too)
        fields = [f for f in line.replace("\t", " ").split(" ") if f] or [""]
        fields += [""] * (3 - len(fields))
        return cls(fields[0], fields[1], fields[2] or None)

    @property
    def is_directory(self) -> bool:
        """A host directory (nullfs-mounted) rather than a ZFS dataset."""
        return self.source.startswith("/")

    def line(self) -> str:
        """The line as create and mount-in write it."""
        if self.option is None:
            return f"{self.source} {self.mountpoint}"
        return f"{self.source} {self.mountpoint} {self.option}"

    def rewritten_line(self) -> str:
        """The line as upstream's legacy conversion writes it: always three fields, so a
        trailing space when there is no option.
        """
        return f"{self.source} {self.mountpoint} {self.option or ''}"


def parse_fscomp(text: str) -> list[FsCompEntry]:
    """Every non-blank line; unlike upstream's read loop, a last line without newline counts."""
    return [FsCompEntry.parse(line) for line in text.split("\n") if line.strip(" \t")]


def format_fscomp(entries: Iterable[FsCompEntry]) -> str:
    return "".join(entry.line() + "\n" for entry in entries)


def read_fscomp(path: Path | PotFile) -> list[FsCompEntry]:
    return parse_fscomp(_read_text(path))


def write_fscomp(path: Path | PotFile, entries: Iterable[FsCompEntry]) -> None:
    atomic_write(path, format_fscomp(entries))
