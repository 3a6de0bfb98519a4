"""create/clone rules that need no ZFS: names, option values, hostname, network, cron, undo."""

from __future__ import annotations

import signal
from pathlib import Path

import potfactory
import pytest

from pot import net
from pot.errors import InvalidName, PotError, UsageError
from pot.net import addresses
from pot.ops import common, create, network_options
from pot.ops.undo import Undo, _Step, undo_on_failure
from pot.rootpath import PotFile
from pot.settings import Settings

# ------------------------------------------------------------------ names


@pytest.mark.parametrize("name", ["a.b", ".", "web.1", "a b.c"])
def test_dot_gets_upstream_message(name: str) -> None:
    with pytest.raises(InvalidName) as err:
        create.check_pot_name(name)
    assert err.value.lines == (
        f"{name} is not a valid name for a pot ('.' is the only character not allowed)",
    )
    assert not err.value.usage


@pytest.mark.parametrize(
    "name", ["a/b", "a@b", "a b", "a\tb", "-a", "a:b", "a#b", "a%b", 'a"b', "a'b", "a$b"]
)
def test_other_bad_names(name: str) -> None:
    with pytest.raises(InvalidName) as err:
        create.check_pot_name(name)
    assert err.value.lines == (
        f"'{name}' is not a valid name for a pot (it cannot start with '-' nor contain"
        " '/', '@', '#', '%', ':', blanks, quotes, '\\', '$' or '`')",
    )


@pytest.mark.parametrize("name", ["", "test", "web-1", "a_b", "UPPER", "x" * 100])
def test_good_names(name: str) -> None:
    create.check_pot_name(name)  # "" is reported later as "pot name is missing"


# ---------------------------------------------------------------- option values


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (create.check_type, "double", "Type double not supported"),
        (create.check_type, "", "Type  not supported"),
        (create.check_network_type, "bridge", "Network type bridge not recognized"),
        (create.check_network_type, "Inherit", "Network type Inherit not recognized"),
        (create.check_stack, "ipv5", "Network stack ipv5 not valid"),
        (create.check_stack, "", "Network stack  not valid"),
    ],
)
def test_bad_values_print_help(check: object, value: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        check(value)  # type: ignore[operator]
    assert err.value.lines == (message,)
    assert err.value.usage


@pytest.mark.parametrize("value", ["single", "multi"])
def test_types(value: str) -> None:
    create.check_type(value)


@pytest.mark.parametrize("value", ["inherit", "alias", "public-bridge", "private-bridge"])
def test_network_types(value: str) -> None:
    create.check_network_type(value)


@pytest.mark.parametrize("value", ["ipv4", "ipv6", "dual"])
def test_stacks(value: str) -> None:
    create.check_stack(value)


def test_dns_words(tmp_path: Path) -> None:
    for value in ("inherit", "pot", "off"):
        create.check_dns(value, tmp_path)


def test_dns_custom_file(tmp_path: Path) -> None:
    (tmp_path / "resolv.conf").write_text("nameserver 1.1.1.1\n")
    create.check_dns("custom:resolv.conf", tmp_path)
    create.check_dns(f"custom:{tmp_path / 'resolv.conf'}", Path("/"))


@pytest.mark.parametrize("value", ["custom:missing", "custom:", "custom:sub"])
def test_dns_custom_unreadable(tmp_path: Path, value: str) -> None:
    (tmp_path / "sub").mkdir()
    with pytest.raises(PotError) as err:
        create.check_dns(value, tmp_path)
    assert err.value.lines == (f"The file {value[7:]} is not valid or readable",)
    assert not err.value.usage


@pytest.mark.parametrize("value", ["", "custom", "none", "Pot", "pot:x"])
def test_dns_bad_word(tmp_path: Path, value: str) -> None:
    with pytest.raises(UsageError) as err:
        create.check_dns(value, tmp_path)
    assert err.value.lines == (f"'{value}' is not a valid dns option",)


# --------------------------------------------------------------------- hostname


@pytest.mark.parametrize(
    ("pot", "host", "limit", "expected"),
    [
        ("test", "vm", 64, "test.vm"),
        ("test", "host.example.org", 64, "test.host.example.org"),
        # exactly the limit still fits
        ("a" * 10, "b" * 5, 16, "a" * 10 + "." + "b" * 5),
        # one more and the host name goes
        ("a" * 10, "b" * 6, 16, "a" * 10),
        # the pot name alone at the limit is kept whole
        ("a" * 16, "b", 16, "a" * 16),
        # longer than the limit: cut
        ("a" * 17, "b", 16, "a" * 16),
        ("x" * 70, "vm", 64, "x" * 64),
    ],
)
def test_usable_hostname(pot: str, host: str, limit: int, expected: str) -> None:
    assert common.usable_hostname(pot, host, limit) == expected


# ---------------------------------------------------------------------- network


def _settings(tmp_path: Path) -> Settings:
    return Settings().with_values(POT_FS_ROOT=str(tmp_path))


def test_inherit_ignores_ip(tmp_path: Path) -> None:
    assert network_options.address(_settings(tmp_path), "inherit", "1.2.3.4", "", "ipv4") == ""


@pytest.mark.parametrize(
    ("ips", "stack", "lines"),
    [
        ("", "ipv4", ("option -i is mandatory with network type is alias",)),
        (
            "auto",
            "ipv4",
            ("-i auto not usable with network type alias - a real IP address has to be provided",),
        ),
        (
            "10.0.0.300",
            "ipv4",
            (
                "10.0.0.300 is not a valid IP address",
                "10.0.0.300 is not a valid alias configuration",
            ),
        ),
        (
            "fe80::1",
            "ipv4",
            (
                "Stack is ipv4 but not ipv4 address has been provided",
                "fe80::1 is not a valid alias configuration",
            ),
        ),
        (
            "10.0.0.1",
            "ipv6",
            (
                "Stack is ipv6 but not ipv6 address has been provided",
                "10.0.0.1 is not a valid alias configuration",
            ),
        ),
    ],
)
def test_alias_errors(tmp_path: Path, ips: str, stack: str, lines: tuple[str, ...]) -> None:
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(_settings(tmp_path), "alias", ips, "", stack)
    assert err.value.lines == lines
    assert not err.value.usage


def test_alias_nic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "interface_exists", lambda name: name == "em0")
    s = _settings(tmp_path)
    ips = "em0|10.0.0.1 fe80::1"
    assert network_options.address(s, "alias", ips, "", "dual") == ips
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(s, "alias", "em1|10.0.0.1", "", "ipv4")
    assert err.value.lines == (
        "em1 is not a valid network interface",
        "em1|10.0.0.1 is not a valid alias configuration",
    )


