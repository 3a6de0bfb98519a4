"""copy-in, copy-out, mount-in, mount-out end to end: a pot on real ZFS (potfactory), the
FreeBSD tools through the stand-ins (real bind mounts and chroot jails as root), the CLI
as users run it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from potfactory import init_layout, single_pot
from standins.harness import Standins, busybox_root, run_pot

from pot.cli.helptext import help_text

if TYPE_CHECKING:
    # tests/conftest.py (a plain import may find tests/cli/conftest.py first)
    from conftest import PotEnv

pytestmark = pytest.mark.zfs


class Pot:
    """The pot ``test`` and the paths the tests look at."""

    def __init__(self, env: PotEnv, standins: Standins) -> None:
        self.env = env
        self.standins = standins
        self.fs_root: Path = env.fs_root
        self.zfs_root: str = env.zfs_root
        self.dir = self.fs_root / "jails" / "test"
        self.m = self.dir / "m"
        self.fscomp = self.dir / "conf" / "fscomp.conf"
        self.conf = self.dir / "conf" / "pot.conf"

    def running(self) -> None:
        """jls says the pot runs (no jail is created)."""
        self.standins.fail("jls", "-j", "test", rc=0)

    def calls(self, *tools: str) -> list[list[str]]:
        return [c for c in self.standins.calls() if not tools or c[0] in tools]


@pytest.fixture
def pot(pot_env: PotEnv, standins: Standins) -> Pot:
    init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    single_pot(pot_env.zfs_root, pot_env.fs_root, "test")
    p = Pot(pot_env, standins)
    busybox_root(p.m)
    return p


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    (folder / "d" / "sub").mkdir(parents=True)
    (folder / "f.txt").write_text("hello\n")
    (folder / "d" / "x").write_text("x\n")
    (folder / "d" / "sub" / "y").write_text("y\n")
    return folder


def _temp_name(p: Pot, calls: list[list[str]], stem: str) -> str:
    """The random name of copy-in's temporary folder, from the mount_nullfs call."""
    target = next(c[-1] for c in calls if c[0] == "mount_nullfs")
    name = Path(target).relative_to(p.m / "tmp").parts[0]
    assert name.startswith(stem) and len(name) == len(stem) + 8
    return name


def _copy_temp(calls: list[list[str]], final: str) -> str:
    """The temporary in-pot name cp wrote to before the rename to ``final``."""
    temp = next(c[-1] for c in calls if "/bin/cp" in c or "command=/bin/cp" in c)
    parent, base = final.rsplit("/", 1)
    assert temp.startswith(f"{parent}/.{base}.copy-in.") and len(temp) == len(final) + 18
    return temp


def _leftovers(p: Pot) -> list[str]:
    return sorted(n for n in os.listdir(p.m / "tmp") if n.startswith("copy-"))


# ------------------------------------------------------------------------ copy-in


def test_copy_in_a_file(pot: Pot, src: Path) -> None:
    code, out, _ = run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/etc")
    assert (code, out) == (0, "")
    assert (pot.m / "etc" / "f.txt").read_text() == "hello\n"
    calls = pot.calls("mount", "mount_nullfs", "umount", "jail", "jexec")
    name = _temp_name(pot, calls, "copy-in.")
    temp = _copy_temp(calls, "/etc/f.txt")
    tmp = f"{pot.m}/tmp"
    assert [c for c in calls if c != ["mount"]] == [
        ["mount", "-t", "tmpfs", "tmpfs", tmp],
        ["mount_nullfs", "-o", "ro", str(src), f"{tmp}/{name}"],
        ["jail", "-c", f"path={pot.m}", "command=/bin/cp", "-a", f"/tmp/{name}/f.txt", temp],
        ["jail", "-c", f"path={pot.m}", "command=/bin/mv", temp, "/etc/f.txt"],
        ["umount", "-f", f"{tmp}/{name}"],
        ["umount", "-f", tmp],
    ]
    assert pot.standins.mounts() == []
    assert _leftovers(pot) == []


