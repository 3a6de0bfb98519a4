"""The pot framework configuration: shipped defaults, then ``$POT_ETC/pot.conf``.

Upstream sources both files as shell. We parse the subset of shell that configuration
files use (assignments, quotes, ``$VAR`` expansion, comments) and refuse everything
else with the file and line named, so a typo is an error instead of a silent default.
"""

from __future__ import annotations

import os
from types import MappingProxyType

from pot.errors import ConfigError

# Neither pathlib nor re is imported here: every command loads the configuration, and
# those two (with fnmatch, urllib.parse and enum behind them) cost more than the whole
# work of `pot version`. Paths are kept as text and made Path objects when asked for.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    PathText = str | os.PathLike[str]

DEFAULT_ETC = "/usr/local/etc/pot"
# upstream's lockf(1) target; it is not configurable there either
GLOBAL_LOCK = "/tmp/pot-lock-file"

# Every key of upstream's pot.default.conf with its default, in upstream's order,
# then our two additions (the release manifests folder and the FreeBSD mirror).
DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "POT_ZFS_ROOT": "zroot/pot",
        "POT_FS_ROOT": "/opt/pot",
        "POT_CACHE": "/var/cache/pot",
        "POT_TMP": "/tmp",
        "POT_GROUP": "pot",
        "POT_MKTEMP_SUFFIX": ".XXXXXXXX",
        "POT_HOSTNAME_MAX_LENGTH": "64",
        "POT_NETWORK": "10.192.0.0/10",
        "POT_NETMASK": "255.192.0.0",
        "POT_GATEWAY": "10.192.0.1",
        "POT_EXTIF": "em0",
        "POT_EXTRA_EXTIF": "",
        "POT_EXTIF_ADDR": "",
        "POT_NETWORK_STACK": "ipv4",
        "POT_DNS_NAME": "dns",
        "POT_DNS_IP": "10.192.0.2",
        "POT_ISOLATE_VNET_POTS": "false",
        "POT_EXPORT_PORTS_PF_RULES_HOOK": "",
        "POT_DEFAULT_SIGNATURE_PUBKEY": "",
        "POT_VPN_EXTIF": "",
        "POT_VPN_NETWORKS": "",
        "POT_LOG_FACILITY": "local2",
        "POT_MANIFESTS_DIR": "/usr/local/share/freebsd/MANIFESTS",
        "POT_FREEBSD_MIRROR": "https://ftp.freebsd.org/pub/FreeBSD/releases",
    }
)

_IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_IDENT = _IDENT_START | frozenset("0123456789")
# POT_NETWORK_<ifname>: the network behind an extra interface (POT_EXTRA_EXTIF)
_EXTRA_NETWORK_PREFIX = "POT_NETWORK_"
_EXTRA_NETWORK_CHARS = _IDENT | {"."}
# upstream share/pot/common.sh, _normalize_true_false: yes/true/on in any case ("1" is not)
_TRUE_WORDS = frozenset({"true", "yes", "on"})


