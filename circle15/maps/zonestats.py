"""Per-township coverage and target status for one layer and threshold (map colouring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.maps import rundata
from circle15.maps.labels import t
from circle15.maps.rundata import COVERAGE, LayerInfo, RunInfo
from circle15.vocab import COUNTY

#: A township whose rate is below target by at most this much (rate units, 0.10 = 10
#: percentage points) is "close"; further below is "far".
CLOSE_MARGIN = 0.10

STATUS_COLORS = {"met": "#1a9850", "close": "#fdae61", "far": "#d73027", "no_target": "#bdbdbd"}
#: Sequential scale (light to dark blue) used when there is no target to compare with.
NEUTRAL_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)
NEUTRAL_COLORS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
#: Shades of "far" (red) by distance below target, in rate units: up to 0.30 below, up to
#: 0.60 below, more. Together with "close" (amber) and "met" (green) these are the only
#: colours that mean a target status.
FAR_SHADES = ((0.30, "#fb6a4a"), (0.60, "#de2d26"), (math.inf, "#a50f15"))


@dataclass(frozen=True)
class ZoneStats:
    """Coverage of every township for one layer and threshold.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per zone: zone_id, zone_name, population, covered, rate (0..1), target
        (0..1 or NaN), gap_people, status (met / close / far / no_target), color.
    county : dict
        The county row (zone_id "ALL") with the same keys, when present.
    has_target : bool
        Whether a network-coverage target exists for this layer and threshold.
    year : int or None
        Target year.
    """

    table: pd.DataFrame
    county: dict
    has_target: bool
    year: int | None


def as_fraction(x: float) -> float:
    """A rate given either as a fraction (0..1) or a percentage (0..100), as a fraction."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return float("nan")
    x = float(x)
    return x / 100.0 if x > 1.0 else x


def neutral_color(rate: float) -> str:
    """Colour of a coverage rate on the neutral sequential scale."""
    if rate is None or math.isnan(rate):
        return STATUS_COLORS["no_target"]
    i = int(np.searchsorted(NEUTRAL_BINS, rate, side="right")) - 1
    return NEUTRAL_COLORS[min(max(i, 0), len(NEUTRAL_COLORS) - 1)]


def shaded_color(status: str, rate: float | None, target: float | None) -> str:
    """Fill of a township: green when met, amber when close, and within "far" a darker
    red the further the rate is below target (:data:`FAR_SHADES`)."""
    if status != "far":
        return STATUS_COLORS.get(status, STATUS_COLORS["no_target"])
    if rate is None or target is None or math.isnan(rate) or math.isnan(target):
        return FAR_SHADES[-1][1]
    gap = target - rate
    return next(c for limit, c in FAR_SHADES if gap <= limit + 1e-12)


def classify(rate: float, target: float, status: str = "") -> str:
    """Status of one township: ``met``, ``close``, ``far`` or ``no_target``.

    ``status`` from ``targets_by_zone.csv`` wins for met / no_target / not_measurable;
    a missed target is ``close`` if the rate is within :data:`CLOSE_MARGIN` of it.
    """
    if status in ("no_target", "not_measurable") or math.isnan(target):
        return "no_target"
    if status == "met" or (not status and rate >= target - 1e-12):
        return "met"
    if math.isnan(rate):
        return "far"
    return "close" if target - rate <= CLOSE_MARGIN + 1e-12 else "far"


def _coverage_rows(cov: pd.DataFrame, layer: LayerInfo, minutes: float, info: RunInfo
                   ) -> pd.DataFrame:
    rows = cov[(cov["layer"] == layer.key) & np.isclose(cov["minutes"], minutes)]
    if rows.empty:
        have = sorted(cov.loc[cov["layer"] == layer.key, "minutes"].dropna().unique())
        raise InputError(
            f"no coverage rows for layer {layer.key!r} at {minutes:g} minutes",
            file=info.path.parent / COVERAGE,
            hint=("minutes available: " + ", ".join(f"{m:g}" for m in have)) if have
            else "the run did not compute this layer")
    for group in (layer.group, "total"):
        sel = rows[rows["group"].fillna("total") == group]
        if not sel.empty:
            return sel
    return rows[rows["group"] == rows["group"].iloc[0]]


def _target_rows(targets: pd.DataFrame | None, layer: str, minutes: float,
                 year: int | None) -> pd.DataFrame | None:
    if targets is None or targets.empty:
        return None
    sel = targets[(targets["layer"].astype(str) == layer)
                  & np.isclose(targets["minutes"].astype(float), minutes)]
    if sel.empty:
        return None
    if "year" in sel and sel["year"].notna().any():
        years = sel["year"].dropna().astype(int)
        pick = year if year in set(years) else int(years.max())
        sel = sel[sel["year"] == pick]
    first = min(sel["indicator_id"].astype(str).unique())
    return sel[sel["indicator_id"].astype(str) == first].drop_duplicates("zone_id")


