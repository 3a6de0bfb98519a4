"""The CLI edge's logging set-up leaves nothing behind for library callers."""

from __future__ import annotations

import logging

from pot.cli import output


def test_uninstall_resets_the_level_a_verbose_run_set() -> None:
    output.install()
    output.set_verbosity(2)
    output.uninstall()
    assert logging.getLogger("pot").level == logging.NOTSET
    assert not logging.getLogger("pot.net.host").isEnabledFor(logging.DEBUG) or (
        logging.getLogger().isEnabledFor(logging.DEBUG)
    )
