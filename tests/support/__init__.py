"""Shared test helpers, one place for every test folder.

- :mod:`support.tiny` — the tiny hand-checked county (one 2 km street, two zones, one clinic);
- :mod:`support.bruteforce` — random networks and brute-force networkx references;
- :mod:`support.history` — history-store backends (SQLite and PostgreSQL) and two periods.

Paths: :data:`REPO` is the repository, :data:`SHARED` the workplace's ``../shared`` folder
(real Zhuji and Hangzhou data; tests that need it skip when it is absent).
"""

from __future__ import annotations

from pathlib import Path

#: The repository root.
REPO = Path(__file__).resolve().parents[2]
#: ``../shared`` beside the repository (may be absent).
SHARED = REPO.parent / "shared"