def test_bridges_need_vnet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "vnet_available", lambda: False)
    for kind in ("public-bridge", "private-bridge"):
        with pytest.raises(network_options.NetworkParamError) as err:
            network_options.address(_settings(tmp_path), kind, "", "b", "ipv4")
        assert err.value.lines == ("This kernel doesn't support VIMAGE! No vnet possible",)


@pytest.fixture
def vnet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "vnet_available", lambda: True)


@pytest.mark.usefixtures("vnet")
def test_public_bridge_auto_and_given(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    assert network_options.address(s, "public-bridge", "", "", "ipv4") == "10.192.0.3"
    potfactory.pot_conf_file(tmp_path, "a", "network_type=public-bridge\nip=10.192.0.3\n")
    assert network_options.address(s, "public-bridge", "auto", "", "ipv6") == "10.192.0.4"
    assert network_options.address(s, "public-bridge", "10.192.0.9", "", "ipv4") == "10.192.0.9"
    for taken in ("10.192.0.3", "10.192.0.1", "10.0.0.1", "10.192.0.9 10.192.0.10"):
        with pytest.raises(network_options.NetworkParamError) as err:
            network_options.address(s, "public-bridge", taken, "", "ipv4")
        assert err.value.lines == (
            f"The {taken} IP is not valid - run potnet validate -H {taken} for more information",
        )


@pytest.mark.usefixtures("vnet")
def test_public_bridge_full(tmp_path: Path) -> None:
    s = _settings(tmp_path).with_values(
        POT_NETWORK="10.1.0.0/30", POT_GATEWAY="10.1.0.1", POT_DNS_IP="10.1.0.2"
    )
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(s, "public-bridge", "", "", "ipv4")
    assert err.value.lines == ("No free IP address left in 10.1.0.0/30",)


@pytest.mark.usefixtures("vnet")
def test_private_bridge(tmp_path: Path) -> None:
    s = _settings(tmp_path)
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(s, "private-bridge", "", "br0", "ipv6")
    assert err.value.lines == ("private-bridge network type is not supported on ipv6 stack only",)
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(s, "private-bridge", "", "", "ipv4")
    assert err.value.lines == (
        "private-bridge network type requires -B option, to specify which private bridge to use",
    )
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(s, "private-bridge", "", "br0", "ipv4")
    assert err.value.lines == (
        " bridge br0 not found",  # printed with three spaces after ###>
        "bridge br0 is not valid. Have you already created it?",
    )
    (tmp_path / "bridges").mkdir()
    (tmp_path / "bridges" / "br0").write_text("net=10.192.1.0/29\ngateway=10.192.1.1\nname=br0\n")
    assert network_options.address(s, "private-bridge", "auto", "br0", "dual") == "10.192.1.2"
    assert network_options.address(s, "private-bridge", "10.192.1.6", "br0", "ipv4") == "10.192.1.6"
    with pytest.raises(network_options.NetworkParamError) as err:
        network_options.address(s, "private-bridge", "10.192.1.7", "br0", "ipv4")
    assert err.value.lines == (
        "The 10.192.1.7 IP is not valid for bridge br0 - run potnet validate -H 10.192.1.7"
        " -b br0 for more information",
    )
    assert addresses.validate(s, "10.192.1.6", "br0")


# ---------------------------------------------------------------------- crontab

CRONTAB = """\
SHELL=/bin/sh
*/11\t*\t*\t*\t*\troot\t/usr/libexec/save-entropy
# save-entropy
1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a
#1,31 adjkerntz save-entropy
0\t3\t*\t*\t*\troot\tperiodic daily
"""

COMMENTED = """\
SHELL=/bin/sh
# */11\t*\t*\t*\t*\troot\t/usr/libexec/save-entropy
# # save-entropy
# 1,31\t0-5\t*\t*\t*\troot\tadjkerntz -a
# # #1,31 adjkerntz save-entropy
0\t3\t*\t*\t*\troot\tperiodic daily
"""


def test_cron_jobs(tmp_path: Path) -> None:
    crontab = tmp_path / "crontab"
    crontab.write_text(CRONTAB)
    create.comment_cron_jobs(PotFile(tmp_path, "crontab", "pot p"))
    assert crontab.read_text() == COMMENTED


def test_no_crontab(tmp_path: Path) -> None:
    create.comment_cron_jobs(PotFile(tmp_path, "crontab", "pot p"))
    assert not (tmp_path / "crontab").exists()


# ------------------------------------------------------------------------- undo


def test_undo_reverse_order(tmp_path: Path) -> None:
    done: list[str] = []
    undo = Undo()
    for name in ("a", "b", "c"):
        undo.steps.append(_step(name, done))
    assert undo.run() == []
    assert done == ["c", "b", "a"]


def _step(name: str, done: list[str], *, fail: bool = False) -> _Step:

    def action() -> None:
        if fail:
            raise OSError(f"{name} failed")
        done.append(name)

    return _Step(name, action)


def test_folder_kept_when_an_earlier_step_failed(tmp_path: Path) -> None:
    folder = tmp_path / "pot"
    undo = Undo()
    undo.new_folder(folder)
    folder.mkdir()
    (folder / "x").write_text("x")
    done: list[str] = []
    undo.steps.append(_step("broken", done, fail=True))
    assert undo.run() == ["broken", f"remove {folder}"]
    assert (folder / "x").exists()


def test_existing_folder_not_recorded(tmp_path: Path) -> None:
    undo = Undo()
    undo.new_folder(tmp_path)
    assert undo.steps == []


@pytest.mark.parametrize("exc", [PotError("boom"), KeyboardInterrupt(), SystemExit(3)])
def test_undo_on_failure(tmp_path: Path, exc: BaseException) -> None:
    conf = tmp_path / "fscomp.conf"
    conf.write_text("old\n")
    with pytest.raises(type(exc)), undo_on_failure(keep=False) as undo:
        folder = tmp_path / "new"
        undo.new_folder(folder)
        folder.mkdir()
        undo.restore(PotFile(tmp_path, "fscomp.conf", "pot p"), conf.read_bytes())
        conf.write_text("new\n")
        raise exc
    assert not (tmp_path / "new").exists()
    assert conf.read_text() == "old\n"
    # the signal mask is back as it was
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set()


def test_keep(tmp_path: Path) -> None:
    with pytest.raises(PotError), undo_on_failure(keep=True) as undo:
        undo.new_folder(tmp_path / "new")
        (tmp_path / "new").mkdir()
        raise PotError("boom")
    assert (tmp_path / "new").is_dir()


def test_success_keeps_everything(tmp_path: Path) -> None:
    with undo_on_failure(keep=False) as undo:
        undo.new_folder(tmp_path / "new")
        (tmp_path / "new").mkdir()
    assert (tmp_path / "new").is_dir()
