"""Monitoring over time (issue 15): recorded periods, comparison, problems to closure, dispatch.

A *history store* (SQLite file by default, PostgreSQL + PostGIS for a shared server) keeps,
per period (``2025Q3`` or ``2025``), what a finished run folder says: provenance, every
indicator per township and county for every plan year, coverage per township × layer ×
group × threshold, the facility register and the township geometries.
"""

from __future__ import annotations

from circle15.history.periods import Period, parse_period
from circle15.history.store import Store, database_url, mask_url, open_store

__all__ = ["Period", "Store", "database_url", "mask_url", "open_store", "parse_period"]
