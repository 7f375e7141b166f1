"""Command-line interface of circle15 (``circle15 --help``).

Each module adds its commands to the one :data:`~circle15.cli._common.app`:
:mod:`~circle15.cli.commands` (run, demo, targets, map, site).
"""

from __future__ import annotations

from circle15.cli import batch as _batch  # noqa: F401  (batch, cache clear)
from circle15.cli import commands  # noqa: F401  (registers the commands)
from circle15.cli._common import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
