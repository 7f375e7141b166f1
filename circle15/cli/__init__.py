"""Command-line interface of circle15 (``circle15 --help``).

Each module adds its commands to the one :data:`~circle15.cli._common.app`:
:mod:`~circle15.cli.commands` (run, demo, targets, map, site),
:mod:`~circle15.cli.standards` (standards).
"""

from __future__ import annotations

import signal

from circle15.cli import (
    batch,  # noqa: F401  (batch, cache clear)
    commands,  # noqa: F401  (registers the commands)
    history,  # noqa: F401  (record, history, compare, problems, dispatch)
    standards,  # noqa: F401  (standards)
)
from circle15.cli._common import app

__all__ = ["app", "main"]


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the command like Ctrl-C: temporary files are removed, nothing is
    half-written."""
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
