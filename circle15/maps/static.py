"""Static PNG of the township coverage choropleth, for printed reports.

Chinese text is drawn with the Noto Sans CJK SC font that the install brings (the
``noto-cjk-sans-otc`` package from PyPI), never with a system font, so the PNG looks the
same on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from circle15.fonts import find_cjk_font
from circle15.io import atomic_file
from circle15.maps import display
from circle15.maps.labels import check_lang, t
from circle15.maps.zonestats import (
    STATUS_COLORS,
    fmt_pct,
    layer_view,
    legend_entries,
    target_caption,
)


def render_png(run_dir: Path, out_path: Path | None = None, *, layer: str = "",
               minutes: float = 15, lang: str = "zh") -> Path:
    """Draw the township coverage choropleth as a PNG.

    Parameters
    ----------
    run_dir : Path
        Finished run directory (needs ``run.json``, ``zones.geojson``,
        ``coverage_by_zone.csv``; uses ``targets_by_zone.csv`` when present).
    out_path : Path, optional
        Default ``run_dir / "coverage_map.png"``.
    layer : str
        Facility layer; default the first in ``run.json``.
    minutes : float
        Threshold; must be one the run computed.
    lang : {"zh", "en"}

    Returns
    -------
    Path
        The PNG written (atomically).

    Raises
    ------
    InputError
        Missing files, unknown layer or threshold, or no CJK font installed.
    """
    run_dir = Path(run_dir)
    out_path = Path(out_path) if out_path is not None else run_dir / "coverage_map.png"
    check_lang(lang)
    font = find_cjk_font()
    view = layer_view(run_dir, layer, minutes)
    info, lay, minutes, zones, stats = (view.info, view.layer, view.minutes, view.zones,
                                        view.stats)
    crs = display.metric_crs(zones, info.params.get("crs"))
    z = zones.to_crs(crs)
    tab = stats.table.set_index("zone_id")
    colors = [tab["color"].get(i, STATUS_COLORS["no_target"]) for i in z["zone_id"]]

    fig = new_figure((8.5, 8.5), dpi=150)
    ax = fig.add_subplot()
    plot_frame(z, ax, color=colors, edgecolor="#444444", linewidth=0.7)
    fac = _facilities(run_dir, crs, lay.key)
    if fac is not None and len(fac):
        ax.scatter(fac.geometry.x, fac.geometry.y, s=14, marker="o", c=lay.color or "#333333",
                   edgecolors="white", linewidths=0.6, zorder=4)
    _zone_labels(ax, z, tab, font)
    ax.set_axis_off()
    ax.set_aspect("equal")
    p = info.params
    title = str(p.get("title") or "circle15")
    sub = t("legend_title", lang, layer=lay.label(lang), minutes=f"{minutes:g}")
    ax.set_title(f"{title}\n{sub}", fontproperties=font, fontsize=13)
    add_north_arrow(ax, font)
    add_scale_bar(ax, font, lang)
    handles = _legend_handles(stats, lang)
    if fac is not None and len(fac):
        handles.append(Line2D([], [], marker="o", ls="", color=lay.color or "#333333",
                              markeredgecolor="white",
                              label=f"{lay.label(lang)} ({len(fac)})"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), prop=font,
              fontsize=9, frameon=True,
              title=target_caption(stats, info, lang), title_fontproperties=font)
    foot = [f"{t('data_date', lang)}: {p.get('data_date') or '—'}",
            f"{t('year', lang)}: {stats.year or p.get('year') or '—'}"]
    if stats.county:
        foot.append(f"{t('county', lang)} {t('rate', lang)}: "
                    f"{fmt_pct(stats.county.get('rate', math.nan))}")
    if p.get("synthetic"):
        foot.append(t("synthetic", lang))
    fig.text(0.02, 0.015, "    ".join(foot), fontproperties=font, fontsize=8,
             color="#a15c00" if p.get("synthetic") else "#444444")
    save_png(fig, out_path)
    return out_path


def _zone_labels(ax: Axes, z: gpd.GeoDataFrame, tab: Any, font: Any) -> None:
    """Township name and coverage rate on each township."""
    pts = shapely.point_on_surface(z.geometry.to_numpy())
    size = 9 if len(z) <= 30 else 7
    for p, zid, name in zip(pts, z["zone_id"], z["zone_name"]):
        rate = tab["rate"].get(zid, math.nan)
        ax.annotate(f"{name}\n{fmt_pct(rate)}", (p.x, p.y), ha="center", va="center",
                    fontproperties=font, fontsize=size, color="#111111",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.6})


def _legend_handles(stats, lang: str) -> list[Artist]:
    return [Patch(facecolor=color, edgecolor="#444444",
                  label=text if n is None else f"{text} ({n})")
            for color, text, n in legend_entries(stats, lang)]


# --------------------------------------------------------------------------- map furniture


def new_figure(size: tuple[float, float], dpi: int = 150) -> Figure:
    """A matplotlib figure on the Agg canvas (object-oriented API: no pyplot, no global state)."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def plot_frame(gdf: gpd.GeoDataFrame, ax: Axes, **kwargs: Any) -> Axes:
    """``gdf.plot(ax=ax, **kwargs)`` without the full drawing of the figure it ends with.

    GeoPandas' plot calls ``canvas.draw_idle()``, which on the Agg canvas draws the whole
    figure there and then (tick labels and all, a tenth of a second per map); the PNG is
    drawn again by :func:`save_png` anyway, so that drawing is skipped: the same pixels.
    """
    canvas = ax.figure.canvas
    canvas.draw_idle = _no_draw  # type: ignore[method-assign]  # this figure only
    try:
        return gdf.plot(ax=ax, **kwargs)
    finally:
        del canvas.draw_idle


