"""pot.settings: the shell-subset parser of pot.conf and the loaded Settings."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from pot import settings
from pot.errors import ConfigError
from pot.settings import DEFAULTS, Settings, load, parse


def _one(text: str) -> dict[str, str]:
    return parse(text, "pot.conf")


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("POT_TMP=/var/tmp", "/var/tmp"),
        ("POT_TMP='/var/tmp'", "/var/tmp"),
        ('POT_TMP="/var/tmp"', "/var/tmp"),
        ("POT_TMP=", ""),
        ("POT_TMP=''", ""),
        ("POT_EXTRA_EXTIF='em1 em2'", "em1 em2"),
        ('POT_EXTRA_EXTIF="em1 em2"', "em1 em2"),
        ("POT_EXTRA_EXTIF=em1\\ em2", "em1 em2"),
        ("POT_TMP=/a'b c'\"d\"", "/ab cd"),
        ('POT_TMP="say \\"hi\\""', 'say "hi"'),
        ("POT_TMP='$POT_CACHE'", "$POT_CACHE"),
        ("POT_TMP='$(not run)'", "$(not run)"),
        ("  POT_TMP=/x  ", "/x"),
    ],
)
def test_quoting(line: str, value: str) -> None:
    assert list(_one(line).values()) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("POT_TMP=$POT_FS_ROOT/tmp", "/opt/pot/tmp"),
        ("POT_TMP=${POT_FS_ROOT}tmp", "/opt/pottmp"),
        ('POT_TMP="$POT_FS_ROOT/t m p"', "/opt/pot/t m p"),
        ("POT_FS_ROOT=/srv/pot\nPOT_TMP=$POT_FS_ROOT/tmp", "/srv/pot/tmp"),
        ("POT_TMP=$NOT_A_POT_VARIABLE/x", "/x"),
    ],
)
def test_variables_expand_from_defaults_and_earlier_lines(text: str, value: str) -> None:
    assert _one(text)["POT_TMP"] == value


def test_expansion_uses_the_known_values_given() -> None:
    assert parse("POT_TMP=$POT_CACHE/t", "f", {"POT_CACHE": "/c"}) == {"POT_TMP": "/c/t"}


def test_comments_blank_lines_and_export() -> None:
    text = (
        "# a comment\n"
        "\n"
        "   # an indented comment\n"
        "POT_TMP=/t # a trailing comment\n"
        "export POT_CACHE=/c\n"
        "POT_GATEWAY='10.0.0.1'   # quoted, then a comment\n"
    )
    assert _one(text) == {"POT_TMP": "/t", "POT_CACHE": "/c", "POT_GATEWAY": "10.0.0.1"}


def test_a_later_assignment_wins() -> None:
    assert _one("POT_TMP=/a\nPOT_TMP=/b\n") == {"POT_TMP": "/b"}


def test_extra_interface_networks_are_accepted() -> None:
    text = (
        "POT_EXTRA_EXTIF='em1 vlan0'\nPOT_NETWORK_em1=10.1.0.0/16\nPOT_NETWORK_vlan0=10.2.0.0/16\n"
    )
    assert _one(text) == {
        "POT_EXTRA_EXTIF": "em1 vlan0",
        "POT_NETWORK_em1": "10.1.0.0/16",
        "POT_NETWORK_vlan0": "10.2.0.0/16",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("POT_TMP=/t\nPOT_TPM=/t\n", "pot.conf:2: unknown configuration key POT_TPM"),
        ("\n\nHOME=/root\n", "pot.conf:3: unknown configuration key HOME"),
        ("POT_TMP=/t\nPOT_TMP /t\n", "pot.conf:2: not a KEY=value assignment: POT_TMP /t"),
        ("echo hello", "pot.conf:1: not a KEY=value assignment: echo hello"),
        ("POT_TMP=$(echo x)", "pot.conf:1: shell expansion not supported: $(echo"),
        ('POT_TMP="$(hostname)"', "pot.conf:1: shell expansion not supported: $(hostname)"),
        ("POT_TMP=`hostname`", "pot.conf:1: shell expansion not supported: `hostname`"),
        ("POT_TMP=$((1+2))", "pot.conf:1: shell expansion not supported: $((1+2))"),
        (
            'POT_TMP="${POT_CACHE:-/c}"',
            "pot.conf:1: shell expansion not supported: ${POT_CACHE:-/c}",
        ),
        ("POT_TMP='/t", "pot.conf:1: unterminated quote: '/t"),
        ('POT_TMP="/t', 'pot.conf:1: unterminated quote: "/t'),
        ("POT_EXTRA_EXTIF=em1 em2", "pot.conf:1: unquoted space in value (quote it): em1 em2"),
    ],
)
def test_errors_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _one(text)
    assert str(info.value) == message


def _etc(tmp_path: Path, text: str | None) -> Path:
    etc = tmp_path / "etc"
    etc.mkdir()
    if text is not None:
        (etc / "pot.conf").write_text(text)
    return etc


def test_load_without_pot_conf_gives_the_defaults(tmp_path: Path) -> None:
    s = load(_etc(tmp_path, None))
    assert (s.etc, dict(s.values)) == (tmp_path / "etc", dict(DEFAULTS))
    assert s.fs_root == Path("/opt/pot")
    assert s.zfs_root == "zroot/pot"
    assert s.hostname_max_length == 64


def test_load_overrides_the_defaults(tmp_path: Path) -> None:
    s = load(
        _etc(tmp_path, "POT_ZFS_ROOT=tank/pot\nPOT_FS_ROOT=/srv/pot\nPOT_NETWORK_em1=10.1.0.0/16\n")
    )
    assert (s.zfs_root, s.fs_root, s.get("POT_NETWORK_em1")) == (
        "tank/pot",
        Path("/srv/pot"),
        "10.1.0.0/16",
    )
    assert s.get("POT_CACHE") == "/var/cache/pot"
    assert s.get("POT_NO_SUCH_KEY") == ""


def test_load_reports_the_file(tmp_path: Path) -> None:
    etc = _etc(tmp_path, "POT_TMP=/t\nPOT_TMPX=/t\n")
    with pytest.raises(ConfigError) as info:
        load(etc)
    assert str(info.value) == f"{etc / 'pot.conf'}:2: unknown configuration key POT_TMPX"


@pytest.mark.parametrize("value", ["", "0", "-1", "ten", "6.4", "'  '"])
def test_hostname_max_length_must_be_positive(tmp_path: Path, value: str) -> None:
    etc = _etc(tmp_path, f"POT_HOSTNAME_MAX_LENGTH={value}\n")
    shown = "  " if value == "'  '" else value
    with pytest.raises(ConfigError) as info:
        load(etc)
    assert str(info.value) == (
        f"{etc / 'pot.conf'}: POT_HOSTNAME_MAX_LENGTH must be a positive number: {shown}"
    )


def test_hostname_max_length(tmp_path: Path) -> None:
    assert load(_etc(tmp_path, "POT_HOSTNAME_MAX_LENGTH=255\n")).hostname_max_length == 255


@pytest.mark.parametrize("key", ["POT_ZFS_ROOT", "POT_FS_ROOT"])
def test_mandatory_keys(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(_etc(tmp_path, f"{key}=\n"))
    assert str(info.value) == f"{key} is mandatory"


def test_unreadable_pot_conf(tmp_path: Path) -> None:
    etc = _etc(tmp_path, None)
    (etc / "pot.conf").write_bytes(b"POT_TMP=\xff\n")
    with pytest.raises(ConfigError) as info:
        load(etc)
    assert str(info.value).startswith(f"{etc / 'pot.conf'}: cannot be read: ")


@pytest.mark.parametrize(
    ("stack", "shown"),
    [
        ("ipv4", "ipv4"),
        ("ipv6", "ipv6"),
        ("dual", "dual"),
        ("", "ipv4"),
        ("IPV6", "ipv4"),
        ("x", "ipv4"),
    ],
)
def test_network_stack(stack: str, shown: str) -> None:
    assert Settings().with_values(POT_NETWORK_STACK=stack).network_stack == shown


@pytest.mark.parametrize(
    ("value", "isolated"),
    [
        ("true", True),
        ("YES", True),
        ("On", True),
        ("1", False),  # upstream's _normalize_true_false knows yes/true/on only
        ("false", False),
        ("", False),
        ("no", False),
    ],
)
def test_isolate_vnet_pots(value: str, isolated: bool) -> None:
    assert Settings().with_values(POT_ISOLATE_VNET_POTS=value).isolate_vnet_pots is isolated


def test_with_values_leaves_the_original_alone() -> None:
    base = Settings()
    changed = base.with_values(POT_EXTRA_EXTIF="em1  em2", POT_TMP="/t")
    assert (changed.extra_extifs, changed.tmp, changed.etc) == (
        ("em1", "em2"),
        Path("/t"),
        base.etc,
    )
    assert (base.extra_extifs, base.tmp) == ((), Path("/tmp"))
    assert changed.flavour_dir == base.etc / "flavours"


@pytest.mark.parametrize(
    "text",
    ["/", ".", "", "a", "a/", "./a", "a/./b", "/a//b/", "//a", "///a", "//", "/../a", "a/.."],
)
def test_path_text_is_what_pathlib_shows(text: str) -> None:
    # error messages name files as Path objects would, without importing pathlib
    assert settings.path_text(text) == str(PurePosixPath(text))


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("export\tPOT_TMP=/t", {"POT_TMP": "/t"}),
        ("export   POT_TMP=/t", {"POT_TMP": "/t"}),
        ("POT_TMP=$POT_CACHE/x${POT_GROUP}y$", {"POT_TMP": "/var/cache/pot/xpoty$"}),
        ("POT_TMP=$1a", {"POT_TMP": "$1a"}),
        ("POT_NETWORK_em0_1=10.0.0.0/24", {"POT_NETWORK_em0_1": "10.0.0.0/24"}),
    ],
)
def test_assignment_forms(line: str, found: dict[str, str]) -> None:
    assert settings.parse(line, "f") == found


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("exportPOT_TMP=/t", "f:1: unknown configuration key exportPOT_TMP"),
        ("export =/t", "f:1: not a KEY=value assignment: export =/t"),
        ("POT_NETWORK_=x", "f:1: unknown configuration key POT_NETWORK_"),
        ("POT_NETWORK_em0.1=x", "f:1: not a KEY=value assignment: POT_NETWORK_em0.1=x"),
        ("POT_TMP=${POT_CACHE", "f:1: shell expansion not supported: ${POT_CACHE"),
        ("POT_TMP=${A}${B:-x}", "f:1: shell expansion not supported: ${A}${B:-x}"),
        ("POT_TMP=/t\\", "f:1: line continuation not supported: /t\\"),
    ],
)
def test_assignment_refusals(line: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        settings.parse(line, "f")
    assert str(exc.value) == message