def test_copy_in_a_directory_keeps_its_name(pot: Pot, src: Path) -> None:
    assert run_pot("copy-in", "-p", "test", "-s", str(src / "d"), "-d", "/root")[0] == 0
    assert (pot.m / "root" / "d" / "sub" / "y").read_text() == "y\n"
    assert run_pot("copy-in", "-p", "test", "-s", f"{src}/d/", "-d", "/srv")[0] == 0
    assert (pot.m / "srv" / "x").read_text() == "x\n"
    calls = pot.calls("mount_nullfs", "jail")
    name = _temp_name(pot, calls, "copy-in.")
    temp = _copy_temp(calls, "/root/d")
    assert calls[:3] == [
        ["mount_nullfs", "-o", "ro", str(src / "d"), f"{pot.m}/tmp/{name}/d"],
        ["jail", "-c", f"path={pot.m}", "command=/bin/cp", "-a", f"/tmp/{name}/d", temp],
        ["jail", "-c", f"path={pot.m}", "command=/bin/mv", temp, "/root/d"],
    ]
    # copied again into the same place: merged by cp, in place
    pot.standins.clear_calls()
    assert run_pot("copy-in", "-p", "test", "-s", str(src / "d"), "-d", "/root")[0] == 0
    assert pot.calls("jail")[0][-1] == "/root"
    assert pot.standins.mounts() == []


def test_copy_in_creates_the_parent_and_is_verbose(pot: Pot, src: Path) -> None:
    code, _, _ = run_pot(
        "copy-in", "-v", "-c", "-p", "test", "-s", str(src / "f.txt"), "-d", "/a/b/f"
    )
    assert code == 0
    assert (pot.m / "a" / "b" / "f").read_text() == "hello\n"
    jails = pot.calls("jail")
    assert jails[0] == ["jail", "-c", f"path={pot.m}", "command=/bin/mkdir", "-p", "/a/b"]
    assert jails[1][3:5] == ["command=/bin/cp", "-va"]


def test_copy_in_no_tmpfs_pot(pot: Pot, src: Path) -> None:
    pot.conf.write_text(pot.conf.read_text().replace("no-tmpfs=NO", "no-tmpfs=YES"))
    assert run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/etc")[0] == 0
    assert ["mount", "-t", "tmpfs"] not in [c[:3] for c in pot.calls("mount")]
    assert _leftovers(pot) == []


def test_copy_in_running_pot(pot: Pot, src: Path) -> None:
    pot.running()
    code, out, _ = run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/etc")
    assert (code, out) == (
        1,
        "###>  Copying files on a running pot is discouraged, it can partially expose the"
        " host file system to the jail\n"
        "===>  Using the -F flag, the operation can be executed anyway, but we disagree\n",
    )
    pot.standins.fail("jexec", rc=0)
    pot.standins.clear_calls()
    args = ("copy-in", "-F", "-p", "test", "-s", str(src / "f.txt"), "-d", "/etc")
    assert run_pot(*args)[0] == 0
    calls = pot.calls("mount", "mount_nullfs", "jexec", "jail", "umount")
    name = _temp_name(pot, calls, "copy-in.")
    temp = _copy_temp(calls, "/etc/f.txt")
    assert [c for c in calls if c != ["mount"]] == [
        ["mount_nullfs", "-o", "ro", str(src), f"{pot.m}/tmp/{name}"],
        ["jexec", "test", "/bin/cp", "-a", f"/tmp/{name}/f.txt", temp],
        ["jexec", "test", "/bin/mv", temp, "/etc/f.txt"],
        ["umount", "-f", f"{pot.m}/tmp/{name}"],
    ]
    assert _leftovers(pot) == []


def test_copy_in_failing_copy(pot: Pot, src: Path) -> None:
    code, out, _ = run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/no/dir/f")
    assert (code, out) == (1, f"###>  Source {src}/f.txt NOT copied because of an error\n")
    assert pot.standins.mounts() == []
    assert _leftovers(pot) == []


