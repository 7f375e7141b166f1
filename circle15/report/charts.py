"""Charts of the briefing: township bars against the targets, status counts, overview map.

Every chart is drawn with matplotlib's object-oriented API (a ``Figure`` on the Agg
canvas: no pyplot, no global settings) and the bundled Noto Sans CJK SC font, and saved
without a timestamp, so two runs give identical PNG bytes. Each function returns a
:class:`Chart`: the file and the numbers actually plotted (read back from the drawn bars),
which :func:`write_charts` also writes to ``charts.json`` so that tests and people can
check a chart against ``targets_by_zone.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from circle15.io import write_text
from circle15.report import labels as L
from circle15.report.labels import number_or_none as _num
from circle15.report.labels import zh_en as _t
from circle15.vocab import COUNTY, RunFiles

#: Bar colours by status (the workbook's font colours, readable in print).
BAR_COLOURS = {"met": "#1a9850", "not_met": "#d73027", "no_target": "#9e9e9e",
               "not_measurable": "#fdae61"}
#: Indicator kinds measured from facilities and the network (drawn per township).
SPATIAL_KINDS = ("network_coverage", "admin_coverage", "per_capita")
#: Most indicator panels in one domain chart.
MAX_PANELS = 3


@dataclass
class Panel:
    """One indicator of a chart: the bars drawn and the target lines."""

    indicator_id: str
    name: str
    unit: str
    year: int
    target: float | None
    yearly_targets: dict[str, float] = field(default_factory=dict)
    county_value: float | None = None
    #: zone_id -> plotted value (bar length), read back from the drawn bars.
    bars: dict[str, float] = field(default_factory=dict)
    #: zone_id -> status (bar colour).
    status: dict[str, str] = field(default_factory=dict)


@dataclass
class Chart:
    """A chart written to disk and the numbers it shows."""

    key: str
    kind: str
    title: str
    path: Path
    panels: list[Panel] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (file name only)."""
        d = asdict(self)
        d["path"] = self.path.name
        return d



def charted_indicators(targets: pd.DataFrame, domain: str) -> list[str]:
    """Indicators of ``domain`` with township values to draw (at most :data:`MAX_PANELS`)."""
    part = targets[(targets["domain"] == domain) & (targets["zone_id"] != COUNTY)
                   & targets["kind"].isin(SPATIAL_KINDS)]
    ids = [i for i, g in part.groupby("indicator_id", sort=False) if g["value"].notna().any()]
    return ids[:MAX_PANELS]


def yearly_targets(targets_all: pd.DataFrame | None, indicator_id: str) -> dict[str, float]:
    """Year -> county target value of one indicator over the plan years (numbers only)."""
    if targets_all is None or not len(targets_all):
        return {}
    rows = targets_all[(targets_all["indicator_id"] == indicator_id)
                       & (targets_all["zone_id"] == COUNTY)]
    out = {}
    for y, v in zip(rows["year"], rows["target_value"], strict=True):
        x = _num(v)
        if x is not None:
            out[str(int(y))] = x
    return out


def _panel(targets: pd.DataFrame, targets_all: pd.DataFrame | None, ind: str, zone_order:
           Sequence[str], lang: str) -> Panel:
    rows = targets[targets["indicator_id"] == ind]
    county = rows[rows["zone_id"] == COUNTY]
    first = rows.iloc[0]
    zones = rows[rows["zone_id"] != COUNTY].set_index("zone_id")
    p = Panel(indicator_id=ind, name=L.indicator_name(first, lang), unit=L.unit_text(first, lang),
              year=int(first["year"]), target=_num(first.get("target_value")),
              yearly_targets=yearly_targets(targets_all, ind),
              county_value=_num(county["value"].iloc[0]) if len(county) else None)
    for z in zone_order:
        if z in zones.index:
            v = _num(zones.loc[z, "value"])
            p.bars[z] = 0.0 if v is None else v
            p.status[z] = str(zones.loc[z, "status"])
    return p


