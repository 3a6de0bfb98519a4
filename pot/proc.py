"""The only module that starts processes: argv lists, never a shell.

Every argv is logged at debug level in copy-pastable form; a non-zero exit raises
:class:`CommandFailed` carrying argv, status and stderr.

:func:`run`, what most callers use (``jls -j``, ``rctl -u``, ``zfs list`` ...), starts
its process with ``os.posix_spawn`` and reads both pipes with select: the commands
nomad-pot-driver runs every second then do not import subprocess, which is loaded
only by the other functions (and by :func:`run` with ``input`` or ``cwd``).
"""

from __future__ import annotations

import os
import sys

from pot import log as logging
from pot.errors import CommandFailed

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping, Sequence
    from pathlib import Path
    from types import TracebackType
    from typing import IO, Any

log = logging.getLogger(__name__)


class Result:
    """What a finished command gave back."""

    __slots__ = ("argv", "returncode", "stderr", "stdout")

    def __init__(self, argv: tuple[str, ...], returncode: int, stdout: str, stderr: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "Result(argv={!r}, returncode={!r}, stdout={!r}, stderr={!r})".format(
            *self._fields()
        )

    def _fields(self) -> tuple[tuple[str, ...], int, str, str]:
        return (self.argv, self.returncode, self.stdout, self.stderr)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    # parse stable, untranslated output of every tool
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def _log(argv: Sequence[str]) -> None:
    if log.isEnabledFor(logging.DEBUG):
        import shlex

        log.debug("CMD > %s", shlex.join(argv))


def _not_found(argv: Sequence[str]) -> CommandFailed:
    # the shell's status and wording for a missing executable
    return CommandFailed(argv, 127, f"{argv[0]}: command not found")


def _popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    import subprocess

    try:
        return subprocess.Popen(list(argv), **kwargs)
    except FileNotFoundError as exc:
        raise _not_found(argv) from exc


def run(
    argv: Sequence[str],
    *,
    check: bool = True,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    show_errors: bool = False,
) -> Result:
    """Run argv to completion capturing stdout and stderr as text.

    ``show_errors``: the tool's stderr also goes on to ours once it has ended (where
    upstream leaves a tool's stderr alone, e.g. ``pfctl: pf already enabled``); the
    Result and CommandFailed still carry it.
    """
    _log(argv)
    if input is None and cwd is None:
        returncode, stdout, stderr = _spawn(argv, _env(env))
    else:
        returncode, stdout, stderr = _subprocess_run(argv, input, _env(env), cwd)
    if show_errors and stderr:
        _show(stderr)
    if returncode != 0:
        log.debug("exit status %d: %s", returncode, stderr.strip())
        if check:
            raise CommandFailed(argv, returncode, stderr)
    return Result(tuple(argv), returncode, stdout, stderr)


def _subprocess_run(
    argv: Sequence[str], input: str | None, env: dict[str, str], cwd: Path | None
) -> tuple[int, str, str]:
    import subprocess

    try:
        cp = subprocess.run(
            list(argv),
            input=input,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            check=False,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise _not_found(argv) from exc
    return cp.returncode, cp.stdout, cp.stderr


def _executable(name: str, env: Mapping[str, str]) -> str:
    """The file argv[0] names, searched in env's PATH as subprocess does."""
    if "/" in name:
        return name
    # os.get_exec_path's rule, without the warnings module it loads for bytes keys
    path = env.get("PATH")
    for folder in (os.defpath if path is None else path).split(os.pathsep):
        candidate = os.path.join(folder, name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError(name)


def _spawn(argv: Sequence[str], env: dict[str, str]) -> tuple[int, str, str]:
    """argv with stdin /dev/null, stdout and stderr read as text (as subprocess.run
    with capture_output and text: universal newlines; undecodable bytes replaced).
    """
    try:
        path = _executable(argv[0], env)
    except FileNotFoundError as exc:
        raise _not_found(argv) from exc
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        # os.pipe's ends are close-on-exec: the child keeps only its 0, 1 and 2
        pid = os.posix_spawn(
            path,
            list(argv),
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out_w, 1),
                (os.POSIX_SPAWN_DUP2, err_w, 2),
            ],
        )
    except OSError as exc:
        os.close(out_r)
        os.close(err_r)
        if isinstance(exc, FileNotFoundError):
            raise _not_found(argv) from exc
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    stdout, stderr = _read_both(out_r, err_r)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), _text(stdout), _text(stderr)


