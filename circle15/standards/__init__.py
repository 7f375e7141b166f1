"""The standards catalogue: facility types of the 15-minute life circle as data.

:func:`load_catalogue` reads a bundled catalogue (``"national"``:
``circle15/data/standards/national.toml``) or a county's own TOML file, with per-run
overrides; :func:`catalogue_table` and :func:`entry_details` lay it out for printing
(``circle15 standards``).
"""

from __future__ import annotations

from circle15.standards.load import (
    DEFAULT_CATALOGUE,
    available_catalogues,
    catalogue_from_dict,
    load_catalogue,
)
from circle15.standards.model import (
    DOMAINS,
    GROUPS,
    LEVELS,
    MODES,
    Catalogue,
    Entry,
    Quota,
    Rule,
)
from circle15.standards.table import TABLE_COLUMNS, catalogue_table, entry_details

__all__ = ["DEFAULT_CATALOGUE", "DOMAINS", "GROUPS", "LEVELS", "MODES", "TABLE_COLUMNS",
           "Catalogue", "Entry", "Quota", "Rule", "available_catalogues", "catalogue_from_dict",
           "catalogue_table", "entry_details", "load_catalogue"]
