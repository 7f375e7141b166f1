"""The interactive map (一张图): one self-contained, offline HTML page drawn from a run
directory, holding every layer, threshold, target year and township.

Every indicator is computed here and embedded once (:mod:`circle15.maps.indicators`), so
switching in the page is instant and ``window.circle15.state()`` reports exactly these
numbers. No request leaves the page unless a basemap is chosen. Basemaps: ``none``
(default; townships and main streets give context), ``osm``, ``tianditu`` (CGCS2000,
drawn as WGS-84; needs a key), ``amap`` (GCJ-02: every overlay is shifted with
:func:`circle15.geo.crs.wgs84_to_gcj02` so the data line up, and the page says
so), and ``custom`` / ``custom-gcj02``: a tile URL template of an intranet (政务网) tile
server whose tiles are WGS-84/CGCS2000 or GCJ-02.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd

from circle15.errors import InputError
from circle15.io import write_text
from circle15.maps import assemble, indicators, rundata
from circle15.maps.basemaps import BASEMAPS, basemap_spec
from circle15.maps.labels import check_lang
from circle15.maps.page import PageParts, page_html
from circle15.maps.timeline import Timeline
from circle15.vocab import COMPOSITE

log = logging.getLogger(__name__)



def render_map(run_dir: Path, out_path: Path | None = None, *, layer: str = "",
               minutes: float | None = None, year: int | None = None,
               lang: str | None = None, basemap: str = "none", tianditu_key: str = "",
               tile_url: str = "", timeline: Timeline | None = None,
               origins: gpd.GeoDataFrame | None = None) -> Path:
    """Draw the 一张图 map page of a finished run as one self-contained HTML file.

    Parameters
    ----------
    run_dir : Path
        Run directory written by the pipeline (``run.json``, ``zones.geojson``,
        ``coverage_by_zone.csv``, ``facilities.geojson``, ``origins.gpkg``; optional
        ``targets_by_zone.csv``, ``isochrones.gpkg``, ``streets.geojson``,
        ``proposed_sites.gpkg``, and the villages table named in the run's config).
    out_path : Path, optional
        Output file; default ``run_dir / "map.html"``.
    layer : str
        Layer the page opens on (a facility layer or ``"ALL"``, the composite); default
        the run's ``map.layer``, else its first layer.
    minutes : float, optional
        Threshold the page opens on; default the run's ``map.minutes``, else its largest.
    year : int, optional
        Target year the page opens on; default the run's ``targets.year``.
    lang : {"zh", "en"}, optional
        Page language; default the run's.
    basemap : {"none", "osm", "tianditu", "amap", "custom", "custom-gcj02"}
        Background tiles. Only a basemap makes the page use the network.
    tianditu_key : str
        Tianditu API key (required for ``basemap="tianditu"``).
    tile_url : str
        Tile URL template with ``{z}``, ``{x}``, ``{y}`` (required for the custom
        basemaps).
    timeline : Timeline, optional
        Recorded periods of a history store (built by
        :func:`circle15.history.mapview.map_timeline`): the page gets a period selector
        (default the newest period, whose plan year it then opens on unless ``year`` is
        given), each township's trend and its problems, and each period's facilities
        (new ones marked, closed ones greyed). Without it the page has no time
        dimension.
    origins : geopandas.GeoDataFrame, optional
        The run's origins as written to ``origins.gpkg`` (the run passes them from memory
        instead of having the page read the file back); default: read the file.

    Returns
    -------
    Path
        The HTML file written (atomically).

    Raises
    ------
    InputError
        A required file is missing (named in the message), the layer, threshold or year
        is not one of the run's, the options are invalid, or a recorded period covers
        other townships than the run.
    """
    run_dir = Path(run_dir)
    out_path = Path(out_path) if out_path is not None else run_dir / "map.html"
    raw = _raw_run_json(run_dir)
    info = rundata.read_run_json(run_dir)
    cfg = raw.get("config") or {}
    lang = check_lang(lang or info.params.get("lang") or
                      (cfg.get("output") or {}).get("lang") or "zh")
    tiles = basemap_spec(basemap, tianditu_key, tile_url, lang)
    data, parts = build(run_dir, out_path, info, cfg, lang=lang, layer=layer,
                        minutes=minutes, year=year, tiles=tiles, timeline=timeline,
                        origins=origins)
    write_text(out_path, page_html(data, parts))
    log.info("map written: %s (%.1f MB)", out_path, out_path.stat().st_size / 1e6)
    return out_path


def _raw_run_json(run_dir: Path) -> dict:
    path = run_dir / rundata.RUN_JSON
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}  # read_run_json raises the proper error


def _defaults(info: rundata.RunInfo, cfg: dict, layer: str, minutes: float | None,
              year: int | None) -> tuple[str, float, int | None]:
    mcfg = cfg.get("map") or {}
    layer = layer or mcfg.get("layer") or info.layers[0].key
    if layer != COMPOSITE:
        layer = info.layer(layer).key
    if minutes is None:
        minutes = mcfg.get("minutes") or (max(info.thresholds) if info.thresholds else 15)
    minutes = rundata.check_minutes(info, minutes)
    if year is None:
        y = info.params.get("year") or (cfg.get("targets") or {}).get("year")
        year = int(y) if y not in (None, "") else None
    return layer, minutes, year


def build(run_dir: Path, out_path: Path, info: rundata.RunInfo, cfg: dict, *, lang: str,
          layer: str, minutes: float | None, year: int | None, tiles: dict,
          timeline: Timeline | None = None, origins: gpd.GeoDataFrame | None = None
          ) -> tuple[dict, PageParts]:
    """The page's embedded data and texts (see :mod:`circle15.maps.page`)."""
    asked_year = year
    layer, minutes, year = _defaults(info, cfg, layer, minutes, year)
    zones = rundata.read_zones(run_dir)
    cov = rundata.read_coverage(run_dir)
    targets = rundata.read_targets(run_dir)
    fac = rundata.read_facilities(run_dir)
    if origins is None:
        origins = rundata.read_origins(run_dir)
    plan = _plan(info.params.get("plan") or (cfg.get("targets") or {}).get("plan"))
    years = indicators.plan_years(targets, plan.years if plan else (), year)
    if year is None or year not in years:
        if year is not None and targets is not None:
            raise InputError(f"the run has no targets for {year}", file=info.path,
                             key="year", hint="years: " + ", ".join(map(str, years)))
        year = years[-1]
    if timeline is not None and asked_year is None and timeline.periods \
            and timeline.newest.plan_year in years:
        year = timeline.newest.plan_year  # the newest period is judged by its plan year
    sels = indicators.selectors(info.layers, cov, lang)
    if layer not in {s.key for s in sels}:
        raise InputError(f"unknown layer {layer!r}", file=info.path,
                         hint="layers in this run: " + ", ".join(s.key for s in sels))
    return assemble.page_data(
        run_dir=run_dir, out_path=out_path, info=info, cfg=cfg,
        view=assemble.PageView(lang=lang, layer=layer, minutes=minutes, year=year, years=years,
                               tiles=tiles),
        tables=assemble.RunTables(zones=zones, coverage=cov, targets=targets, facilities=fac,
                                  origins=origins),
        plan=plan, selectors=sels, timeline=timeline)


def _plan(name: object):
    """The plan's metadata (title, document number, responsible units), or None."""
    if not name or str(name).strip().lower() in ("", "none"):
        return None  # the run evaluated no plan
    from circle15.coverage.plan import load_plan

    try:
        return load_plan(str(name))
    except InputError:
        log.warning("plan %r not found: the map shows its name only", name)
        return None


__all__ = ["BASEMAPS", "basemap_spec", "render_map"]
