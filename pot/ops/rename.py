"""pot rename: give a stopped pot a new name, in ZFS, in its files and in other pots'.

As upstream (share/pot/rename.sh): the pot's fscomp.conf paths and hostname change, its
legacy syslog snippets (``syslog.d``/``newsyslog.conf.d``) follow and syslogd is
reloaded, its datasets are unmounted, moved and mounted again, and every pot's
fscomp.conf, ``pot.potbase`` and ``pot.depend`` follow. The status file keeps its old
name, as upstream's does.

Unlike upstream, the new name must pass create's rule and ZFS's length limit, every
check runs before anything changes, and the whole rename runs under both pots' locks:

* any failure, Ctrl-C or SIGTERM undoes the steps done so far (a journal, newest first),
  so the pot keeps its old name and stays startable;
* before the first change the pot's dataset gets ``:pot.renaming=<old>/<new>``, cleared
  by the last step. Every step is written so that doing it twice is harmless: after a
  SIGKILL the same ``pot rename`` finds the mark and finishes the job, and meanwhile no
  command takes the half renamed pot for a good one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from pot import jail, model, potconf, rcconf, rootpath, zfs
from pot import log as logging
from pot.errors import AlreadyExists, ConfigError, PotRunning, UsageError
from pot.ops import common
from pot.ops.common import RENAMING, Authorize, allowed
from pot.ops.create import check_name_length, check_pot_name
from pot.ops.undo import Undo, undo_on_failure
from pot.pottype import PotType
from pot.record import record
from pot.rootpath import PotFile
from pot.settings import Settings

log = logging.getLogger(__name__)


@record
class Renamed:
    old: str
    new: str
    hostname: str


@record
class SyslogFiles:
    """Where the per-pot syslog snippets of pot 0.15 and older live (upstream's paths)."""

    syslog_d: Path = Path("/usr/local/etc/syslog.d")
    newsyslog_d: Path = Path("/usr/local/etc/newsyslog.conf.d")
    logs: Path = Path("/var/log/pot")
    reload: Callable[[], None] = lambda: rcconf.service("syslogd", "reload")


def rename(
    s: Settings,
    old: str,
    new: str,
    *,
    authorize: Authorize = allowed,
    host: str | None = None,
    syslog: SyslogFiles | None = None,
) -> Renamed:
    """Rename pot ``old`` to ``new``; ``host`` is the host name for the new hostname
    (``<new>.<host>``, no length limit, as upstream), the machine's by default.

    Raises UsageError, InvalidName, PotNotFound, AlreadyExists or PotRunning before
    anything changes; any later failure is undone before it is raised.
    """
    if not old:
        raise UsageError("pot name is missing (-p)")
    if not new:
        raise UsageError("new name is missing (-n)")
    check_pot_name(new)
    check_name_length(s, new)
    hostname = f"{new}.{host if host is not None else common.host_name()}"
    files = syslog if syslog is not None else SyslogFiles()
    with _both_locked(s, old, new):
        if _interrupted(s, old, new):
            authorize()
            log.info("Finishing the interrupted rename of %s to %s", old, new)
            _forward(s, old, new, hostname, files, Undo())
            return Renamed(old, new, hostname)
        _check(s, old, new)
        authorize()
        with undo_on_failure(keep=False) as undo:
            _forward(s, old, new, hostname, files, undo)
    return Renamed(old, new, hostname)


@contextlib.contextmanager
def _both_locked(s: Settings, old: str, new: str) -> Iterator[None]:
    # always in name order: two renames in opposite directions cannot wait for each other
    first, second = sorted((old, new))
    with common.locked(s, first), common.locked(s, second):
        yield


def _check(s: Settings, old: str, new: str) -> None:
    common.check_pot(s, old, f"{old} is not a valid pot")
    if common.is_pot(s, new) or zfs.exists(model.pot_dataset(s, new)) or _taken(s, new):
        raise AlreadyExists(f"pot {new} exists already")
    if jail.is_running(old):
        raise PotRunning(f"pot {old} is still running")


def _taken(s: Settings, new: str) -> bool:
    """Something but an empty folder (a mountpoint zfs left) has the new pot's path."""
    folder = model.pot_dir(s, new)
    if not os.path.lexists(folder):
        return False
    try:
        return folder.is_symlink() or any(folder.iterdir())
    except OSError:
        return True


def _interrupted(s: Settings, old: str, new: str) -> bool:
    """Whether a killed ``rename old new`` left its mark (on either name's dataset)."""
    mark = f"{old}/{new}"
    for name in (old, new):
        marks = zfs.user_props(model.pot_dataset(s, name), (RENAMING,))
        if marks is not None and marks[RENAMING] == mark:
            return True
    return False


def _forward(
    s: Settings, old: str, new: str, hostname: str, files: SyslogFiles, undo: Undo
) -> None:
    """Every step, each harmless when done twice (a resumed rename runs them all again)."""
    here = old if zfs.exists(model.pot_dataset(s, old)) else new
    _mark(s, here, f"{old}/{new}", undo)
    # a killed rename may have unmounted it: its conf/ is needed first
    _mount_if_unmounted(model.pot_dataset(s, here))
    multi = common.pot_type(common.read_conf(s, here)) is PotType.MULTI
    _rename_conf(s, here, old, new, hostname, undo)
    _rename_syslog(files, old, new, undo)
    _rename_datasets(s, old, new, multi=multi, undo=undo)
    _rename_references(s, old, new, undo)
    zfs.inherit(model.pot_dataset(s, new), RENAMING)


def _mark(s: Settings, pot: str, value: str, undo: Undo) -> None:
    dataset = model.pot_dataset(s, pot)
    zfs.set_prop(dataset, RENAMING, value)
    # the journal runs newest first: by then the dataset has this name again
    undo.step(f"clear {RENAMING} of {dataset}", lambda: zfs.inherit(dataset, RENAMING))


def _jails_path(pot: str) -> str:
    return f"/jails/{pot}/"


def _rename_conf(s: Settings, here: str, old: str, new: str, hostname: str, undo: Undo) -> None:
    """The pot's own files: fscomp.conf paths and ``host.hostname`` (deleted, appended).

    ``here`` is the name the pot's folder has now; the journal writes the files back
    under ``old``, the name the pot has again by the time the journal gets to them.
    """
    _replace_in_file(
        model.fscomp_conf_path(s, here),
        _jails_path(old),
        _jails_path(new),
        undo,
        restore_to=model.fscomp_conf_path(s, old),
    )
    path = model.pot_conf_path(s, here)
    undo.restore(model.pot_conf_path(s, old), rootpath.read_bytes(path))
    conf = potconf.read(path)
    conf.remove("host.hostname")
    conf.append(potconf.hostname_line(hostname))
    potconf.write(path, conf)


def _replace_in_file(path: PotFile, old: str, new: str, undo: Undo, *, restore_to: PotFile) -> None:
    """Replace text everywhere in a file (upstream's ``sed s%old%new%g``); no file, no edit."""
    try:
        raw = rootpath.read_bytes(path)
    except OSError:
        return
    text = raw.decode("utf-8", "surrogateescape")
    if old in text:
        undo.restore(restore_to, raw)
        potconf.atomic_write(path, text.replace(old, new))


# --------------------------------------------------------------------------- syslog


def _rename_syslog(files: SyslogFiles, old: str, new: str, undo: Undo) -> None:
    """Upstream moves the pot's legacy snippets (only when writable) and renames the log
    file named in them; syslogd is reloaded after the syslog.d move."""
    moved = _move_snippet(
        files.syslog_d, old, new, f"{old}.log", f"{new}.log", undo, reload=files.reload
    )
    if moved:
        log_file = files.logs / f"{new}.log"
        if not log_file.exists():
            undo.step(f"remove {log_file}", lambda: log_file.unlink(missing_ok=True))
            with contextlib.suppress(OSError):
                log_file.touch()
        files.reload()
    _move_snippet(files.newsyslog_d, old, new, f"pot/{old}.log", f"pot/{new}.log", undo)


def _move_snippet(
    folder: Path,
    old: str,
    new: str,
    old_text: str,
    new_text: str,
    undo: Undo,
    *,
    reload: Callable[[], None] | None = None,
) -> bool:
    """``folder/<old>.conf`` -> ``folder/<new>.conf``, its first ``old_text`` of each line
    replaced (upstream's ``sed s/a/b/``); False when there is none or it is not writable."""
    source, target = folder / f"{old}.conf", folder / f"{new}.conf"
    if not source.is_file() or source.is_symlink() or not os.access(source, os.W_OK):
        return False
    raw = source.read_bytes()
    lines = raw.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    text = "".join(line.replace(old_text, new_text, 1) for line in lines)
    if reload is not None:
        # the journal runs newest first: syslogd is reloaded once the old file is back
        undo.step("reload syslogd", reload)
    # a host file (syslog.d, newsyslog.conf.d), not a pot's
    undo.step(f"restore {source}", lambda: _write_host(source, raw))
    undo.step(f"remove {target}", lambda: target.unlink(missing_ok=True))
    potconf.atomic_write(target, text)
    source.unlink()
    return True


def _write_host(path: Path, raw: bytes) -> None:
    path.write_bytes(raw)


# --------------------------------------------------------------------------- datasets


def _rename_datasets(s: Settings, old: str, new: str, *, multi: bool, undo: Undo) -> None:
    """Unmount, point the children's mountpoints at the new folder, rename, mount again."""
    source, target = model.pot_dataset(s, old), model.pot_dataset(s, new)
    children = ("usr.local", "custom") if multi else ("m",)
    if zfs.exists(source):
        present = zfs.list_tree(source, user_props=())
        for child in children:
            dataset = present.get(f"{source}/{child}")
            if dataset is not None:
                log.debug("Preparing %s/%s", source, child)
                _unmount(f"{source}/{child}", dataset.mounted, undo)
                _set_mountpoint(
                    f"{source}/{child}", dataset.mountpoint, model.pot_dir(s, new) / child, undo
                )
        if source in present:
            log.debug("Preparing %s", source)
            _unmount(source, present[source].mounted, undo)
        log.debug("Renaming %s in %s", source, target)
        # newest first: the folder zfs made for the new name goes after the rename back
        undo.step(
            f"remove {model.pot_dir(s, new)}", lambda: _remove_empty_folder(model.pot_dir(s, new))
        )
        zfs.rename(source, target)
        undo.step(f"rename {target} back", lambda: zfs.rename(target, source))
        _remove_empty_folder(model.pot_dir(s, old))
    mounted = zfs.list_tree(target, user_props=())
    log.debug("Mount %s", target)
    _mount(target, mounted, undo)
    for child in reversed(children):
        if f"{target}/{child}" in mounted:
            _mount(f"{target}/{child}", mounted, undo)


def _unmount(dataset: str, mounted: bool, undo: Undo) -> None:
    if mounted:
        zfs.unmount(dataset, force=True)
    # the journal mounts it again (by the name it has then: the rename is undone first)
    undo.step(f"mount {dataset}", lambda: _mount_if_unmounted(dataset))


def _set_mountpoint(dataset: str, before: str, after: Path, undo: Undo) -> None:
    if before != str(after):
        zfs.set_prop(dataset, "mountpoint", str(after))
        if before:
            undo.step(
                f"mountpoint of {dataset}", lambda: zfs.set_prop(dataset, "mountpoint", before)
            )


def _mount(dataset: str, tree: dict[str, zfs.Dataset], undo: Undo) -> None:
    if not tree[dataset].mounted:
        zfs.mount(dataset)
        undo.step(f"unmount {dataset}", lambda: zfs.unmount(dataset, force=True))


def _mount_if_unmounted(dataset: str) -> None:
    found = zfs.dataset(dataset, user_props=())
    if found is not None and not found.mounted:
        zfs.mount(dataset)


def _remove_empty_folder(folder: Path) -> None:
    # the old mountpoint, if zfs left it: it would look like a pot in `ls jails/`
    with contextlib.suppress(OSError):
        folder.rmdir()


def _rename_references(s: Settings, old: str, new: str, undo: Undo) -> None:
    """Every pot's fscomp.conf paths, ``pot.potbase=<old>`` and ``pot.depend=<old>`` lines."""
    for pot in common.pot_names(s):
        # the renamed pot's own files go back to their old place when undone
        at = old if pot == new else pot
        _replace_in_file(
            model.fscomp_conf_path(s, pot),
            _jails_path(old),
            _jails_path(new),
            undo,
            restore_to=model.fscomp_conf_path(s, at),
        )
        path = model.pot_conf_path(s, pot)
        try:
            raw = rootpath.read_bytes(path)
            conf = potconf.read(path)
        except (OSError, ConfigError):
            continue
        changed = conf.replace_line(f"pot.potbase={old}", f"pot.potbase={new}")
        changed += conf.replace_line(f"pot.depend={old}", f"pot.depend={new}")
        if changed:
            undo.restore(model.pot_conf_path(s, at), raw)
            potconf.write(path, conf)
