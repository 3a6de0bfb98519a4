"""destroy (pots, bases, fscomps, bridges), rename and prune on real ZFS, through the CLI."""

from __future__ import annotations

import os
import socket

import potcli
import pytest
from potcli import PotCli

from pot.cli.helptext import HELP
from pot.errors import PotRunning
from pot.ops import destroy, prune

pytestmark = pytest.mark.zfs

ROOT_ERROR = "###>   This operation needs 'root' privilegies\n"


@pytest.fixture
def env(pot_cli: PotCli) -> PotCli:
    return pot_cli


def _pots(env: PotCli) -> list[str]:
    return sorted(os.listdir(env.fs_root / "jails"))


# --------------------------------------------------------------------------- -p


def test_destroy_a_pot(env: PotCli) -> None:
    env.single("web")
    env.single("other")
    env.snap("jails/web", "1000000001")
    status = env.tmp / "pot_status_web"
    status.write_text("pot.status=stopped,\n")
    assert env.run("destroy", "-p", "web") == (0, "===>  Destroying pot web\n", "")
    assert env.tree("jails") == ["jails", "jails/other", "jails/other/m"]
    assert _pots(env) == ["other"]
    assert not status.exists()


def test_destroy_quietly(env: PotCli) -> None:
    env.single("web")
    assert env.run("destroy", "-q", "-p", "web") == (0, "", "")
    assert env.tree("jails") == ["jails"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "-b or -p or -f or -B are missing"),
        (("-p", ""), "-b or -p or -f or -B are missing"),
        (("-p", "web", "-b", "14.1"), "-b, -p, -f and -B cannot be used at the same time"),
        (("-f", "data", "-B", "br1"), "-b, -p, -f and -B cannot be used at the same time"),
    ],
)
def test_option_errors(env: PotCli, args: tuple[str, ...], message: str) -> None:
    assert env.run("destroy", *args) == (1, f"###>  {message}\n" + HELP["destroy"], "")


