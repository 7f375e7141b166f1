"""Step 5-6 of loading a layer: which rows belong to it, their attributes, duplicates.

Attributes are cleaned and checked (missing names take the id, sub-types are matched to the
layer's list, numbers parsed with units, 是/否 open flags); two rows of the layer with the
same name within :data:`~circle15.facilities.validate.DUPLICATE_DISTANCE_M` are one
facility (the later one is merged); repeated ids are renamed.
"""

from __future__ import annotations

import numpy as np

from circle15.facilities.loaders._rows import LayerRows
from circle15.facilities.schema import BUILTIN_LAYERS, LayerSpec, match_layer
from circle15.facilities.validate import (
    DUPLICATE_DISTANCE_M,
    clean_text,
    find_duplicates,
    normalise_name,
    parse_bool,
    parse_number,
)

#: Numeric attributes, parsed with units ("30个", "120 m²").
NUMBER_FIELDS = ("capacity", "staff", "area_m2")


def _layer_of(value: str, spec: LayerSpec) -> str | None:
    """Layer a "layer" cell names: this layer's key, another built-in key, or None."""
    text = clean_text(value)
    if not text:
        return spec.key
    low = text.lower()
    if low in (spec.key, spec.label_zh.lower(), spec.label_en.lower()):
        return spec.key
    return match_layer(text)


def select_layer(st: LayerRows, spec: LayerSpec) -> None:
    """Skip the rows of a multi-layer file (图层/layer column) that name another layer."""
    if "layer" not in st.mapping:
        return
    lc = st.mapping["layer"]
    for i, v in enumerate(st.col("layer")):
        which = _layer_of(v, spec)
        if which is None:
            st.add(i, lc, "unknown_layer", f"unknown layer {v!r}; row skipped", "skipped",
                   hint=f"known layers: {', '.join(BUILTIN_LAYERS)}")
        elif which != spec.key:
            st.add(i, lc, "other_layer", f"row belongs to layer {which!r}, not {spec.key!r}",
                   "skipped")


def facility_ids(st: LayerRows, key: str) -> list[str]:
    """Ids as given (``12.0`` -> ``12``), else ``<layer>-<row>``."""
    ids = []
    for fid, row in zip(st.col("id"), st.rows, strict=True):
        if fid.endswith(".0") and fid[:-2].isdigit():
            fid = fid[:-2]
        ids.append(fid or f"{key}-{row}")
    return ids


def names_and_subtypes(st: LayerRows, spec: LayerSpec, ids: list[str]
                       ) -> tuple[list[str], list[str]]:
    """Names and sub-types of the rows.

    A kept row without a name takes its id (warned); sub-types become canonical where
    known, unknown ones are kept as given (warned).
    """
    names, subs = st.col("name"), st.col("subtype")
    for i in st.kept():
        if not names[i]:
            st.add(i, st.mapping.get("name", ""), "missing_name",
                   f"no name; using the id {ids[i]!r}", "warning")
            names[i] = ids[i]
        if not subs[i]:
            continue
        canon = spec.canonical_subtype(subs[i])
        if canon is None:
            st.add(i, st.mapping["subtype"], "unknown_subtype",
                   f"unknown sub-type {subs[i]!r} for layer {spec.key!r}; kept as given",
                   "warning", hint=f"known: {', '.join(spec.subtypes)}")
        else:
            subs[i] = canon
    return names, subs


def number_column(st: LayerRows, fld: str) -> np.ndarray:
    """A numeric attribute; unreadable or negative values are left empty (warned)."""
    vals = np.full(st.n, np.nan)
    raw = st.col(fld)
    c = st.mapping.get(fld, "")
    for i in st.kept():
        if not raw[i]:
            continue
        v = parse_number(raw[i], allow_unit=True)
        if v is None:
            st.add(i, c, "non_numeric_value", f"{fld} {raw[i]!r} is not a number; left empty",
                   "warning")
        elif v < 0:
            st.add(i, c, "negative_value", f"{fld} {raw[i]!r} is negative; left empty",
                   "warning")
        else:
            vals[i] = v
    return vals


def open_flags(st: LayerRows) -> np.ndarray:
    """Open flags (是/否, 1/0, ...); empty or unreadable cells are open."""
    out = np.ones(st.n, dtype=bool)
    raw = st.col("open")
    for i in st.kept():
        if not raw[i]:
            continue
        b = parse_bool(raw[i])
        if b is None:
            st.add(i, st.mapping["open"], "unrecognised_open_flag",
                   f"open flag {raw[i]!r} not understood (是/否, 1/0); taken as open", "warning")
        else:
            out[i] = b
    return out


def merge_duplicates(st: LayerRows, name_list: list[str], lon: np.ndarray,
                     lat: np.ndarray) -> None:
    """Merge rows that repeat an earlier row: same name within a few metres."""
    idx = st.kept()
    if len(idx) <= 1:
        return
    lat0 = np.nanmean(lat[idx])
    px = lon[idx] * 111_320.0 * np.cos(np.radians(lat0))
    py = lat[idx] * 110_574.0
    keys = np.array([normalise_name(name_list[i]) for i in idx], dtype=object)
    for dup, first in find_duplicates(keys, px, py, DUPLICATE_DISTANCE_M).items():
        i, j = idx[dup], idx[first]
        st.add(i, st.mapping.get("name", ""), "duplicate",
               f"{name_list[i]!r} repeats row {st.rows[j]} (same name within "
               f"{DUPLICATE_DISTANCE_M:g} m); merged into it", "merged")


def unique_ids(st: LayerRows, ids: list[str]) -> None:
    """Rename a kept row whose id an earlier kept row uses (``<id>-<row>``)."""
    seen: set[str] = set()
    for i in st.kept():
        if ids[i] in seen:
            new = f"{ids[i]}-{st.rows[i]}"
            st.add(i, st.mapping.get("id", ""), "duplicate_id",
                   f"id {ids[i]!r} is used by an earlier row; renamed {new!r}", "warning")
            ids[i] = new
        seen.add(ids[i])
