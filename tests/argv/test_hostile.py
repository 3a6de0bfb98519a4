"""Hostile content in a pot's tree: links, device nodes, files where folders belong.

Whoever controls a pot (root in the running jail for ``m/``, the builder of an image for
everything) may plant links to the host's files and folders where pot reads or writes.
Each case runs real commands (stand-ins for the FreeBSD tools, pots on zfs-fuse) and
asserts that the host's files are byte-identical afterwards and that the command either
failed with ``###>`` lines only or did its work inside the pot.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import potfactory
import pytest
from standins.harness import Standins, busybox_root

if TYPE_CHECKING:
    from conftest import PotEnv

pytestmark = pytest.mark.zfs

SECRET = "host secret\n"
PF_CONF = 'nat-anchor pot-nat\nrdr-anchor "pot-rdr/*"\n'


# ---------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict[str, str]:
    """relative path -> mode and sha256 / "dir" / "->target" of everything below folder."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            out[rel] = "->" + os.readlink(path)
        elif stat.S_ISDIR(st.st_mode):
            out[rel] = f"dir {st.st_mode:o}"
        else:
            out[rel] = f"{st.st_mode:o} {hashlib.sha256(path.read_bytes()).hexdigest()}"
    return out


class Host:
    """The host's side: a folder with a file and a sub-folder pot must never touch."""

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path / "host"
        (self.dir / "sub").mkdir(parents=True)
        (self.dir / "file").write_text(SECRET)
        (self.dir / "sub" / "inner").write_text(SECRET)
        (self.dir / "pot.conf").write_text(SECRET)
        self.before = snapshot(self.dir)

    def looks_like_conf(self, pot_conf: str) -> None:
        """The host folder gets a valid pot.conf and fscomp.conf (like a host's etc/pot)."""
        (self.dir / "pot.conf").write_text(pot_conf + "# host secret\n")
        (self.dir / "fscomp.conf").write_text("")
        self.before = snapshot(self.dir)

    def unchanged(self) -> bool:
        return snapshot(self.dir) == self.before


def link_to(link: Path, target: Path, how: str) -> None:
    """``link`` -> ``target``, absolute or relative (climbing out of the pot)."""
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        for child in sorted(link.rglob("*"), reverse=True):
            child.unlink() if not child.is_dir() or child.is_symlink() else child.rmdir()
        link.rmdir()
    link.parent.mkdir(parents=True, exist_ok=True)
    value = str(target) if how == "abs" else os.path.relpath(target, link.parent)
    link.symlink_to(value)


@pytest.fixture
def host(pot_env: PotEnv, standins: Standins, tmp_path: Path) -> PotEnv:
    potfactory.init_layout(pot_env.zfs_root, pot_env.fs_root, pot_env.cache)
    (tmp_path / "pf.conf").write_text(PF_CONF)
    with standins.edit() as st:
        st["rc_conf"]["pf_rules"] = str(tmp_path / "pf.conf")
    return pot_env


@pytest.fixture
def sentinel(tmp_path: Path) -> Host:
    return Host(tmp_path)


def make_pot(env: PotEnv, name: str = "web", **kwargs: str) -> Path:
    folder = potfactory.single_pot(env.zfs_root, env.fs_root, name, **kwargs)
    busybox_root(folder / "m")
    (folder / "m" / "etc" / "rc").write_text("true\n")
    return folder


def failed_cleanly(result: tuple[int, str, str]) -> bool:
    """Non-zero exit, a ``###>`` line (a usage error adds the help), no traceback."""
    code, out, err = result
    lines = (out + err).splitlines()
    return (
        code != 0
        and any(line.startswith("###>  ") for line in lines)
        and not any(word in out + err for word in ("Traceback", "internal error"))
    )


# ------------------------------------------------------- conf/ and its files: refused


CONF_CASES = [
    ("conf", ""),
    ("conf/pot.conf", "pot.conf"),
]
COMMANDS: list[tuple[str, ...]] = [
    ("start", "web"),
    ("set-attribute", "-p", "web", "-A", "persistent", "-V", "NO"),
    ("info", "-p", "web"),
    ("get-attr", "-p", "web", "-A", "persistent"),
    ("set-hosts", "-p", "web", "-H", "db:10.1.2.3"),
    ("set-cmd", "-p", "web", "-c", "sh /etc/rc"),
    ("set-rss", "-p", "web", "-C", "1"),
    ("last-run-stats", "-p", "web"),
]


