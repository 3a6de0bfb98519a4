"""The exception hierarchy of pot; the CLI edge maps each class to its exit code."""

from __future__ import annotations

# annotations only: collections.abc imports the collections package, which every
# command would pay for at start-up
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def worded(word: str, message: str) -> str:
    """Render a message of upstream's quiet-able error helper.

    Upstream prints the helper's mode word too ("" -> a third space, "NO", "init"),
    so byte-compatible output needs it in the message text.
    """
    return f"{word} {message}"


class PotError(Exception):
    """A failure reported to the user as one or more ``###>`` lines."""

    exit_code = 1

    def __init__(self, *lines: str, usage: bool = False) -> None:
        super().__init__(*lines)
        self.lines: tuple[str, ...] = lines
        # print the command's help text after the message, as upstream does for bad usage
        self.usage = usage

    def __str__(self) -> str:
        return "\n".join(self.lines)


class UsageError(PotError):
    """Bad options or arguments: message(s), then the command's help text."""

    def __init__(self, *lines: str) -> None:
        super().__init__(*lines, usage=True)


class ConfigError(PotError):
    """pot.conf or the pot framework configuration is invalid."""


class InvalidName(PotError):
    """A pot, base, fscomp, bridge or tag name that upstream refuses."""


class PotNotFound(PotError):
    """The named pot (or base, fscomp, bridge) does not exist."""


class AlreadyExists(PotError):
    """The object to be created exists already."""


class PotRunning(PotError):
    """The operation needs a stopped pot."""


class PotNotRunning(PotError):
    """The operation needs a running pot."""


class NeedsRoot(PotError):
    """The operation needs root privileges."""

    def __init__(self) -> None:
        super().__init__(worded("", "This operation needs 'root' privilegies"))


class LockTimeout(PotError):
    """A lock could not be taken in time."""


class ImageError(PotError):
    """An image is missing, corrupt, tampered with or wrongly signed."""


class NotImplementedCommand(PotError):
    """A command of upstream's interface that this version does not provide yet."""

    def __init__(self, command: str) -> None:
        super().__init__(f"pot {command}: not implemented yet in this version")


class AppExitError(PotError):
    """The pot's own command failed (upstream start.sh returns 125)."""

    exit_code = 125


class QuietExit(PotError):
    """End the command with a status and no message (upstream's silent ``return 1``)."""

    def __init__(self, exit_code: int = 1) -> None:
        super().__init__()
        self.exit_code = exit_code


class CommandFailed(PotError):
    """An external command exited non-zero (raised only by pot.proc)."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr = stderr
        first = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        message = f"{argv[0]} failed (exit status {returncode})"
        super().__init__(f"{message}: {first}" if first else message)