def _read_both(out_r: int, err_r: int) -> tuple[bytes, bytes]:
    """Everything written to both pipes, read as it comes (neither can fill up)."""
    import select

    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    open_fds = [out_r, err_r]
    try:
        while open_fds:
            ready, _, _ = select.select(open_fds, [], [])
            for fd in ready:
                data = os.read(fd, 65536)
                if data:
                    chunks[fd].append(data)
                else:
                    open_fds.remove(fd)
    finally:
        os.close(out_r)
        os.close(err_r)
    return b"".join(chunks[out_r]), b"".join(chunks[err_r])


def _text(data: bytes) -> str:
    return data.decode(errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def _show(text: str) -> None:
    """A child's stderr passed on to ours (sys.stderr: in-process tests see it too)."""
    sys.stderr.write(text)
    sys.stderr.flush()


def run_if_installed(
    argv: Sequence[str], *, input: str | None = None, show_errors: bool = False
) -> Result | None:
    """:func:`run` without ``check``, or None when argv[0] is not installed at all.

    For the host's optional tools and read-only queries, where "not installed" and
    "failed" lead to the same answer but must not raise.
    """
    try:
        return run(argv, check=False, input=input, show_errors=show_errors)
    except CommandFailed:  # only raised without check when the executable is missing
        return None


def call(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> int:
    """Run argv with the caller's stdin/stdout/stderr (interactive or passthrough output)."""
    import subprocess

    _log(argv)
    try:
        return subprocess.call(list(argv), env=_env(env), cwd=cwd)
    except FileNotFoundError:
        return 127


def available(name: str) -> bool:
    """Whether an executable of that name is on PATH."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return True
    return False


def _kill(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()
    for p in procs:
        p.wait()


class _Stream:
    """A started process and the temporary file that keeps its other output.

    reading and writing are classes, not contextlib generators: contextlib (and the
    functools and collections it loads) would cost every command at start-up.
    """

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str] | None, to_file: str, **pipes: Any
    ) -> None:
        """Start argv with ``pipes`` (Popen's stdin/stdout/stderr) and the temporary file
        ``self.out`` as its stream ``to_file`` ("stdout" or "stderr").
        """
        import tempfile

        _log(argv)
        self.argv = argv
        self.out = tempfile.TemporaryFile()  # noqa: SIM115  (closed by __exit__)
        try:
            self.p = _popen(argv, env=_env(env), **{to_file: self.out}, **pipes)
        except BaseException:
            self.out.close()
            raise

    def _check(self) -> None:
        rc = self.p.wait()
        if rc != 0:
            raise CommandFailed(self.argv, rc, _read_back(self.out))


class reading(_Stream):
    """``with reading(argv) as stream``: argv started, its stdout as a binary stream;
    its status is checked at the end.

    If the body raises, the process is killed and nothing is checked.
    """

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> None:
        import subprocess

        # stderr goes to a file: a process that fills a stderr pipe would block its stdout
        super().__init__(argv, env, "stderr", stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)

    def __enter__(self) -> IO[bytes]:
        assert self.p.stdout is not None
        return self.p.stdout

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.p.stdout is not None
        with self.out:
            if exc is not None:
                _kill([self.p])
                # now, not when the traceback lets go of p: a zfs-fuse daemon streaming
                # into this pipe for the killed zfs send stops only when it is closed
                self.p.stdout.close()
                return
            self.p.stdout.close()
            self._check()


def _close_broken(stream: IO[bytes]) -> None:
    """Close a pipe whose reader is gone; the bytes still buffered are lost anyway."""
    try:  # noqa: SIM105  (contextlib costs start-up)
        stream.close()
    except BrokenPipeError:
        pass


def _read_back(f: IO[bytes]) -> str:
    f.seek(0)
    return f.read().decode(errors="replace")


class writing(_Stream):
    """``with writing(argv) as stream``: argv started, its stdin as a binary stream;
    closed and the status checked at the end.

    If the body raises, the process is killed, so a half-fed consumer never commits.
    A consumer that stops reading and fails (the body or the close then gets
    BrokenPipeError) is reported as CommandFailed with its own status and message.
    """

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> None:
        import subprocess

        # its output goes to a file: a consumer blocked on a full stdout pipe never reads
        super().__init__(argv, env, "stdout", stdin=subprocess.PIPE, stderr=subprocess.STDOUT)

    def __enter__(self) -> IO[bytes]:
        assert self.p.stdin is not None
        return self.p.stdin

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.p.stdin is not None
        with self.out:
            if exc is None:
                try:
                    self.p.stdin.close()
                except BrokenPipeError as broken:
                    exc = broken
            if isinstance(exc, BrokenPipeError):
                _close_broken(self.p.stdin)
                rc = self.p.wait()
                if rc != 0:
                    raise CommandFailed(self.argv, rc, _read_back(self.out)) from None
                raise exc
            if exc is not None:
                _kill([self.p])
                # now, not when the traceback lets go of p: a zfs-fuse daemon receiving
                # from this pipe for the killed zfs receive aborts only at end of input
                _close_broken(self.p.stdin)
                return
            self._check()


def pipeline(
    stages: Sequence[Sequence[str]],
    *,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
    env: Mapping[str, str] | None = None,
) -> list[Result]:
    """Run stages joined by OS pipes; every exit status is checked.

    When one stage fails, the others are killed and CommandFailed names the stage
    that failed on its own (not one that died of the broken pipe it left behind).
    """
    import shlex
    import subprocess
    import tempfile

    log.debug("CMD > %s", " | ".join(shlex.join(s) for s in stages))
    procs: list[subprocess.Popen[bytes]] = []
    # stderr goes to files, so a chatty stage can never block the pipe chain
    errs = [tempfile.TemporaryFile() for _ in stages]  # noqa: SIM115 - closed in finally
    prev: IO[bytes] | None = stdin
    try:
        for i, argv in enumerate(stages):
            last = i == len(stages) - 1
            p = _popen(
                argv,
                stdin=prev if prev is not None else subprocess.DEVNULL,
                stdout=stdout if last else subprocess.PIPE,
                stderr=errs[i],
                env=_env(env),
            )
            if prev is not None and prev is not stdin:
                prev.close()  # the child holds its own copy; EOF and SIGPIPE must reach it
            prev = p.stdout
            procs.append(p)
        return _finish(procs, stages, errs)
    except BaseException:
        _kill(procs)
        raise
    finally:
        for f in errs:
            f.close()


def _finish(
    procs: list[subprocess.Popen[bytes]],
    stages: Sequence[Sequence[str]],
    errs: Sequence[IO[bytes]],
) -> list[Result]:
    results: list[Result] = []
    for p, argv, err in zip(procs, stages, errs, strict=True):
        rc = p.wait()
        if rc != 0:
            _kill(procs)  # one failed: the rest can never complete correctly
        err.seek(0)
        results.append(Result(tuple(argv), rc, "", err.read().decode(errors="replace")))
    failed = [r for r in results if r.returncode > 0] or [r for r in results if not r.ok]
    if failed:
        raise CommandFailed(failed[0].argv, failed[0].returncode, failed[0].stderr)
    return results


class Background:
    """A process started by :func:`spawn`; the caller must :meth:`wait` for it."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen

    @property
    def pid(self) -> int:
        return self._popen.pid

    def wait(self) -> int:
        """Its exit status as the shell reports it (128+N when killed by signal N)."""
        rc = self._popen.wait()
        return 128 - rc if rc < 0 else rc

    def running(self) -> bool:
        return self._popen.poll() is None


def spawn(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> Background:
    """Start argv in the background (``cmd &``): stdin is /dev/null, output passes through."""
    import subprocess

    _log(argv)
    return Background(_popen(argv, env=_env(env), stdin=subprocess.DEVNULL))


def detach(argv: Sequence[str]) -> None:
    """Start argv in the background with its output discarded; nobody waits for it."""
    import subprocess

    _log(argv)
    _popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(None),
        start_new_session=True,
    )