def _no_draw(*_args: Any, **_kwargs: Any) -> None:
    return None


def save_png(fig: Figure, path: str | Path, **kwargs: Any) -> Path:
    """Save ``fig`` as a PNG atomically; the same figure gives the same bytes on every run."""
    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format="png", bbox_inches="tight", metadata={"Software": None},
                    **kwargs)
    return path


def add_north_arrow(ax: Axes, font: font_manager.FontProperties, *,
                    xy: tuple[float, float] = (0.95, 0.93)) -> None:
    """A north arrow ("北" / N) in the corner of a map in a projected CRS with north up."""
    x, y = xy
    ax.annotate("", xy=(x, y), xytext=(x, y - 0.09), xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.8",
                            "color": "#222222", "lw": 1.6})
    ax.text(x, y + 0.012, "N", transform=ax.transAxes, ha="center", va="bottom",
            fontproperties=font, fontsize=11, color="#222222")


def _nice_length(span_m: float) -> float:
    """A round scale-bar length near a fifth of the map width (1, 2 or 5 x 10^k metres)."""
    target = max(span_m / 5, 1.0)
    k = 10 ** math.floor(math.log10(target))
    return max(m * k for m in (1, 2, 5) if m * k <= target)


def add_scale_bar(ax: Axes, font: font_manager.FontProperties, lang: str = "zh", *,
                  xy: tuple[float, float] = (0.05, 0.04)) -> float:
    """A scale bar in the lower left of a map drawn in metres; returns its length (m)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(abs(x1 - x0))
    bx = x0 + xy[0] * (x1 - x0)
    by = y0 + xy[1] * (y1 - y0)
    h = 0.012 * (y1 - y0)
    for i, colour in enumerate(("#222222", "white")):
        ax.add_patch(_rect(bx + i * length / 2, by, length / 2, h, colour))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    if lang != "en":
        label = f"{length / 1000:g} 公里" if length >= 1000 else f"{length:g} 米"
    ax.text(bx + length / 2, by + 1.8 * h, label, ha="center", va="bottom",
            fontproperties=font, fontsize=8, color="#222222")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return length


def _rect(x: float, y: float, w: float, h: float, colour: str) -> Patch:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="#222222", linewidth=0.8,
                     zorder=5)


def _facilities(run_dir: Path, crs: Any, layer: str) -> gpd.GeoDataFrame | None:
    """The run's facilities of one layer in ``crs`` (None when the run has none)."""
    path = Path(run_dir) / "facilities.geojson"
    if not path.is_file():
        return None
    fac = gpd.read_file(path)
    if "layer" not in fac.columns or fac.empty:
        return None
    fac = fac[fac["layer"].astype(str) == layer]
    return fac.to_crs(crs)


def render_png_sheet(run_dir: Path, out_dir: Path | None = None, *,
                     layers: Mapping[str, Any] | None = None, minutes: float = 15,
                     lang: str = "zh") -> list[Path]:
    """One PNG per required layer (``coverage_map_<layer>.png``), as :func:`render_png`.

    ``layers`` defaults to the required layers of ``run.json``.
    """
    import json

    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir is not None else run_dir
    if layers is None:
        info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
        layers = {s["key"]: s for s in info.get("layers", []) if s.get("required", True)}
    return [render_png(run_dir, out_dir / f"coverage_map_{key}.png", layer=key,
                       minutes=minutes, lang=lang) for key in layers]
