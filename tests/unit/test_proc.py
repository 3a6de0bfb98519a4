"""pot.proc: the one place that starts processes (real POSIX tools: sh, cat, tr, yes, tail)."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO

import pytest

from pot import proc
from pot.errors import CommandFailed


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail a test that hangs (a stage nobody killed) instead of blocking the suite."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError("still waiting after 30 s: a process was not killed")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- run


def test_run_captures_output() -> None:
    result = proc.run(["sh", "-c", "echo out; echo err >&2"])
    assert result == proc.Result(("sh", "-c", "echo out; echo err >&2"), 0, "out\n", "err\n")
    assert result.ok


def test_run_feeds_input() -> None:
    assert proc.run(["tr", "a-z", "A-Z"], input="hello\n").stdout == "HELLO\n"


def test_run_has_no_stdin_without_input() -> None:
    # a command that reads stdin must see EOF at once, never the terminal
    assert proc.run(["cat"]).stdout == ""


def test_run_environment_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    monkeypatch.setenv("POT_INHERITED", "yes")
    result = proc.run(
        ["sh", "-c", 'echo "$LC_ALL $POT_INHERITED $EXTRA"; pwd'], env={"EXTRA": "x"}, cwd=tmp_path
    )
    assert result.stdout == f"C yes x\n{tmp_path}\n"


def test_run_environment_without_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # the spawn path (no input, no cwd) passes the same environment
    monkeypatch.setenv("POT_INHERITED", "yes")
    result = proc.run(["sh", "-c", 'echo "$LC_ALL $POT_INHERITED $EXTRA"'], env={"EXTRA": "x"})
    assert result.stdout == "C yes x\n"


def test_run_reads_both_streams_past_a_pipe_buffer(deadline: None) -> None:
    # 1 MB on each stream, interleaved: neither pipe may fill up and block the other
    script = (
        "i=0; while [ $i -lt 16 ]; do"
        " head -c 65536 /dev/zero; head -c 65536 /dev/zero >&2; i=$((i+1)); done"
    )
    result = proc.run(["sh", "-c", script])
    assert (len(result.stdout), len(result.stderr)) == (1 << 20, 1 << 20)


def test_run_text_as_subprocess_gives_it() -> None:
    # universal newlines; bytes that are not UTF-8 do not fail the call
    result = proc.run(["printf", "a\\r\\nb\\rc\\n\\377\\n"])
    assert result.stdout == "a\nb\nc\n\ufffd\n"


def test_run_finds_the_tool_in_the_path_it_is_given(tmp_path: Path) -> None:
    tool = tmp_path / "pot-only-here"
    tool.write_text("#!/bin/sh\necho found\n")
    tool.chmod(0o755)
    (tmp_path / "sub").mkdir()
    path = f"{tmp_path / 'sub'}:{tmp_path}"
    assert proc.run(["pot-only-here"], env={"PATH": path}).stdout == "found\n"
    with pytest.raises(CommandFailed) as info:
        proc.run(["sub"], env={"PATH": str(tmp_path)})
    assert info.value.returncode == 127


def test_run_reports_death_by_signal_as_subprocess_does() -> None:
    assert proc.run(["sh", "-c", "kill -TERM $$"], check=False).returncode == -15


def test_run_check_raises_command_failed() -> None:
    argv = ["sh", "-c", "echo first >&2; echo last >&2; exit 3"]
    with pytest.raises(CommandFailed) as info:
        proc.run(argv)
    failed = info.value
    assert (failed.argv, failed.returncode, failed.stderr) == (tuple(argv), 3, "first\nlast\n")
    assert str(failed) == "sh failed (exit status 3): last"
    assert failed.exit_code == 1


def test_command_failed_without_stderr() -> None:
    with pytest.raises(CommandFailed) as info:
        proc.run(["false"])
    assert (str(info.value), info.value.returncode, info.value.stderr) == (
        "false failed (exit status 1)",
        1,
        "",
    )


def test_run_without_check_returns_the_failure() -> None:
    result = proc.run(["sh", "-c", "echo no >&2; exit 4"], check=False)
    assert (result.returncode, result.stderr, result.ok) == (4, "no\n", False)


@pytest.mark.parametrize("check", [True, False])
def test_command_not_found(check: bool) -> None:
    with pytest.raises(CommandFailed) as info:
        proc.run(["pot-no-such-command", "-x"], check=check)
    assert (info.value.argv, info.value.returncode, info.value.stderr) == (
        ("pot-no-such-command", "-x"),
        127,
        "pot-no-such-command: command not found",
    )


def test_run_if_installed_tells_missing_from_failing() -> None:
    assert proc.run_if_installed(["/nonexistent/pot-test-tool"]) is None
    failed = proc.run_if_installed(["sh", "-c", "echo out; exit 3"])
    assert failed is not None
    assert (failed.returncode, failed.stdout) == (3, "out\n")


def test_run_logs_a_copy_pastable_argv(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pot.proc")
    proc.run(["sh", "-c", "exit 0", "it's"])
    assert [r.getMessage() for r in caplog.records] == ["CMD > sh -c 'exit 0' 'it'\"'\"'s'"]


# -- call, available


def test_call_passes_output_through(capfd: pytest.CaptureFixture[str]) -> None:
    assert proc.call(["sh", "-c", "echo through; exit 7"]) == 7
    assert capfd.readouterr().out == "through\n"


def test_call_command_not_found() -> None:
    assert proc.call(["pot-no-such-command"]) == 127


def test_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\n")
    data = tmp_path / "data"
    data.write_text("")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"/nonexistent:{tmp_path}")
    assert (proc.available("tool"), proc.available("data"), proc.available("sh")) == (
        True,
        False,
        False,
    )


# -- pipeline


def test_pipeline_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stages = [["printf", "a\\nb\\n"], ["tr", "a-z", "A-Z"], ["sed", "s/^/>/"]]
    with out.open("wb") as f:
        results = proc.pipeline(stages, stdout=f)
    assert out.read_text() == ">A\n>B\n"
    assert [(r.argv, r.returncode) for r in results] == [(tuple(s), 0) for s in stages]


def test_pipeline_reads_stdin(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.write_bytes(b"x" * 300_000)
    with src.open("rb") as fin, out.open("wb") as fout:
        proc.pipeline([["cat"], ["tr", "x", "y"]], stdin=fin, stdout=fout)
    assert out.read_bytes() == b"y" * 300_000


def test_pipeline_middle_stage_fails(tmp_path: Path, deadline: None) -> None:
    # yes never ends on its own, tail -f never ends at all: both must be killed
    failing = ["sh", "-c", "read line; echo 'no space left' >&2; exit 3"]
    out = tmp_path / "out"
    with out.open("wb") as f, pytest.raises(CommandFailed) as info:
        proc.pipeline([["yes"], failing, ["tail", "-f", "/dev/null"]], stdout=f)
    assert (info.value.argv, info.value.returncode, info.value.stderr) == (
        tuple(failing),
        3,
        "no space left\n",
    )


def test_pipeline_first_stage_fails(tmp_path: Path, deadline: None) -> None:
    failing = ["sh", "-c", "echo 'cannot send' >&2; exit 2"]
    with pytest.raises(CommandFailed) as info:
        proc.pipeline([failing, ["cat"], ["tail", "-f", "/dev/null"]])
    assert (info.value.argv, info.value.returncode, info.value.stderr) == (
        tuple(failing),
        2,
        "cannot send\n",
    )


def test_pipeline_stage_not_found(deadline: None) -> None:
    with pytest.raises(CommandFailed) as info:
        proc.pipeline([["yes"], ["pot-no-such-command"], ["cat"]])
    assert (info.value.argv, info.value.returncode) == (("pot-no-such-command",), 127)


# -- reading, writing


def test_reading() -> None:
    with proc.reading(["sh", "-c", "printf 'a\\nb'"]) as stream:
        assert stream.read() == b"a\nb"


def test_reading_checks_the_status() -> None:
    with (
        pytest.raises(CommandFailed) as info,
        proc.reading(["sh", "-c", "echo data; echo broken >&2; exit 4"]) as stream,
    ):
        assert stream.read() == b"data\n"
    assert (info.value.returncode, info.value.stderr) == (4, "broken\n")


def test_reading_kills_the_process_when_the_body_fails(deadline: None) -> None:
    with pytest.raises(ValueError, match="stop"), proc.reading(["yes"]) as stream:
        stream.read(10)
        raise ValueError("stop")


def test_reading_command_not_found() -> None:
    with pytest.raises(CommandFailed) as info, proc.reading(["pot-no-such-command"]):
        pass
    assert info.value.returncode == 127


def test_writing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with proc.writing(["sh", "-c", f"cat > {out}"]) as stream:
        stream.write(b"payload")
    assert out.read_bytes() == b"payload"


def test_writing_checks_the_status() -> None:
    with (
        pytest.raises(CommandFailed) as info,
        proc.writing(["sh", "-c", "cat >/dev/null; echo refused; exit 5"]) as stream,
    ):
        stream.write(b"payload")
    assert (info.value.returncode, info.value.stderr) == (5, "refused\n")


def test_writing_kills_the_consumer_when_the_body_fails(tmp_path: Path, deadline: None) -> None:
    # the consumer commits only on EOF: killed, it must never get there
    done = tmp_path / "done"
    consumer = ["sh", "-c", f"while read -r line; do :; done; touch {done}"]
    with pytest.raises(ValueError, match="half"), proc.writing(consumer) as stream:
        stream.write(b"first line\n")
        stream.flush()
        raise ValueError("half written")
    assert not done.exists()


def test_reading_survives_a_chatty_stderr(deadline: None) -> None:
    # more stderr than a pipe holds, before any stdout: a PIPE for stderr would deadlock
    script = "head -c 300000 /dev/zero | tr '\\0' x >&2; echo out"
    with proc.reading(["sh", "-c", script]) as stream:
        assert stream.read() == b"out\n"


def test_writing_survives_a_chatty_consumer(tmp_path: Path, deadline: None) -> None:
    # the consumer prints a lot before it reads its input
    script = "head -c 300000 /dev/zero | tr '\\0' x; cat > " + str(tmp_path / "got")
    with proc.writing(["sh", "-c", script]) as stream:
        stream.write(b"data" * 50000)
    assert (tmp_path / "got").read_bytes() == b"data" * 50000


@pytest.mark.parametrize("size", [10, 1 << 20])
def test_writing_reports_a_consumer_that_failed_without_reading(size: int, deadline: None) -> None:
    # the writer sees a broken pipe (in a write or in the final flush); the consumer's
    # own status and message are what matters
    consumer = ["sh", "-c", "echo 'cannot receive: bad stream' >&2; exit 1"]
    with pytest.raises(CommandFailed) as info, proc.writing(consumer) as stream:
        for _ in range(64):
            stream.write(b"x" * size)
    assert (info.value.returncode, info.value.stderr) == (1, "cannot receive: bad stream\n")


def test_streams_are_closed_as_soon_as_the_process_is_killed() -> None:
    # a daemon doing the work for the killed process (zfs-fuse) sees EOF/EPIPE at once,
    # not when the caller's traceback is released
    streams: list[IO[bytes]] = []
    with pytest.raises(ValueError), proc.writing(["cat"]) as stream:
        streams.append(stream)
        raise ValueError("body failed")
    with pytest.raises(ValueError), proc.reading(["cat", "/dev/zero"]) as stream:
        streams.append(stream)
        raise ValueError("body failed")
    assert [s.closed for s in streams] == [True, True]