def test_copy_in_full_disk_leaves_no_partial_file(pot: Pot, src: Path) -> None:
    # a full file system in the pot: cp fails half way with "No space left on device"
    srv = pot.m / "srv"
    srv.mkdir()
    # Linux's own mount: the stand-in on PATH only simulates one
    subprocess.run(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(srv)], check=True)
    try:
        (srv / "keep").write_text("kept\n")
        big = src / "big"
        big.write_bytes(os.urandom(4 << 20))
        code, out, _ = run_pot("copy-in", "-p", "test", "-s", str(big), "-d", "/srv")
        assert (code, out) == (1, f"###>  Source {big} NOT copied because of an error\n")
        assert sorted(os.listdir(srv)) == ["keep"]
    finally:
        subprocess.run(["/bin/umount", str(srv)], check=True)
    assert pot.standins.mounts() == []
    assert _leftovers(pot) == []


# ------------------------------------------------------------- never out of the pot


def test_copy_in_refuses_to_climb_out(pot: Pot, src: Path, tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (pot.m / "out").symlink_to("../../../../../host")
    (pot.m / "usr" / "up").symlink_to("../../..")
    for dest in ("/../../../../host/f", "/out", "/out/f", "/usr/up/f", "/etc/../../f"):
        code, out, _ = run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", dest)
        assert (code, out) == (1, f"###>  The destination {dest} is outside the pot test\n")
    assert os.listdir(host) == []
    assert pot.calls("jail", "mount_nullfs") == []
    assert pot.standins.mounts() == []


def test_copy_in_through_absolute_links_stays_inside(pot: Pot, src: Path) -> None:
    # inside the jail /data is the pot's own /usr/local, whatever the host has there
    (pot.m / "data").symlink_to("/usr/local")
    (pot.m / "myetc").symlink_to("/etc")
    assert run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/data")[0] == 0
    assert run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/myetc/g")[0] == 0
    assert (pot.m / "usr" / "local" / "f.txt").read_text() == "hello\n"
    assert (pot.m / "etc" / "g").read_text() == "hello\n"
    assert not Path("/etc/g").exists()


def test_copy_in_never_mounts_over_the_hosts_tmp(pot: Pot, src: Path) -> None:
    (pot.m / "tmp").rmdir()
    (pot.m / "tmp").symlink_to("/tmp")
    code, out, _ = run_pot("copy-in", "-p", "test", "-s", str(src / "f.txt"), "-d", "/etc")
    assert code == 1
    assert out == "###>  The mount point /tmp is not valid: Too many levels of symbolic links\n"
    assert pot.calls("mount_nullfs", "jail") == []
    assert ["mount", "-t", "tmpfs"] not in [c[:3] for c in pot.calls("mount")]


# ------------------------------------------------------------------ copy-in: bad input


def test_copy_in_bad_input(pot: Pot, src: Path) -> None:
    help_ = help_text("copy-in")
    f = str(src / "f.txt")
    cases = [
        (("-s", f, "-d", "/etc"), "###>  A pot name is mandatory\n" + help_),
        (("-p", "test", "-d", "/etc"), "###>  A source is mandatory\n" + help_),
        (("-p", "test", "-s", f), "###>  A destination is mandatory\n" + help_),
        (
            ("-p", "test", "-s", f, "-d", "etc"),
            "###>  The destination has to be an absolute pathname\n",
        ),
        (
            ("-p", "nope", "-s", f, "-d", "/etc"),
            "###>   Pot nope not found\n###>  pot nope is not valid\n" + help_,
        ),
        (("-p", "test", "-s", f + "x", "-d", "/etc"), f"###>  {f}x not valid\n" + help_),
    ]
    for args, expected in cases:
        assert run_pot("copy-in", *args)[:2] == (1, expected)
    assert pot.calls("mount", "mount_nullfs", "jail") == []


# ----------------------------------------------------------------------- copy-out


def test_copy_out(pot: Pot, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    (pot.m / "etc" / "secret").write_text("s\n")
    assert run_pot("copy-out", "-p", "test", "-s", "/etc/secret", "-d", str(dest)) == (0, "", "")
    assert (dest / "secret").read_text() == "s\n"
    calls = pot.calls("mount_nullfs", "jail")
    name = _temp_name(pot, calls, "copy-out.")
    assert calls == [
        ["mount_nullfs", str(dest), f"{pot.m}/tmp/{name}"],
        ["jail", "-c", f"path={pot.m}", "command=/bin/cp", "-a", "/etc/secret", f"/tmp/{name}"],
    ]
    assert pot.standins.mounts() == []


def test_copy_out_bad_input(pot: Pot, tmp_path: Path) -> None:
    help_ = help_text("copy-out")
    assert run_pot("copy-out", "-p", "test", "-s", "etc/x", "-d", str(tmp_path))[:2] == (
        1,
        "###>  The source has to be an absolute pathname\n",
    )
    missing = tmp_path / "missing"
    assert run_pot("copy-out", "-p", "test", "-s", "/etc/x", "-d", str(missing))[:2] == (
        1,
        f"###>  {missing} not valid\n" + help_,
    )
    assert pot.calls("mount_nullfs", "jail") == []


# ----------------------------------------------------------------------- mount-in


def test_mount_in_directory_on_a_stopped_pot(pot: Pot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    assert run_pot("mount-in", "-p", "test", "-d", f"{data}/", "-m", "/srv/data") == (0, "", "")
    assert run_pot("mount-in", "-p", "test", "-d", str(tmp_path), "-m", "/ro", "-r")[0] == 0
    assert pot.fscomp.read_text() == f"{data} /srv/data\n{tmp_path} /ro ro\n"
    assert (pot.m / "srv" / "data").is_dir()
    # the pot was mounted for the checks only (with the first mount for the second check)
    tmp = f"{pot.m}/tmp"
    assert [c for c in pot.calls("mount", "mount_nullfs", "umount") if c != ["mount"]] == [
        ["mount", "-t", "tmpfs", "tmpfs", tmp],
        ["umount", "-f", tmp],
        ["mount_nullfs", "-o", "rw", str(data), f"{pot.m}/srv/data"],
        ["mount", "-t", "tmpfs", "tmpfs", tmp],
        ["umount", "-f", tmp],
        ["umount", "-f", f"{pot.m}/srv/data"],
    ]
    assert pot.standins.mounts() == []


def test_mount_in_directory_on_a_running_pot(pot: Pot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "file").write_text("f\n")
    pot.running()
    assert run_pot("mount-in", "-p", "test", "-d", str(data), "-m", "/data", "-r")[0] == 0
    assert pot.calls("mount_nullfs") == [["mount_nullfs", "-o", "ro", str(data), f"{pot.m}/data"]]
    assert (pot.m / "data" / "file").read_text() == "f\n"
    assert pot.fscomp.read_text() == f"{data} /data ro\n"
    assert run_pot("mount-out", "-p", "test", "-m", "/data") == (0, "", "")
    assert pot.calls("umount") == [["umount", "-f", f"{pot.m}/data"]]
    assert pot.fscomp.read_text() == ""
    assert pot.standins.mounts() == []


def _real_zfs(*args: str) -> str:
    env = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return subprocess.run(
        ["zfs", *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def _fscomp(p: Pot, name: str) -> str:
    dataset = f"{p.zfs_root}/fscomp/{name}"
    subprocess.run(["zfs", "create", dataset], check=True, capture_output=True)
    return dataset


def test_mount_in_fscomp_and_dataset_legacy_lines(pot: Pot) -> None:
    vol = _fscomp(pot, "vol")
    other = _fscomp(pot, "other")
    assert run_pot("mount-in", "-p", "test", "-f", "vol", "-m", "/vol") == (0, "", "")
    code, out, _ = run_pot("mount-in", "-p", "test", "-z", other, "-m", "/o", "-w", "-r")
    assert (code, out) == (
        0,
        "===>  Readonly and remount are mutually exclusive: readonly considered, remount ignored\n",
    )
    # each check mounts the pot, which converts the legacy lines written so far to the
    # relative form (a trailing blank without option), as upstream
    assert pot.fscomp.read_text() == f"{vol} /vol \n{other} {pot.m}/o ro\n"
    assert run_pot("mount-in", "-p", "test", "-z", other, "-m", "/w", "-w")[0] == 0
    assert pot.fscomp.read_text() == (
        f"{vol} /vol \n{other} /o ro\n{other} {pot.m}/w zfs-remount\n"
    )
    assert pot.standins.mounts() == []


def test_mount_in_running_zfs_remount(pot: Pot) -> None:
    vol = _fscomp(pot, "vol")
    pot.running()
    # zfs-fuse unmounts with umount(8) from PATH, which is the stand-in here
    _real_zfs("unmount", vol)
    assert run_pot("mount-in", "-p", "test", "-f", "vol", "-m", "/vol", "-w") == (0, "", "")
    assert _real_zfs("get", "-H", "-o", "value", "mountpoint", vol) == f"{pot.m}/vol\n"
    assert pot.fscomp.read_text() == f"{vol} {pot.m}/vol zfs-remount\n"
    assert pot.calls("mount_nullfs") == []
    _real_zfs("inherit", "mountpoint", vol)


def test_mount_in_resolves_the_mount_point_inside_the_pot(pot: Pot, tmp_path: Path) -> None:
    (pot.m / "link").symlink_to("/usr/local")
    assert run_pot("mount-in", "-p", "test", "-d", str(tmp_path), "-m", "/link")[0] == 0
    assert pot.fscomp.read_text() == f"{tmp_path} /usr/local\n"


def test_mount_in_refuses_to_climb_out(pot: Pot, tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (pot.m / "out").symlink_to("../../../../../host")
    data = tmp_path / "data"
    data.mkdir()
    code, out, _ = run_pot("mount-in", "-p", "test", "-d", str(data), "-m", "/out/x")
    assert (code, out) == (
        1,
        "###>  The mount point /out/x is outside the pot test\n"
        "###>  The mountpoint is not valid!\n",
    )
    assert os.listdir(host) == []
    assert pot.fscomp.read_text() == ""


def test_mount_in_checks(pot: Pot, tmp_path: Path) -> None:
    help_ = help_text("mount-in")
    d = str(tmp_path)
    vol = _fscomp(pot, "vol")
    (pot.fs_root / "fscomp" / "ghost").mkdir()
    pdir = str(pot.dir)
    cases = [
        (("-d", d, "-m", "/x"), "###>  A pot name is mandatory\n" + help_),
        (("-p", "test", "-m", "/x"), "###>  One of -f|-d|-z option has to be used\n" + help_),
        (
            ("-p", "test", "-f", "vol", "-d", d),
            "###>  -f and -d options are mutually exclusive\n" + help_,
        ),
        (
            ("-p", "test", "-f", "vol", "-z", vol),
            "###>  -f and -z options are mutually exclusive\n" + help_,
        ),
        (
            ("-p", "test", "-d", d, "-z", vol),
            "###>  -d and -z options are mutually exclusive\n" + help_,
        ),
        (("-p", "test", "-d", d), "###>  A mount point is mandatory\n" + help_),
        (("-p", "test", "-d", d, "-m", "/a b"), "###>  The mountpoint cannot contain spaces\n"),
        (
            ("-p", "test", "-d", d, "-m", "x"),
            "###>  The mount point has to be an absolute pathname\n",
        ),
        (("-p", "test", "-d", d, "-m", "/"), "###>  / is not a valid mount point\n"),
        (
            ("-p", "test", "-d", d, "-m", "/x", "-w"),
            "###>  Remount cannot be used with directories, but with fscomp only\n" + help_,
        ),
        (
            ("-p", "test", "-f", "nofs", "-m", "/x"),
            "###>   fscomp nofs not found\n###>  fscomp nofs is not valid\n" + help_,
        ),
        (
            ("-p", "test", "-f", "ghost", "-m", "/x"),
            f"###>   dataset {pot.zfs_root}/fscomp/ghost for fscomp ghost not found\n"
            "###>  fscomp ghost is not valid\n" + help_,
        ),
        (
            ("-p", "test", "-z", "no/such", "-m", "/x"),
            "###>  dataset no/such is not valid\n" + help_,
        ),
        (
            ("-p", "test", "-d", d + "/nodir", "-m", "/x"),
            f"###>  {d}/nodir is not a directory\n" + help_,
        ),
        (
            ("-p", "test", "-d", pdir, "-m", "/x"),
            f"###>  Directory {pdir} not valid, already used or already part of the pot\n",
        ),
        (
            ("-p", "test", "-d", f"{pdir}/m/etc", "-m", "/x"),
            f"###>  Directory {pdir}/m/etc not valid, already used or already part of the pot\n",
        ),
        (
            ("-p", "nope", "-d", d, "-m", "/x"),
            "###>   Pot nope not found\n###>  pot nope is not valid\n" + help_,
        ),
    ]
    for args, expected in cases:
        assert run_pot("mount-in", *args)[:2] == (1, expected), args
    assert pot.fscomp.read_text() == ""
    assert pot.calls("mount", "mount_nullfs") == []


def test_mount_in_used_mount_point_and_directory(pot: Pot, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert run_pot("mount-in", "-p", "test", "-d", str(a), "-m", "/data")[0] == 0
    assert run_pot("mount-in", "-p", "test", "-d", str(a), "-m", "/other")[:2] == (
        1,
        f"###>  Directory {a} not valid, already used or already part of the pot\n",
    )
    assert run_pot("mount-in", "-p", "test", "-d", str(b), "-m", "/data")[:2] == (
        1,
        "###>  The mount point /data is already in use\n###>  The mountpoint is not valid!\n",
    )
    assert pot.fscomp.read_text() == f"{a} /data\n"


# ---------------------------------------------------------------------- mount-out


def test_mount_out_removes_either_form(pot: Pot, tmp_path: Path) -> None:
    a, b = _fscomp(pot, "a"), _fscomp(pot, "b")
    pot.fscomp.write_text(f"{tmp_path} /keep\n{a} {pot.m}/a\n{b} {pot.m}/b ro\n{tmp_path} /c ro\n")
    for d in ("a", "b", "c", "keep"):
        (pot.m / d).mkdir()
    assert run_pot("mount-out", "-p", "test", "-m", "/a") == (0, "", "")
    # the check mounted the pot, which converted the file to the relative form
    assert pot.fscomp.read_text() == f"{tmp_path} /keep \n{b} /b ro\n{tmp_path} /c ro\n"
    assert run_pot("mount-out", "-p", "test", "-m", "/c/")[0] == 0
    assert run_pot("mount-out", "-p", "test", "-m", "/b")[0] == 0
    assert pot.fscomp.read_text() == f"{tmp_path} /keep \n"
    assert pot.standins.mounts() == []


def test_mount_out_checks(pot: Pot) -> None:
    help_ = help_text("mount-out")
    cases = [
        (("-m", "/x"), "###>  A pot name is mandatory\n" + help_),
        (("-p", "test"), "###>  A mount point is mandatory\n" + help_),
        (("-p", "test", "-m", "x"), "###>  The mount point has to be an absolute pathname\n"),
        (("-p", "test", "-m", "/"), "###>  / is not a valid mount point\n"),
        (
            ("-p", "nope", "-m", "/x"),
            "###>   Pot nope not found\n###>  pot nope is not valid\n" + help_,
        ),
        (
            ("-p", "test", "-m", "/etc"),
            "###>  The mount point /etc is not in use\n###>  The mountpoint is not valid!\n",
        ),
        (
            ("-p", "test", "-m", "/missing"),
            "###>  The mount point /missing is not in use\n###>  The mountpoint is not valid!\n",
        ),
    ]
    for args, expected in cases:
        assert run_pot("mount-out", *args)[:2] == (1, expected), args
