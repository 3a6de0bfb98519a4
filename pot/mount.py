"""The only user of mount(8), mount_nullfs(8) and umount(8)."""

from __future__ import annotations

from pathlib import Path

from pot import proc


def nullfs_argv(source: str, target: Path, option: str | None) -> list[str]:
    """``mount_nullfs [-o ro|rw] <source> <target>``."""
    opts = ["-o", option] if option else []
    return ["mount_nullfs", *opts, source, str(target)]


def nullfs(source: str, target: Path, option: str | None = "rw") -> proc.Result:
    """Mount a directory on target; the result is checked by the caller (messages differ)."""
    return proc.run(nullfs_argv(source, target, option), check=False)


def tmpfs(target: Path) -> proc.Result:
    return proc.run(["mount", "-t", "tmpfs", "tmpfs", str(target)], check=False)


def mounted_paths() -> list[str]:
    """The mount points ``mount`` lists (third field of ``<what> on <where> (...)``)."""
    out = proc.run(["mount"]).stdout
    return [fields[2] for fields in (line.split() for line in out.splitlines()) if len(fields) > 2]


def is_mounted(target: Path) -> bool:
    return bool(str(target)) and str(target) in mounted_paths()


def force_unmount(target: Path) -> proc.Result:
    """``umount -f <target>``; checked by the caller."""
    return proc.run(["umount", "-f", str(target)], check=False)