def _draw_panel(ax: Any, p: Panel, names: Sequence[str], font: Any, lang: str,
                width: int = 34) -> None:
    """Horizontal township bars, the target year's target and the other plan years'."""
    ys = np.arange(len(p.bars))[::-1]
    colours = [BAR_COLOURS.get(p.status[z], "#9e9e9e") for z in p.bars]
    bars = ax.barh(ys, list(p.bars.values()), color=colours, height=0.7, zorder=2)
    for z, b in zip(list(p.bars), bars, strict=True):  # the plotted numbers, read back
        p.bars[z] = float(b.get_width())
    top = len(ys) - 0.4
    hi = max([*p.bars.values(), p.target or 0, *p.yearly_targets.values(), 1e-9])
    for y, v in sorted(p.yearly_targets.items()):
        if int(y) != p.year:
            ax.axvline(v, color="#7f7f7f", lw=0.8, ls=":", zorder=3)
    for z, b in zip(list(p.bars), bars, strict=True):
        ax.text(b.get_width() + hi * 0.01, b.get_y() + b.get_height() / 2,
                L.fmt_num(p.bars[z], 1), fontsize=7, va="center", ha="left", color="#333333",
                fontproperties=font, zorder=4)
    if p.target is not None:
        ax.axvline(p.target, color="#1f4e79", lw=1.6, zorder=3)
        ax.text(p.target, top, _t(f"{p.year}年目标 {L.fmt_num(p.target, 1)}",
                                  f"{p.year} target {L.fmt_num(p.target, 1)}", lang),
                fontproperties=font, fontsize=7.5, color="#1f4e79", ha="right", va="bottom")
    if p.county_value is not None:
        ax.axvline(p.county_value, color="#222222", lw=1.0, ls="--", zorder=3)
    ax.set_yticks(ys, names, fontproperties=font, fontsize=8)
    unit = f"（{p.unit}）" if p.unit and lang != "en" else f" ({p.unit})" if p.unit else ""
    ax.set_title(_wrap(f"{p.indicator_id} {p.name}{unit}", width if lang != "en" else 2 * width,
                       lang == "en"),
                 fontproperties=font, fontsize=8.5, pad=14, loc="left")
    ax.set_xlim(0, 100 * 1.08 if p.unit == "%" and hi <= 100 else hi * 1.12)
    ax.set_ylim(-0.6, len(ys) - 0.1)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#e0e0e0", lw=0.5, zorder=0)


