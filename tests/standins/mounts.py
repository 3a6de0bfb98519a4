"""mount(8), mount_nullfs(8), umount(8) and devfs(8) of FreeBSD, on Linux.

As root the mounts are real, so files a pot sees through nullfs are really there:
nullfs is a bind mount (remounted read-only for ``-o ro``), tmpfs is tmpfs, and devfs
is a small tmpfs with null, zero, random and urandom. fdescfs and procfs are only
recorded. Every mount is also recorded in ``state["mounts"]``; the test fixture
undoes what a test left mounted. Set ``POT_STANDIN_REAL_MOUNTS=0`` to record only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
from collections.abc import Callable
from pathlib import Path

from standins.state import Json, ToolError, getopt, host, out

MOUNT_USAGE = """usage: mount [-adflpruvw] [-F fstab] [-o options] [-t ufs | external_type]
       mount [-dfpruvw] special | node
       mount [-dfpruvw] [-o options] [-t ufs | external_type] special node"""
NULLFS_USAGE = "usage: mount_nullfs [-o options] target mount-point"
UMOUNT_USAGE = """usage: umount [-dfNnv] special ... | node ... | fsid ...
       umount -a | -A [-F fstab] [-dfnv] [-h host] [-t type]"""
DEVFS_USAGE = "usage: devfs [-m mount-point] keyword argument ..."

FS_TYPES = ("nullfs", "tmpfs", "devfs", "fdescfs", "procfs", "linprocfs", "linsysfs")
_MS_RDONLY = 1
_MS_REMOUNT = 32
_MS_BIND = 4096
_MNT_DETACH = 2
_DEVICES = {"null": (1, 3), "zero": (1, 5), "random": (1, 8), "urandom": (1, 9)}


def run(tool: str, args: list[str]) -> int:
    if tool == "mount_nullfs":
        return _mount_nullfs(args)
    if tool == "umount":
        return _umount(args)
    if tool == "devfs":
        return _devfs(args)
    return _mount(args)


# ---------------------------------------------------------------- shared with jail(8)


def mount_fs(st: Json, fstype: str, source: str, target: str, options: list[str]) -> Json:
    """Mount (really, when possible) and record; ToolError as mount(8) reports."""
    if fstype not in FS_TYPES:
        raise ToolError(f"mount: {target}: Operation not supported by device")
    where = Path(target)
    if not where.is_dir():
        raise ToolError(f"mount: {target}: No such file or directory")
    entry = {
        "fstype": fstype,
        "source": source,
        "target": os.path.realpath(target),
        "options": [o for o in options if o],
        "real": _real_mounts(),
    }
    if entry["real"]:
        _do_mount(entry)
    st["mounts"].append(entry)
    return entry


def unmount(st: Json, node: str, *, force: bool) -> None:
    """Unmount the last mount on node (a mount point or a source)."""
    # strings first: a stat (realpath) of a path on a busy zfs-fuse mount can block
    for resolve in (os.path.abspath, os.path.realpath):
        wanted = resolve(node)
        for field in ("target", "source"):
            for entry in reversed(st["mounts"]):
                if resolve(entry[field]) == wanted:
                    if entry["real"]:
                        _do_unmount(entry["target"], force=force)
                    st["mounts"].remove(entry)
                    return
    raise ToolError(f"umount: {node}: not a file system root directory")


def unmount_all(st: Json) -> list[str]:
    """Undo every recorded mount, innermost first (test teardown); returns failures."""
    failures: list[str] = []
    for entry in reversed(list(st["mounts"])):
        try:
            if entry["real"]:
                _do_unmount(entry["target"], force=True)
        except ToolError as exc:
            failures.extend(exc.lines)
        st["mounts"].remove(entry)
    return failures


def is_mounted(st: Json, target: str) -> bool:
    real = os.path.realpath(target)
    return any(e["target"] == real for e in st["mounts"])


def _real_mounts() -> bool:
    return os.geteuid() == 0 and os.environ.get("POT_STANDIN_REAL_MOUNTS", "1") != "0"


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _sys_mount(source: str, target: str, fstype: str, flags: int, data: str) -> None:
    rc = _libc().mount(source.encode(), target.encode(), fstype.encode(), flags, data.encode())
    if rc != 0:
        err = ctypes.get_errno()
        raise ToolError(f"mount: {target}: {os.strerror(err)}")


def _do_mount(entry: Json) -> None:
    fstype, target = entry["fstype"], entry["target"]
    if fstype == "nullfs":
        source = entry["source"]
        if not os.path.exists(source):
            raise ToolError(f"mount_nullfs: {source}: No such file or directory", rc=64)
        _sys_mount(source, target, "", _MS_BIND, "")
        if "ro" in entry["options"]:
            _sys_mount("", target, "", _MS_REMOUNT | _MS_BIND | _MS_RDONLY, "")
    elif fstype == "tmpfs":
        mode = stat.S_IMODE(os.stat(target).st_mode)
        _sys_mount("tmpfs", target, "tmpfs", 0, f"mode={mode:o}")
    elif fstype == "devfs":
        _sys_mount("devfs", target, "tmpfs", 0, "mode=755,size=64k")
        for name, (major, minor) in _DEVICES.items():
            os.mknod(f"{target}/{name}", 0o666 | stat.S_IFCHR, os.makedev(major, minor))
            os.chmod(f"{target}/{name}", 0o666)
        # devfs has fd/ (where mount.fdescfs goes) and the standard streams
        os.mkdir(f"{target}/fd", 0o555)
        for number, name in enumerate(("stdin", "stdout", "stderr")):
            os.symlink(f"fd/{number}", f"{target}/{name}")
    else:
        entry["real"] = False  # fdescfs, procfs: recorded only


def _do_unmount(target: str, *, force: bool) -> None:
    flags = _MNT_DETACH if force else 0
    if _libc().umount2(target.encode(), flags) != 0:
        err = ctypes.get_errno()
        if err == 22:  # EINVAL: not mounted any more (a lazy unmount got there first)
            return
        raise ToolError(f"umount: unmount of {target} failed: {os.strerror(err)}")


# ---------------------------------------------------------------- mount


def _mount(args: list[str]) -> int:
    opts, rest = getopt("mount", args, "adF:fLlno:prt:uvw", MOUNT_USAGE)
    flags = {k for k, _ in opts}
    options = [o for k, v in opts if k == "o" for o in v.split(",")]
    if "r" in flags:
        options.append("ro")
    fstype = next((v for k, v in reversed(opts) if k == "t"), None)
    if "a" in flags or "u" in flags or "F" in flags:
        raise ToolError("mount: -a, -u and -F are not simulated by the stand-in", rc=70)
    if not rest:
        with host(write=False) as st:
            out(_listing(st, fstype, fstab="p" in flags))
        return 0
    if len(rest) != 2 or fstype is None:
        raise ToolError("mount: only 'mount -t type special node' is simulated", rc=70)
    with host() as st:
        mount_fs(st, fstype, rest[0], rest[1], options)
    return 0


def _mount_nullfs(args: list[str]) -> int:
    opts, rest = getopt("mount_nullfs", args, "o:", NULLFS_USAGE, rc=64)
    if len(rest) != 2:
        raise ToolError(NULLFS_USAGE, rc=64)
    options = [o for _, v in opts for o in v.split(",")]
    source, target = rest
    for path in (source, target):
        if not os.path.exists(path):
            raise ToolError(f"mount_nullfs: {path}: No such file or directory", rc=64)
    with host() as st:
        mount_fs(st, "nullfs", os.path.realpath(source), target, options)
    return 0


def _zfs_fuse_mounts() -> set[str]:
    """Mount points of zfs-fuse datasets (fuse mounts) on this Linux host."""
    points: set[str] = set()
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 2 and fields[2].startswith("fuse") and "/" in fields[0]:
                points.add(fields[1].replace("\\040", " "))
    return points


def _umount(args: list[str]) -> int:
    # zfs-fuse's own `zfs umount/set mountpoint/destroy` runs `umount` from PATH: that
    # is Linux's business, not a FreeBSD call of pot's, so it goes to the real tool
    # (compare strings only: a stat of a zfs-fuse path from here can deadlock the daemon)
    # A nullfs mount of a dataset's folder shows as a zfs-fuse mount in /proc/mounts
    # too: what the stand-ins mounted themselves is theirs to unmount.
    nodes = [os.path.normpath(a) for a in args if not a.startswith("-")]
    with host(write=False) as st:
        ours = {e["target"] for e in st["mounts"]}
    if nodes and all(n in _zfs_fuse_mounts() and n not in ours for n in nodes):
        for real in ("/bin/umount", "/usr/bin/umount"):
            if os.path.exists(real):
                os.execv(real, [real, *args])
    opts, rest = getopt("umount", args, "AaF:fh:Nnt:v", UMOUNT_USAGE)
    flags = {k for k, _ in opts}
    if flags & {"a", "A", "h"}:
        raise ToolError("umount: -a/-A/-h are not simulated by the stand-in", rc=70)
    if not rest:
        raise ToolError(*UMOUNT_USAGE.splitlines())
    status = 0
    for node in rest:
        try:
            with host() as st:
                unmount(st, node, force="f" in flags)
        except ToolError as exc:
            for line in exc.lines:
                import sys

                sys.stderr.write(line + "\n")
            status = 1
    return status


def _devfs(args: list[str]) -> int:
    opts, rest = getopt("devfs", args, "m:", DEVFS_USAGE)
    if not rest or rest[0] not in ("rule", "ruleset"):
        raise ToolError(*DEVFS_USAGE.splitlines())
    point = dict(opts).get("m")
    if point is not None:
        with host(write=False) as st:
            real = os.path.realpath(point)
            if not any(e["target"] == real and e["fstype"] == "devfs" for e in st["mounts"]):
                raise ToolError("devfs: ioctl DEVFSIO_RGETNEXT: Inappropriate ioctl for device")
    return 0


# ---------------------------------------------------------------- listing


def _listing(st: Json, types: str | None, *, fstab: bool) -> str:
    rows = [("/dev/ada0p2", "/", "ufs", ["local", "soft-updates"])]
    rows += _zfs_rows()
    for e in st["mounts"]:
        # pseudo file systems are listed under their own name, whatever was passed
        source = e["source"] if e["fstype"] == "nullfs" else e["fstype"]
        rows.append((source, e["target"], e["fstype"], _mount_flags(e)))
    wanted = _type_filter(types)
    lines = []
    for source, target, fstype, flags in rows:
        if not wanted(fstype):
            continue
        if fstab:
            mode = "ro" if "read-only" in flags else "rw"
            lines.append(f"{source}\t{target}\t{fstype}\t{mode}\t0 0")
        else:
            lines.append(f"{source} on {target} ({', '.join([fstype, *flags])})")
    return "".join(line + "\n" for line in lines)


def _mount_flags(entry: Json) -> list[str]:
    flags = {"devfs": [], "fdescfs": []}.get(entry["fstype"], ["local"])
    if "ro" in entry["options"]:
        flags = [*flags, "read-only"]
    return flags


def _type_filter(types: str | None) -> Callable[[str], bool]:
    if not types:
        return lambda fstype: True
    negate = types.startswith("no")
    names = set((types[2:] if negate else types).split(","))
    return lambda fstype: (fstype in names) != negate


def _zfs_rows() -> list[tuple[str, str, str, list[str]]]:
    """zfs-fuse datasets, shown as FreeBSD shows ZFS mounts."""
    rows = []
    with contextlib.suppress(OSError), open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[2] == "fuse.zfs":
                target = fields[1].replace("\\040", " ")
                rows.append((fields[0], target, "zfs", ["local", "noatime", "nfsv4acls"]))
    return rows
