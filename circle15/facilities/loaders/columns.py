"""Step 2 of loading a layer: which input column holds which standard field.

The config's ``columns`` mapping comes first; then every header recognised by
:data:`circle15.vocab.HEADER_ALIASES` (the same spellings as population points and siting
candidates).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from circle15.errors import InputError
from circle15.facilities.schema import STANDARD_FIELDS
from circle15.vocab import match_headers


def map_columns(columns: list[str], user: Mapping[str, str] | None, file: Path,
                key_prefix: str) -> dict[str, str]:
    """Standard field -> input column, from the config mapping then known headers.

    Parameters
    ----------
    columns : list of str
        The table's columns, in order.
    user : mapping, optional
        Input column -> standard field, from the layer's ``columns``.
    file : Path
        The file, for errors.
    key_prefix : str
        Config key prefix of the layer (``"layers.clinic"``).

    Raises
    ------
    InputError
        A mapped field is not a standard field, or a mapped column is not in the file.
    """
    given: dict[str, str] = {}
    for col, fld in (user or {}).items():
        if fld not in STANDARD_FIELDS:
            raise InputError(f"unknown standard field {fld!r} for column {col!r}",
                             file=file, key=f"{key_prefix}.columns",
                             hint=f"one of {', '.join(STANDARD_FIELDS)}")
        if col not in columns:
            raise InputError(f"column {col!r} (mapped to {fld!r}) is not in the file",
                             file=file, column=str(col), key=f"{key_prefix}.columns",
                             hint=f"columns are: {', '.join(map(str, columns))}")
        given.setdefault(fld, col)
    return match_headers(columns, STANDARD_FIELDS, given)


def has_coords(mapping: Mapping[str, str]) -> bool:
    """True when the mapping names longitude and latitude, or one lon/lat column."""
    return ("lon" in mapping and "lat" in mapping) or "lonlat" in mapping
