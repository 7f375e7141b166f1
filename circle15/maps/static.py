"""Static PNG of the township coverage choropleth, for printed reports.

Chinese text is drawn with the Noto Sans CJK SC font that the install brings (the
``noto-cjk-sans-otc`` package from PyPI), never with a system font, so the PNG looks the
same on every machine.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import shapely
from matplotlib import font_manager
from matplotlib.patches import Patch

from circle15.errors import InputError
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

#: The CJK font the package installs (OFL-licensed Noto Sans CJK, from PyPI's
#: ``noto-cjk-sans-otc``) and the face used: Simplified Chinese glyph forms.
BUNDLED_FONT_PACKAGE = "noto_cjk_sans_otc"
BUNDLED_FONT_FILE = "NotoSansCJK-Regular.ttc"
BUNDLED_FAMILY = "Noto Sans CJK SC"


def bundled_font_path() -> Path:
    """Path of the bundled CJK font collection (installed with circle15 from PyPI)."""
    from importlib import resources

    return Path(str(resources.files(BUNDLED_FONT_PACKAGE) / BUNDLED_FONT_FILE))


def find_cjk_font() -> font_manager.FontProperties:
    """The bundled Noto Sans CJK SC as a matplotlib font (never a system font).

    The font file comes with the package's dependencies, so Chinese labels render the
    same on every machine. It is registered with matplotlib's font manager the first
    time (adding a font changes no setting).

    Raises
    ------
    InputError
        If the font package is missing (a broken install).
    """
    try:
        path = bundled_font_path()
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise InputError("the bundled Chinese font is missing",
                         hint="reinstall circle15 (pip install circle15) to restore "
                              "the noto-cjk-sans-otc package")
    if BUNDLED_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(family=BUNDLED_FAMILY)


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

    fig, ax = plt.subplots(figsize=(8.5, 8.5), dpi=150)
    try:
        z.plot(ax=ax, color=colors, edgecolor="#444444", linewidth=0.7)
        pts = shapely.point_on_surface(z.geometry.to_numpy())
        size = 9 if len(z) <= 30 else 7
        for p, zid, name in zip(pts, z["zone_id"], z["zone_name"]):
            rate = tab["rate"].get(zid, math.nan)
            ax.annotate(f"{name}\n{fmt_pct(rate)}", (p.x, p.y), ha="center", va="center",
                        fontproperties=font, fontsize=size, color="#111111",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.6})
        ax.set_axis_off()
        ax.set_aspect("equal")
        p = info.params
        title = str(p.get("title") or "circle15")
        sub = t("legend_title", lang, layer=lay.label(lang), minutes=f"{minutes:g}")
        ax.set_title(f"{title}\n{sub}", fontproperties=font, fontsize=13)
        handles = _legend_handles(stats, lang)
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
        with atomic_file(out_path) as tmp:
            fig.savefig(tmp, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    return out_path


def _legend_handles(stats, lang: str) -> list[Patch]:
    return [Patch(facecolor=color, edgecolor="#444444",
                  label=text if n is None else f"{text} ({n})")
            for color, text, n in legend_entries(stats, lang)]