def zone_stats(info: RunInfo, coverage: pd.DataFrame, targets: pd.DataFrame | None,
               layer: LayerInfo, minutes: float) -> ZoneStats:
    """Coverage, target and status per township for ``layer`` at ``minutes``.

    Parameters
    ----------
    info : RunInfo
    coverage : pandas.DataFrame
        ``coverage_by_zone.csv``.
    targets : pandas.DataFrame or None
        ``targets_by_zone.csv`` (None when absent).
    layer : LayerInfo
    minutes : float

    Returns
    -------
    ZoneStats
    """
    rows = _coverage_rows(coverage, layer, minutes, info)
    year = info.params.get("year")
    year = int(year) if year not in (None, "") else None
    trows = _target_rows(targets, layer.key, minutes, year)
    table = pd.DataFrame({
        "zone_id": rows["zone_id"].astype(str).to_numpy(),
        "zone_name": rows["zone_name"].astype(str).to_numpy() if "zone_name" in rows
        else rows["zone_id"].astype(str).to_numpy(),
        "population": rows["population"].to_numpy(dtype=float),
        "covered": rows["covered_population"].to_numpy(dtype=float),
        "rate": rows["coverage_rate"].to_numpy(dtype=float),
    })
    table["target"] = np.nan
    table["gap_people"] = np.nan
    table["tstatus"] = ""
    if trows is not None:
        if "year" in trows and trows["year"].notna().any():
            year = int(trows["year"].dropna().iloc[0])
        t = trows.set_index("zone_id")
        idx = table["zone_id"]
        table["target"] = [as_fraction(t["target"].get(z, np.nan)) for z in idx]
        table["tstatus"] = [str(t["status"].get(z, "no_target")) for z in idx]
        if "gap_people" in t:
            table["gap_people"] = [t["gap_people"].get(z, np.nan) for z in idx]
    need = table["gap_people"].isna() & table["target"].notna()
    table.loc[need, "gap_people"] = np.maximum(
        0, np.ceil(table.loc[need, "target"] * table.loc[need, "population"]
                   - table.loc[need, "covered"] - 1e-9))
    table["status"] = [classify(r, tg, s) for r, tg, s in
                       zip(table["rate"], table["target"], table["tstatus"])]
    has_target = trows is not None and bool((table["status"] != "no_target").any())
    if has_target:
        table["color"] = table["status"].map(STATUS_COLORS)
    else:
        table["color"] = [neutral_color(r) for r in table["rate"]]
    table = table.drop(columns="tstatus")
    is_county = table["zone_id"] == COUNTY
    county = table[is_county].iloc[0].to_dict() if is_county.any() else {}
    return ZoneStats(table=table[~is_county].reset_index(drop=True), county=county,
                     has_target=has_target, year=year)


def target_caption(stats: ZoneStats, info: RunInfo, lang: str) -> str:
    """The legend's caption: the county's target, else the one target every township
    shares, else "targets vary"; the no-target note when there is no target."""
    if not stats.has_target:
        return t("no_target_note", lang)
    year = stats.year or info.params.get("year") or ""
    ct = stats.county.get("target", math.nan) if stats.county else math.nan
    if not math.isnan(ct):
        return t("legend_target", lang, target=fmt_pct(ct), year=year)
    targets = stats.table["target"].dropna().unique()
    if len(targets) == 1:
        return t("legend_target", lang, target=fmt_pct(float(targets[0])), year=year)
    return t("legend_target_varies", lang, year=year)


def legend_entries(stats: ZoneStats, lang: str) -> list[tuple[str, str, int | None]]:
    """``(colour, text, townships)`` per legend row: each status with its number of
    townships (``no_target`` only when some township has none), or without a target the
    neutral coverage bins (``townships`` None)."""
    if stats.has_target:
        counts = stats.table["status"].value_counts()
        return [(STATUS_COLORS[s], t(s, lang, margin=round(CLOSE_MARGIN * 100)),
                 int(counts.get(s, 0)))
                for s in ("met", "close", "far", "no_target")
                if s != "no_target" or counts.get(s)]
    return [(c, f"{NEUTRAL_BINS[i] * 100:.0f}–{min(NEUTRAL_BINS[i + 1], 1.0) * 100:.0f}%", None)
            for i, c in enumerate(NEUTRAL_COLORS)]


def fmt_int(x: float) -> str:
    """12345.6 -> "12,346"; NaN -> "—"."""
    return "—" if x is None or math.isnan(x) else f"{round(x):,}"


def fmt_pct(x: float) -> str:
    """0.853 -> "85.3%"; NaN -> "—"."""
    return "—" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


@dataclass(frozen=True)
class LayerView:
    """What both the HTML map and the PNG draw for one layer and threshold of a run."""

    info: RunInfo
    layer: LayerInfo
    minutes: float
    zones: pd.DataFrame
    stats: ZoneStats


def layer_view(run_dir: Path, layer: str, minutes: float) -> LayerView:
    """Read a finished run's zones, coverage and targets for ``layer`` at ``minutes``.

    Raises
    ------
    InputError
        Missing files, an unknown layer, or a threshold the run did not compute.
    """
    info = rundata.read_run_json(run_dir)
    lay = info.layer(layer)
    minutes = rundata.check_minutes(info, minutes)
    zones = rundata.read_zones(run_dir)
    stats = zone_stats(info, rundata.read_coverage(run_dir), rundata.read_targets(run_dir),
                       lay, minutes)
    return LayerView(info, lay, minutes, zones, stats)
