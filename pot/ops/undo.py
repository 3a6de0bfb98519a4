"""A journal of what an operation made, undone in reverse order when the operation fails.

create and clone record each dataset, snapshot, folder and edit as they make it; when
anything fails afterwards (an error, a failing flavour, Ctrl-C, SIGTERM), everything
recorded is removed again, unless the user asked to keep it (``-k``). Upstream's rollback
destroys the whole pot instead and misses some failure paths; a journal undoes exactly
what was made, also when the pot's dataset existed before.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pot import log as logging
from pot import rootpath, zfs
from pot.errors import PotError
from pot.record import field, record
from pot.rootpath import PotFile

log = logging.getLogger(__name__)

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@record
class _Step:
    what: str
    action: Callable[[], None]
    # a folder is removed only when everything undone before it went well: it may
    # still hold a mounted dataset otherwise
    needs_clean: bool = False


@record
class Undo:
    """The journal; ``run`` undoes the recorded steps, newest first."""

    steps: list[_Step] = field(default_factory=list)

    def dataset(self, name: str) -> None:
        """A dataset (or snapshot) we created: destroyed with everything below it."""
        self.steps.append(_Step(f"destroy {name}", lambda: _destroy(name)))

    def folder(self, path: Path) -> None:
        """A folder we created: removed with its content."""
        self.steps.append(_Step(f"remove {path}", lambda: _rmtree(path), needs_clean=True))

    def new_folder(self, path: Path) -> None:
        """Record ``path`` as ours unless it exists already (call before creating it)."""
        if not path.exists():
            self.folder(path)

    def restore(self, path: PotFile, text: bytes) -> None:
        """A file of a pot we edited: its old content is written back."""
        self.steps.append(_Step(f"restore {path.host}", lambda: rootpath.write(path, text)))

    def step(self, what: str, action: Callable[[], None]) -> None:
        """Any other change: ``action`` reverts it (``what`` names it in error lines)."""
        self.steps.append(_Step(what, action))

    def run(self) -> list[str]:
        """Undo every step, newest first; the descriptions of the steps that failed."""
        failed: list[str] = []
        for step in reversed(self.steps):
            if step.needs_clean and failed:
                failed.append(step.what)
                continue
            try:
                step.action()
            except (PotError, OSError) as exc:
                log.debug("undo: %s failed: %s", step.what, exc)
                failed.append(step.what)
        self.steps.clear()
        return failed


def _destroy(name: str) -> None:
    if zfs.exists(name):
        zfs.destroy(name, recursive=True)


def _rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        import shutil  # only when a folder is undone: it loads bz2 and lzma

        shutil.rmtree(path)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back while undoing, so a second Ctrl-C cannot stop it half way.

    Processes started meanwhile inherit the mask, so a zfs destroy completes too; the
    held signal arrives when the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def undo_on_failure(*, keep: bool) -> Iterator[Undo]:
    """Yield a journal; if the body raises anything, undo it (unless ``keep``) and re-raise.

    Steps that cannot be undone are reported as error lines, since they are left behind.
    """
    undo = Undo()
    try:
        yield undo
    except BaseException:
        if keep:
            log.debug("keeping what was made (-k)")
            raise
        with _signals_deferred():
            failed = undo.run()
        for what in failed:
            log.error("rollback: could not %s", what)
        raise