@pytest.mark.parametrize("how", ["abs", "rel"])
@pytest.mark.parametrize(("where", "target"), CONF_CASES)
def test_links_in_conf_are_refused(
    host: PotEnv, standins: Standins, sentinel: Host, where: str, target: str, how: str
) -> None:
    folder = make_pot(host)
    # the host's files look like a pot's: read or written, they would be used
    sentinel.looks_like_conf((folder / "conf" / "pot.conf").read_text())
    link_to(folder / where, sentinel.dir / target if target else sentinel.dir, how)
    for args in COMMANDS:
        result = standins.run_pot(*args)
        assert failed_cleanly(result), (args, result)
        assert "host secret" not in result[1], args
        assert sentinel.unchanged(), args
    assert standins.jails() == {}
    assert standins.mounts() == []


def test_conf_as_a_file_is_refused(host: PotEnv, standins: Standins, sentinel: Host) -> None:
    folder = make_pot(host)
    link_to(folder / "conf", sentinel.dir / "file", "abs")
    (folder / "conf").unlink()
    (folder / "conf").write_text("pot.type=single\n")
    for args in COMMANDS:
        result = standins.run_pot(*args)
        assert failed_cleanly(result), (args, result)
    assert standins.mounts() == []


@pytest.mark.parametrize("how", ["abs", "rel"])
def test_links_at_fscomp_conf_and_last_run_stats(
    host: PotEnv, standins: Standins, sentinel: Host, how: str
) -> None:
    folder = make_pot(host)
    link_to(folder / "conf" / "fscomp.conf", sentinel.dir / "file", how)
    link_to(folder / "conf" / ".last_run_stats", sentinel.dir / "pot.conf", how)
    assert standins.run_pot("set-attribute", "-p", "web", "-A", "persistent", "-V", "NO")[0] == 0
    assert standins.run_pot("set-attribute", "-p", "web", "-A", "no-rc-script", "-V", "YES")[0] == 0
    result = standins.run_pot("last-run-stats", "-p", "web")
    assert SECRET not in result[1]
    assert failed_cleanly(result), result
    result = standins.run_pot("start", "web")
    assert sentinel.unchanged()
    assert SECRET not in result[1]
    assert result[0] != 0 and "Traceback" not in result[1] + result[2], result
    assert standins.jails() == {}
    assert standins.mounts() == []


# ------------------------------------------- files start writes in m/: replaced, inside


M_FILES = ["m/etc/hosts", "m/etc/resolv.conf", "m/etc/rc.conf"]


@pytest.mark.parametrize("how", ["abs", "rel"])
@pytest.mark.parametrize("where", M_FILES)
def test_start_replaces_links_to_host_files(
    host: PotEnv, standins: Standins, sentinel: Host, where: str, how: str
) -> None:
    folder = make_pot(host, network_type="public-bridge", ip="10.192.0.3")
    link_to(folder / where, sentinel.dir / "file", how)
    result = standins.run_pot("start", "web")
    assert result[0] == 0, result
    assert sentinel.unchanged()
    # the pot got its own regular file, written by start
    path = folder / where
    assert stat.S_ISREG(path.lstat().st_mode)
    assert SECRET not in path.read_text()
    assert standins.run_pot("stop", "web")[0] == 0
    assert sentinel.unchanged()


@pytest.mark.parametrize("how", ["abs", "rel"])
@pytest.mark.parametrize("where", ["m/etc/hosts", "m/etc/resolv.conf"])
def test_start_never_writes_into_a_linked_host_folder(
    host: PotEnv, standins: Standins, sentinel: Host, where: str, how: str
) -> None:
    # a link to a host folder named like the file: nothing may land in the folder
    folder = make_pot(host)
    link_to(folder / where, sentinel.dir / "sub", how)
    result = standins.run_pot("start", "web")
    assert sentinel.unchanged()
    if result[0] == 0:
        assert stat.S_ISREG((folder / where).lstat().st_mode)
        assert standins.run_pot("stop", "web")[0] == 0
    else:
        assert failed_cleanly(result), result
    assert sentinel.unchanged()