def test_root_is_checked_before_anything_else(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    env.single("web")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("destroy", "-p", "web") == (1, ROOT_ERROR, "")
    assert env.run("destroy", "-p", "nope") == (1, ROOT_ERROR, "")
    assert _pots(env) == ["web"]


def test_not_a_pot(env: PotCli) -> None:
    assert env.run("destroy", "-p", "nope") == (
        1,
        "###>   Pot nope not found\n"
        "###>  pot nope not found or corrupted. Try to use the -F flag\n",
        "",
    )


def test_a_broken_pot_goes_only_with_force(env: PotCli) -> None:
    env.single("web")
    (env.fs_root / "jails" / "web" / "conf" / "pot.conf").unlink()
    assert env.run("destroy", "-p", "web") == (
        1,
        "###>   Some component of the pot web is missing\n"
        "###>  pot web not found or corrupted. Try to use the -F flag\n",
        "",
    )
    assert env.run("destroy", "-F", "-p", "web") == (0, "===>  Forcibly destroyed pot web\n", "")
    assert env.tree("jails") == ["jails"]
    assert _pots(env) == []


def test_a_running_pot_is_refused_without_force(env: PotCli) -> None:
    env.single("web")
    env.start("web")
    assert env.run("destroy", "-p", "web") == (1, "###>  pot web is running\n", "")
    assert _pots(env) == ["web"]


def test_force_stops_a_running_pot_first(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    env.single("web")
    env.start("web")
    stopped: list[str] = []

    def stop(_s: object, pot: str) -> None:
        stopped.append(pot)
        env.stop(pot)

    destroy.destroy_pot(env.settings, "web", force=True, stop=stop)
    assert stopped == ["web"]
    assert env.tree("jails") == ["jails"]


def test_pots_based_on_a_single_pot(env: PotCli) -> None:
    env.single("web")
    env.single("child")
    env.set("child", "pot.potbase", "web")
    env.single("friend")
    env.set("friend", "pot.depend", "web")
    assert env.run("destroy", "-p", "web") == (
        1,
        "###>  web is used at least by another pot (child)"
        " - use option -r to destroy it recursively\n",
        "",
    )
    assert _pots(env) == ["child", "friend", "web"]
    assert env.run("destroy", "-r", "-p", "web") == (
        0,
        "===>  pot friend is losing his dependency web\n===>  Destroying pot web\n",
        "",
    )
    assert _pots(env) == ["friend"]
    assert "pot.depend=web" in env.conf("friend").lines


def test_a_running_dependent_stops_everything_before_it_starts(env: PotCli) -> None:
    env.single("web")
    env.single("child")
    env.set("child", "pot.potbase", "web")
    env.start("child")
    assert env.run("destroy", "-r", "-p", "web") == (1, "###>  pot child is running\n", "")
    assert _pots(env) == ["child", "web"]


def test_levels_of_multi_pots(env: PotCli) -> None:
    env.base("14.1")
    env.multi("base-14_1", level=0)
    env.multi("lvl1", level=1, potbase="base-14_1")
    env.multi("lvl2", level=2, potbase="lvl1")
    assert env.run("destroy", "-p", "base-14_1") == (
        1,
        "###>  The pot base-14_1 has level 0. Please destroy the related base insted\n",
        "",
    )
    assert env.run("destroy", "-p", "lvl1") == (
        1,
        "###>  lvl1 is used at least by one level 2 pot"
        " - use option -r to destroy it recursively\n",
        "",
    )
    assert (
        env.run("destroy", "-v", "-r", "-p", "lvl2")[1].count(
            "=====>  lvl2 has level 2. No recursive destroy possible (ignored)\n"
        )
        == 1
    )
    env.multi("lvl2", level=2, potbase="lvl1")
    assert env.run("destroy", "-r", "-p", "lvl1") == (0, "===>  Destroying pot lvl1\n", "")
    assert _pots(env) == ["base-14_1"]


def test_dependent_clones_protect_the_pot_and_nothing_is_destroyed(env: PotCli) -> None:
    env.single("image")
    env.single("child")
    env.set("child", "pot.potbase", "image")
    env.snap("jails/image", "1000000001")
    z = env.zfs_root
    env.zfs("clone", f"{z}/jails/image/m@1000000001", f"{z}/fscomp/alloc")
    code, out, err = env.run("destroy", "-r", "-p", "image")
    assert (code, out, err) == (
        1,
        f"###>  {z}/jails/image has dependent clones: {z}/fscomp/alloc\n"
        f"###>  zfs failed to destroy the dataset {z}/jails/image\n"
        "###>  image destruction failed\n",
        "",
    )
    assert _pots(env) == ["child", "image"]
    assert "jails/child" in env.tree("jails")


def test_a_zfs_failure_is_reported_with_zfs_words(
    env: PotCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.single("web")
    z = env.zfs_root
    real = env.tmp / "zfs-bin"
    real.mkdir()
    # a zfs that fails destroy and answers everything else for real
    (real / "zfs").write_text(
        '#!/bin/sh\nif [ "$1" = destroy ]; then echo "cannot destroy: simulated" >&2; exit 1; fi\n'
        f'exec {potcli.real_zfs()} "$@"\n'
    )
    (real / "zfs").chmod(0o755)
    monkeypatch.setenv("PATH", f"{real}{os.pathsep}{os.environ['PATH']}")
    assert env.run("destroy", "-p", "web") == (
        1,
        f"===>  Destroying pot web\n###>  zfs failed to destroy the dataset {z}/jails/web\n"
        "###>  web destruction failed\n",
        "cannot destroy: simulated\n",
    )


# --------------------------------------------------------------------------- -b


def test_destroy_a_base_and_its_level_0_pot(env: PotCli) -> None:
    env.base("14.1")
    env.multi("base-14_1", level=0)
    assert env.run("destroy", "-b", "14.1") == (0, "===>  Destroying base 14.1\n", "")
    assert env.tree("bases") == ["bases"]
    assert env.tree("jails") == ["jails"]
    assert os.listdir(env.fs_root / "bases") == []


def test_a_base_in_use_needs_recursive(env: PotCli) -> None:
    env.base("14.1")
    env.multi("base-14_1", level=0)
    env.multi("lvl1", level=1, potbase="base-14_1")
    env.multi("lvl2", level=2, potbase="lvl1")
    env.single("single")  # a single pot stores its release in pot.base: it counts
    env.single("other", release="13.2")
    assert env.run("destroy", "-b", "14.1") == (
        1,
        "###>  base 14.1 is used at least by one pot - use option -r to destroy it recursively\n",
        "",
    )
    assert env.run("destroy", "-r", "-b", "14.1") == (
        0,
        "===>  Destroying recursively pot lvl2 based on 14.1\n"
        "===>  Destroying recursively pot lvl1 based on 14.1\n"
        "===>  Destroying recursively pot base-14_1 based on 14.1\n"
        "===>  Destroying recursively pot single based on 14.1\n"
        "===>  Destroying base 14.1\n",
        "",
    )
    assert _pots(env) == ["other"]
    assert env.tree("bases") == ["bases"]


def test_a_base_without_its_pot_and_not_a_base(env: PotCli) -> None:
    env.base("14.1")
    assert env.run("destroy", "-b", "14.1") == (
        0,
        "###>  base-14_1 not found\n===>  Destroying base 14.1\n",
        "",
    )
    assert env.run("destroy", "-b", "14.1") == (1, "###>  14.1 is not a base\n", "")


# --------------------------------------------------------------------------- -f and -B


def test_destroy_an_fscomp(env: PotCli) -> None:
    env.fscomp("data")
    assert env.run("destroy", "-F", "-f", "data") == (
        0,
        "===>  Destroy fscomps will ignore force and recursive\n===>  Destroying fscomp data\n",
        "",
    )
    assert env.tree("fscomp") == ["fscomp"]
    assert os.listdir(env.fs_root / "fscomp") == []
    assert env.run("destroy", "-f", "data") == (1, "###>  data is not a fscomp\n", "")


def test_an_fscomp_with_clones_stays(env: PotCli) -> None:
    z = env.zfs_root
    env.fscomp("data")
    env.snap("fscomp/data", "1000000001", recursive=False)
    env.zfs("clone", f"{z}/fscomp/data@1000000001", f"{z}/fscomp/copy")
    assert env.run("destroy", "-f", "data") == (
        1,
        f"###>  {z}/fscomp/data has dependent clones: {z}/fscomp/copy\n"
        f"###>  zfs failed to destroy the dataset {z}/fscomp/data\n",
        "",
    )
    assert "fscomp/data" in env.tree("fscomp")


def test_destroy_a_bridge(env: PotCli) -> None:
    path = env.bridge("br1", "10.192.0.16/29", "10.192.0.17")
    env.single("web", network_type="private-bridge", ip="10.192.0.18", bridge="br1")
    assert env.run("destroy", "-B", "br1") == (
        1,
        "###>  the bridge br1 is still used by the pot web - unable to delete\n",
        "",
    )
    assert env.run("destroy", "-p", "web")[0] == 0
    assert env.run("destroy", "-r", "-B", "br1") == (
        0,
        "===>  Destroy bridge will ignore force and recursive\n===>  Destroying bridge br1\n",
        "",
    )
    assert not path.exists()
    assert env.run("destroy", "-B", "br1") == (
        1,
        "###>   bridge br1 not found\n###>  br1 is not a valid bridge name\n",
        "",
    )


# --------------------------------------------------------------------------- rename


def test_rename_a_single_pot(env: PotCli) -> None:
    fscomp = env.with_child("old", "child")
    status = env.tmp / "pot_status_old"
    status.write_text("pot.status=stopped,\n")
    before = env.conf("old").lines

    assert env.run("rename", "-p", "old", "-n", "new") == (0, "", "")

    assert env.tree("jails") == [
        "jails",
        "jails/child",
        "jails/child/m",
        "jails/new",
        "jails/new/m",
    ]
    mounts = env.zfs(
        "list", "-H", "-o", "name,mountpoint,mounted", "-r", f"{env.zfs_root}/jails/new"
    )
    assert mounts.splitlines() == [
        f"{env.zfs_root}/jails/new\t{env.fs_root}/jails/new\tyes",
        f"{env.zfs_root}/jails/new/m\t{env.fs_root}/jails/new/m\tyes",
    ]
    assert _pots(env) == ["child", "new"]
    hostname = f'host.hostname="new.{socket.gethostname()}"'
    assert env.conf("new").lines == [
        *(line for line in before if not line.startswith("host.hostname=")),
        hostname,
    ]
    assert (env.fs_root / "jails" / "new" / "m" / "etc" / "rc.conf").exists()
    assert "pot.potbase=new" in env.conf("child").lines
    assert "pot.depend=new" in env.conf("child").lines
    assert fscomp.read_text() == f"{env.fs_root}/jails/new/m/data /data\n"
    assert status.exists()  # upstream does not rename the status file


def test_rename_a_multi_pot(env: PotCli) -> None:
    env.base("14.1")
    env.multi("old", level=1)
    assert env.run("rename", "-p", "old", "-n", "new") == (0, "", "")
    z, fs = env.zfs_root, env.fs_root
    mounts = env.zfs("list", "-H", "-o", "name,mountpoint,mounted", "-r", f"{z}/jails/new")
    assert sorted(mounts.splitlines()) == [
        f"{z}/jails/new\t{fs}/jails/new\tyes",
        f"{z}/jails/new/custom\t{fs}/jails/new/custom\tyes",
        f"{z}/jails/new/usr.local\t{fs}/jails/new/usr.local\tyes",
    ]
    assert f"{z}/jails/new/custom /opt/custom zfs-remount" in (
        (fs / "jails" / "new" / "conf" / "fscomp.conf").read_text().splitlines()
    )


def test_rename_errors(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    env.single("a")
    env.single("b")
    help_ = HELP["rename"]
    assert env.run("rename", "-n", "x") == (1, "###>  pot name is missing (-p)\n" + help_, "")
    assert env.run("rename", "-p", "a") == (1, "###>  new name is missing (-n)\n" + help_, "")
    assert env.run("rename", "-p", "nope", "-n", "x") == (
        1,
        "###>   Pot nope not found\n###>  nope is not a valid pot\n",
        "",
    )
    assert env.run("rename", "-p", "a", "-n", "b") == (1, "###>  pot b exists already\n", "")
    env.start("a")
    assert env.run("rename", "-p", "a", "-n", "c") == (1, "###>  pot a is still running\n", "")
    env.stop("a")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("rename", "-p", "a", "-n", "c") == (1, ROOT_ERROR, "")
    assert _pots(env) == ["a", "b"]


# --------------------------------------------------------------------------- prune


def _prunable(env: PotCli, pot: str, *, to_be_pruned: bool = True) -> None:
    env.single(pot)
    env.set(pot, "pot.attr.prunable", "YES")
    if to_be_pruned:
        env.set(pot, "pot.attr.to-be-pruned", "YES")


def test_prune_dry_run_and_for_real(env: PotCli) -> None:
    _prunable(env, "a")
    _prunable(env, "b", to_be_pruned=False)
    _prunable(env, "c")
    env.start("c")
    _prunable(env, "d")
    env.single("e")
    assert env.run("prune", "-n") == (0, "===>  Pruning a\n===>  Pruning d\n", "")
    assert _pots(env) == ["a", "b", "c", "d", "e"]
    assert env.run("prune") == (
        0,
        "===>  Pruning a\n===>  Destroying pot a\n===>  Pruned a\n"
        "===>  Pruning d\n===>  Destroying pot d\n===>  Pruned d\n",
        "",
    )
    assert _pots(env) == ["b", "c", "e"]


def test_prune_goes_on_after_a_failure(env: PotCli) -> None:
    z = env.zfs_root
    _prunable(env, "a")
    _prunable(env, "b")
    env.snap("jails/a", "1000000001")
    env.zfs("clone", f"{z}/jails/a/m@1000000001", f"{z}/fscomp/alloc")
    failure = (
        "===>  Pruning a\n"
        f"###>  {z}/jails/a has dependent clones: {z}/fscomp/alloc\n"
        f"###>  zfs failed to destroy the dataset {z}/jails/a\n"
        "###>  a destruction failed\n"
    )
    rest = "===>  Pruning b\n===>  Destroying pot b\n===>  Pruned b\n"
    assert env.run("prune") == (1, failure + "###>   Error while pruning a\n" + rest, "")
    assert _pots(env) == ["a"]
    assert env.run("prune", "-q") == (1, failure, "")


def test_prune_grace_period(env: PotCli) -> None:
    _prunable(env, "a")
    stats = env.fs_root / "jails" / "a" / "conf" / ".last_run_stats"
    stats.write_text('{ "ExitCode": 0 }\n')
    os.utime(stats, (1000, 1000))
    pauses: list[float] = []
    kept = prune.prune(env.settings, grace=True, now=lambda: 1059, sleep=pauses.append)
    assert kept == prune.Pruned((), ())
    assert pauses == []
    clock = iter([1060.0, 1061.0])  # a minute ago at the first look, and after the pause
    gone = prune.prune(env.settings, grace=True, now=lambda: next(clock), sleep=pauses.append)
    assert gone == prune.Pruned(("a",), ())
    assert pauses == [2.0]
    assert _pots(env) == []


def test_prune_needs_root(env: PotCli, monkeypatch: pytest.MonkeyPatch) -> None:
    _prunable(env, "a")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert env.run("prune", "-n") == (1, ROOT_ERROR, "")


def test_running_pots_are_never_pruned_even_forced(env: PotCli) -> None:
    _prunable(env, "a")
    env.start("a")
    assert prune.prune(env.settings) == prune.Pruned((), ())
    with pytest.raises(PotRunning):
        destroy.destroy_pot(env.settings, "a")
