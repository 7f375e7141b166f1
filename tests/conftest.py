"""Shared fixtures: the demo county run once per session, and the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import SHARED

#: ../shared relative to the repository root (real Zhuji and Hangzhou data; may be absent).


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder, or a clean skip when it is absent."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"shared data not available at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """``circle15 demo --out DIR`` run once per test session; returns DIR."""
    from typer.testing import CliRunner

    from circle15.cli import app

    d = tmp_path_factory.mktemp("demo") / "d"
    res = CliRunner().invoke(app, ["demo", "--out", str(d)])
    assert res.exit_code == 0, res.output
    return d