class Settings:
    """One frozen view of the configuration, passed down from the CLI edge.

    A plain class, not a dataclass: every command loads it, and importing dataclasses
    costs more than the commands nomad-pot-driver runs every second do.
    """

    __slots__ = ("_etc", "_lock_file", "values")
    _etc: PathText
    values: Mapping[str, str]
    _lock_file: PathText

    def __init__(
        self,
        etc: PathText = DEFAULT_ETC,
        values: Mapping[str, str] | None = None,
        lock_file: PathText = GLOBAL_LOCK,
    ) -> None:
        object.__setattr__(self, "_etc", etc)
        object.__setattr__(self, "values", DEFAULTS if values is None else values)
        object.__setattr__(self, "_lock_file", lock_file)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _fields(self) -> tuple[Path, Mapping[str, str], Path]:
        return (self.etc, self.values, self.lock_file)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.etc, tuple(self.values.items()), self.lock_file))

    def __repr__(self) -> str:
        return "Settings(etc={!r}, values={!r}, lock_file={!r})".format(*self._fields())

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def etc(self) -> Path:
        """The configuration folder (POT_ETC)."""
        from pathlib import Path

        return Path(self._etc)

    @property
    def lock_file(self) -> Path:
        from pathlib import Path

        return Path(self._lock_file)

    @property
    def zfs_root(self) -> str:
        return self.get("POT_ZFS_ROOT")

    @property
    def fs_root(self) -> Path:
        from pathlib import Path

        return Path(self.get("POT_FS_ROOT"))

    @property
    def cache(self) -> Path:
        from pathlib import Path

        return Path(self.get("POT_CACHE"))

    @property
    def tmp(self) -> Path:
        from pathlib import Path

        return Path(self.get("POT_TMP"))

    @property
    def flavour_dir(self) -> Path:
        return self.etc / "flavours"

    @property
    def hostname_max_length(self) -> int:
        return int(self.get("POT_HOSTNAME_MAX_LENGTH"))

    @property
    def network_stack(self) -> str:
        """ipv4, ipv6 or dual; upstream treats any other value as ipv4."""
        stack = self.get("POT_NETWORK_STACK")
        return stack if stack in ("ipv4", "ipv6", "dual") else "ipv4"

    @property
    def isolate_vnet_pots(self) -> bool:
        """Whether bridge members are ``private`` (upstream start.sh tests it this way)."""
        return self.get("POT_ISOLATE_VNET_POTS").lower() in _TRUE_WORDS

    @property
    def extra_extifs(self) -> tuple[str, ...]:
        return tuple(self.get("POT_EXTRA_EXTIF").split())

    def with_values(self, **overrides: str) -> Settings:
        """A copy with some keys replaced (tests and nested operations)."""
        merged = dict(self.values)
        merged.update(overrides)
        return Settings(self._etc, MappingProxyType(merged), self._lock_file)