@pytest.mark.parametrize("how", ["abs", "rel"])
def test_m_etc_a_link_to_a_host_folder(
    host: PotEnv, standins: Standins, sentinel: Host, how: str
) -> None:
    folder = make_pot(host)
    link_to(folder / "m" / "etc", sentinel.dir / "sub", how)
    result = standins.run_pot("start", "web")
    assert failed_cleanly(result), result
    assert "###>  m/etc of pot web is not a directory" in result[1].splitlines()
    assert sentinel.unchanged()
    assert standins.jails() == {}
    assert standins.mounts() == []


@pytest.mark.parametrize("how", ["abs", "rel"])
@pytest.mark.parametrize("rc_script", ["NO", "YES"])
def test_no_tmpfs_tmp_a_link_to_a_host_folder(
    host: PotEnv, standins: Standins, sentinel: Host, how: str, rc_script: str
) -> None:
    folder = make_pot(host)
    assert standins.run_pot("set-attribute", "-p", "web", "-A", "no-tmpfs", "-V", "YES")[0] == 0
    args = ("set-attribute", "-p", "web", "-A", "no-rc-script", "-V", rc_script)
    assert standins.run_pot(*args)[0] == 0
    link_to(folder / "m" / "tmp", sentinel.dir / "sub", how)
    result = standins.run_pot("start", "web")
    assert failed_cleanly(result), result
    assert "###>  m/tmp of pot web is not a directory" in result[1].splitlines()
    assert sentinel.unchanged()
    assert standins.jails() == {}
    assert standins.mounts() == []


def test_device_node_where_start_writes(host: PotEnv, standins: Standins, sentinel: Host) -> None:
    folder = make_pot(host)
    hosts = folder / "m" / "etc" / "hosts"
    hosts.unlink(missing_ok=True)
    # the host's /dev/null (1, 3): start must replace the node, never write to it
    os.mknod(hosts, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = standins.run_pot("start", "web")
    assert result[0] == 0, result
    assert stat.S_ISREG(hosts.lstat().st_mode)
    assert "localhost" in hosts.read_text()
    assert standins.run_pot("stop", "web")[0] == 0
    assert sentinel.unchanged()


def test_hook_link_to_a_host_program_is_not_run(
    host: PotEnv, standins: Standins, sentinel: Host
) -> None:
    folder = make_pot(host)
    ran = sentinel.dir.parent / "ran"
    program = sentinel.dir.parent / "program"
    program.write_text(f"#!/bin/sh\ntouch {ran}\n")
    program.chmod(0o755)
    (folder / "conf" / "prestart.sh").symlink_to(program)
    assert standins.run_pot("start", "web")[0] == 0
    assert not ran.exists()
    assert standins.run_pot("stop", "web")[0] == 0


# ---------------------------------------------------------------- modes and the umask


def test_modes_under_umask_000(host: PotEnv, standins: Standins, tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        make_pot(host)
        folder = host.fs_root / "jails" / "web"
        # start writes .last_run_stats, hosts, resolv.conf, environment.sh (on the tmpfs)
        assert standins.run_pot("start", "web")[0] == 0
        modes = {
            rel: stat.S_IMODE((folder / rel).lstat().st_mode)
            for rel in (
                "conf/pot.conf",
                "conf/.last_run_stats",
                "m/etc/hosts",
                "m/tmp/environment.sh",
            )
        }
        assert modes == {rel: 0o644 for rel in modes}
        assert standins.run_pot("stop", "web")[0] == 0
        args = ("set-attribute", "-p", "web", "-A", "persistent", "-V", "NO")
        assert standins.run_pot(*args)[0] == 0
        assert stat.S_IMODE((folder / "conf" / "pot.conf").lstat().st_mode) == 0o644
        hook = tmp_path / "hook.sh"
        hook.write_text("#!/bin/sh\n")
        hook.chmod(0o750)
        assert standins.run_pot("set-hook", "-p", "web", "-s", str(hook))[0] == 0
        assert stat.S_IMODE((folder / "conf" / "prestart.sh").stat().st_mode) == 0o750
    finally:
        os.umask(old)
