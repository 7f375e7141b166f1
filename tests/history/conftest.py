"""The history tests' store: every test that takes ``db`` runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from support.history import make_db


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A fresh store URL of each backend (PostgreSQL skips without a server)."""
    url, drop = make_db(request.param, tmp_path)
    yield url
    drop()