def load(etc: PathText | None = None) -> Settings:
    """Shipped defaults, then ``etc/pot.conf`` when it exists."""
    folder = etc if etc is not None else DEFAULT_ETC
    values = dict(DEFAULTS)
    conf = path_text(os.path.join(folder, "pot.conf"))
    if _is_file(conf):
        try:
            with open(conf, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{conf}: cannot be read: {exc}") from exc
        values.update(parse(text, conf, values))
    _validate(values, conf)
    return Settings(folder, MappingProxyType(values))


def path_text(path: PathText) -> str:
    """``str(Path(path))`` without pathlib: repeated slashes and ``.`` parts dropped, no
    trailing slash, and a leading ``//`` (exactly two) kept, as POSIX allows.
    """
    text = os.fspath(path)
    if text.startswith("//") and not text.startswith("///"):
        lead = "//"
    else:
        lead = "/" if text.startswith("/") else ""
    return lead + "/".join(p for p in text.split("/") if p and p != ".") or "."


def _is_file(path: str) -> bool:
    """``Path.is_file``: False for a missing path, other errors (EACCES) are raised."""
    import errno

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return False
        raise
    except ValueError:
        return False
    return mode & 0o170000 == 0o100000  # S_ISREG, without importing stat


def parse(text: str, source: str, known: Mapping[str, str] = DEFAULTS) -> dict[str, str]:
    """Parse shell-style assignments; ``known`` gives earlier values for ``$VAR``."""
    scope = dict(known)
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        found = _assignment(line)
        if found is None:
            raise ConfigError(f"{where}: not a KEY=value assignment: {line}")
        key, rest = found
        if key not in DEFAULTS and not _is_extra_network_key(key):
            raise ConfigError(f"{where}: unknown configuration key {key}")
        value = _shell_word(rest, scope, where)
        scope[key] = out[key] = value
    return out


def _assignment(line: str) -> tuple[str, str] | None:
    """``[export<blanks>]NAME=rest`` -> (NAME, rest); None when the line is not one."""
    if line.startswith("export") and line[6:7].isspace():
        found = _name_equals(line[6:].lstrip())
        if found is not None:
            return found
    return _name_equals(line)


def _name_equals(text: str) -> tuple[str, str] | None:
    end = _name_end(text, 0)
    if end == 0 or text[end : end + 1] != "=":
        return None
    return text[:end], text[end + 1 :]


def _name_end(text: str, start: int) -> int:
    """The end of the shell variable name at ``start`` (``start`` itself: none there)."""
    if start >= len(text) or text[start] not in _IDENT_START:
        return start
    end = start + 1
    while end < len(text) and text[end] in _IDENT:
        end += 1
    return end


def _is_extra_network_key(key: str) -> bool:
    rest = key[len(_EXTRA_NETWORK_PREFIX) :]
    return (
        key.startswith(_EXTRA_NETWORK_PREFIX)
        and rest != ""
        and all(ch in _EXTRA_NETWORK_CHARS for ch in rest)
    )


def _shell_word(text: str, scope: Mapping[str, str], where: str) -> str:
    """One shell word: quotes removed, variables expanded; a trailing comment allowed."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            rest = text[i:].strip()
            if rest and not rest.startswith("#"):
                raise ConfigError(f"{where}: unquoted space in value (quote it): {text}")
            break
        if ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ConfigError(f"{where}: unterminated quote: {text}")
            out.append(text[i + 1 : end])
            i = end + 1
        elif ch == '"':
            end = _closing_double_quote(text, i + 1, where)
            out.append(_expand(text[i + 1 : end].replace('\\"', '"'), scope, where))
            i = end + 1
        elif ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == "\\":
            # a backslash ending the line continues it in sh; refused (it used to hang)
            raise ConfigError(f"{where}: line continuation not supported: {text}")
        else:
            j = i
            while j < len(text) and text[j] not in " \t'\"\\":
                j += 1
            out.append(_expand(text[i:j], scope, where))
            i = j
    return "".join(out)


def _closing_double_quote(text: str, start: int, where: str) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise ConfigError(f"{where}: unterminated quote: {text}")


def _expand(text: str, scope: Mapping[str, str], where: str) -> str:
    # refused rather than kept literally: the shell would have computed another value
    if "`" in text or "$(" in text or _has_unsupported_brace(text):
        raise ConfigError(f"{where}: shell expansion not supported: {text}")
    out: list[str] = []
    i = 0
    while True:
        dollar = text.find("$", i)
        if dollar < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:dollar])
        if text[dollar + 1 : dollar + 2] == "{":
            end = _name_end(text, dollar + 2)
            if end > dollar + 2 and text[end : end + 1] == "}":
                out.append(scope.get(text[dollar + 2 : end], ""))
                i = end + 1
                continue
        end = _name_end(text, dollar + 1)
        if end > dollar + 1:
            out.append(scope.get(text[dollar + 1 : end], ""))
            i = end
        else:
            out.append("$")
            i = dollar + 1


def _has_unsupported_brace(text: str) -> bool:
    """A ``${`` that is not ``${NAME}`` (``${VAR:-x}`` and the like)."""
    start = text.find("${")
    while start >= 0:
        end = _name_end(text, start + 2)
        if end == start + 2 or text[end : end + 1] != "}":
            return True
        start = text.find("${", end)
    return False


def _validate(values: Mapping[str, str], source: str) -> None:
    for key in ("POT_ZFS_ROOT", "POT_FS_ROOT"):
        if not values.get(key):
            raise ConfigError(f"{key} is mandatory")
    length = values.get("POT_HOSTNAME_MAX_LENGTH", "")
    if not length.isdigit() or int(length) < 1:
        raise ConfigError(f"{source}: POT_HOSTNAME_MAX_LENGTH must be a positive number: {length}")