def _wrap(text: str, width: int, words: bool = False) -> str:
    """Break a long title into lines of at most ``width`` characters (at spaces: ``words``)."""
    if words:
        import textwrap

        return "\n".join(textwrap.wrap(text, width))
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def domain_chart(path: str | Path, targets: pd.DataFrame, domain: str, *,
                 targets_all: pd.DataFrame | None = None, lang: str = "zh",
                 county: str = "全市") -> Chart | None:
    """Townships against the target year's target and the 2023–2027 targets, one domain.

    One panel per measured indicator of the domain (bars = township values, coloured by
    status; solid line = the selected year's target; dotted lines = the other plan years'
    targets; dashed line = the county value, ``county`` its name: 全市 / 全县). ``None``
    when nothing in the domain is measured.
    """
    from circle15.fonts import find_cjk_font
    from circle15.maps.static import new_figure, save_png

    inds = charted_indicators(targets, domain)
    if not inds:
        return None
    font = find_cjk_font()
    zrows = targets[targets["zone_id"] != COUNTY].drop_duplicates("zone_id")
    order = list(zrows["zone_id"])
    names = list(zrows["zone_name"].astype(str))
    panels = [_panel(targets, targets_all, i, order, lang) for i in inds]
    fig = new_figure((5.4, 0.2 * len(order) + 1.3), dpi=170)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, p in zip(axes, panels, strict=True):
        _draw_panel(ax, p, names, font, lang, width=34 // len(panels) - (2 if len(panels) > 1
                                                                          else 0))
    first = targets[targets["domain"] == domain].iloc[0]
    title = L.domain_text(first, lang)
    fig.suptitle(title, fontproperties=font, fontsize=10, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.text(0.01, 0.01, _t(f"实线：目标年份目标值；点线：规划其他年份目标值；"
                            f"虚线：{county}现状值；"
                            "绿色达标，红色未达标", "solid: target of the year; dotted: the plan's "
                            "other years; dashed: county value; green met, red not met", lang),
             fontproperties=font, fontsize=7, color="#555555")
    save_png(fig, path)
    return Chart(key=f"domain_{domain}", kind="domain", title=title, path=Path(path),
                 panels=panels)


def status_chart(path: str | Path, targets: pd.DataFrame, *, lang: str = "zh",
                 domains: Sequence[str] | None = None) -> Chart:
    """County indicators per domain by status (stacked horizontal bars)."""
    from circle15.fonts import find_cjk_font
    from circle15.maps.static import new_figure, save_png

    font = find_cjk_font()
    county = targets[targets["zone_id"] == COUNTY]
    doms = [d for d in dict.fromkeys([*(domains or []), *county["domain"]])
            if (county["domain"] == d).any()]
    labels = [L.domain_text(county[county["domain"] == d].iloc[0], lang) for d in doms]
    counts = {d: {st: int(((county["domain"] == d) & (county["status"] == st)).sum())
                  for st in L.STATUS} for d in doms}
    fig = new_figure((6.4, 0.32 * len(doms) + 1.0), dpi=150)
    ax = fig.add_subplot()
    ys = np.arange(len(doms))[::-1]
    left = np.zeros(len(doms))
    drawn: dict[str, dict[str, int]] = {d: {} for d in doms}
    for st in ("met", "not_met", "no_target", "not_measurable"):
        vals = np.array([counts[d][st] for d in doms], dtype=float)
        bars = ax.barh(ys, vals, left=left, color=BAR_COLOURS[st], height=0.65,
                       label=L.label(L.STATUS, st, lang))
        for d, b in zip(doms, bars, strict=True):
            drawn[d][st] = round(float(b.get_width()))
        left += vals
    ax.set_yticks(ys, labels, fontproperties=font, fontsize=8)
    ax.legend(prop=font, fontsize=7, ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_t("指标数（项）", "Indicators", lang), fontproperties=font, fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    save_png(fig, path)
    return Chart(key="status", kind="status", title=_t("各领域指标达标情况", "Indicators by "
                                                       "status", lang),
                 path=Path(path), counts=drawn)


def write_charts_json(path: str | Path, charts: Sequence[Chart]) -> Path:
    """The plotted numbers of every chart (``charts.json``)."""
    return write_text(Path(path), json.dumps({c.key: c.to_dict() for c in charts},
                                             ensure_ascii=False, indent=1) + "\n")


def write_charts(out_dir: str | Path, targets: pd.DataFrame, *,
                 targets_all: pd.DataFrame | None = None, lang: str = "zh",
                 domains: Mapping[str, Any] | None = None, county: str = "全市"
                 ) -> list[Chart]:
    """Every briefing chart (``chart_<domain>.png``, ``chart_status.png``) and ``charts.json``.

    Parameters
    ----------
    out_dir : str or Path
    targets : pandas.DataFrame
        The selected year's targets (``targets_by_zone.csv`` rows of that year).
    targets_all : pandas.DataFrame, optional
        Every plan year (for the yearly target lines).
    lang : {"zh", "en"}
    domains : mapping, optional
        Domain order (the plan's ``domains``); default the order in ``targets``.
    county : str
        The county's word (:func:`circle15.vocab.county_label`).

    Returns
    -------
    list of Chart
    """
    out_dir = Path(out_dir)
    order = list(domains or {}) + [d for d in dict.fromkeys(targets["domain"])
                                   if d not in (domains or {})]
    charts = [c for d in order if (c := domain_chart(out_dir / f"chart_{d}.png", targets, d,
                                                      targets_all=targets_all, lang=lang,
                                                      county=county))]
    charts.append(status_chart(out_dir / "chart_status.png", targets, lang=lang, domains=order))
    write_charts_json(out_dir / RunFiles.CHARTS_JSON, charts)
    return charts


#: Classes of the overview map (percent, upper bounds) and their colours (light to dark).
MAP_BINS = (20.0, 40.0, 60.0, 80.0, 100.0001)
MAP_COLOURS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


def _bin_colour(v: float | None) -> str:
    if v is None:
        return "#e0e0e0"
    for hi, colour in zip(MAP_BINS, MAP_COLOURS, strict=True):
        if v < hi:
            return colour
    return MAP_COLOURS[-1]


def overview_map(path: str | Path, zones: Any, targets: pd.DataFrame, *,
                 facilities: Any = None, layers: Sequence[Mapping[str, Any]] = (),
                 crs: Any = None, lang: str = "zh") -> Chart | None:
    """Townships shaded by the full circle's coverage (%), with facilities, north arrow,
    scale bar and legend. ``None`` without zones or a network-coverage indicator.

    ``zones`` is a GeoDataFrame (``zone_id``, ``zone_name``); ``facilities`` a GeoDataFrame
    with ``layer``; ``crs`` the run's metric CRS (default: a local UTM zone).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from circle15.fonts import find_cjk_font
    from circle15.maps import display
    from circle15.maps.static import (
        add_north_arrow,
        add_scale_bar,
        new_figure,
        plot_frame,
        save_png,
    )
    from circle15.report.briefing import headline_indicator

    head = headline_indicator(targets)
    if zones is None or not len(zones) or head is None:
        return None
    font = find_cjk_font()
    metric = display.metric_crs(zones, crs)
    z = zones.to_crs(metric)
    rows = targets[(targets["indicator_id"] == head["indicator_id"])
                   & (targets["zone_id"] != COUNTY)].set_index("zone_id")
    vals = {str(i): _num(rows["value"].get(str(i))) for i in z["zone_id"]}
    fig = new_figure((6.2, 5.4), dpi=150)
    ax = fig.add_subplot()
    plot_frame(z, ax, color=[_bin_colour(vals[str(i)]) for i in z["zone_id"]], edgecolor="#555555",
           linewidth=0.6)
    handles: list[Any] = []
    names = L.layer_labels(layers)
    colours = {str(s["key"]): str(s.get("color") or "#333333") for s in layers}
    if facilities is not None and len(facilities):
        f = facilities.to_crs(metric)
        for key, part in f.groupby(f["layer"].astype(str), sort=False):
            ax.scatter(part.geometry.x, part.geometry.y, s=7, c=colours.get(key, "#333333"),
                       edgecolors="white", linewidths=0.3, zorder=4)
            handles.append(Line2D([], [], marker="o", ls="", markersize=4,
                                  color=colours.get(key, "#333333"),
                                  label=f"{L.label(names, key, lang)}（{len(part)}）"
                                  if lang != "en" else
                                  f"{L.label(names, key, lang)} ({len(part)})"))
    import shapely

    pts = shapely.point_on_surface(z.geometry.to_numpy())
    for p, zid, name in zip(pts, z["zone_id"], z["zone_name"], strict=True):
        v = vals[str(zid)]
        ax.annotate(f"{name}\n{'—' if v is None else L.fmt_num(v, 1) + '%'}", (p.x, p.y),
                    ha="center", va="center", fontproperties=font, fontsize=6, color="#111111",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
    ax.set_axis_off()
    ax.set_aspect("equal")
    add_north_arrow(ax, font)
    add_scale_bar(ax, font, lang)
    lows = (0, *MAP_BINS[:-1])
    handles = [Patch(facecolor=c, edgecolor="#555555",
                     label=f"{lo:g}–{min(hi, 100):g}%") for lo, hi, c in
               zip(lows, MAP_BINS, MAP_COLOURS, strict=True)] + handles
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), prop=font,
              fontsize=7, frameon=False,
              title=_wrap(L.indicator_name(head, lang), 14 if lang != "en" else 28, lang == "en"),
              title_fontproperties=font)
    fig.tight_layout()
    save_png(fig, path)
    panel = Panel(indicator_id=str(head["indicator_id"]), name=L.indicator_name(head, lang),
                  unit=L.unit_text(head, lang), year=int(head["year"]),
                  target=_num(head.get("target_value")),
                  bars={k: v for k, v in vals.items() if v is not None})
    return Chart(key="overview_map", kind="map", title=L.indicator_name(head, lang),
                 path=Path(path), panels=[panel])
