"""Writing a computed run: every output file, atomically, and ``run.json``."""

from __future__ import annotations

import errno
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.config import Config
from circle15.coverage.plan import reported_template
from circle15.errors import InputError
from circle15.io import atomic_output_dir, write_csv, write_json
from circle15.run import provenance, stamps
from circle15.run.result import RunResult
from circle15.vocab import RunFiles, county_label

log = logging.getLogger(__name__)


def previous_outputs(out_dir: Path) -> list[str]:
    """Files of an earlier run in ``out_dir``: those its ``run.json`` lists, and any file
    with the name of a circle15 output (``circle15 site`` adds siting files later)."""
    try:
        report = json.loads((out_dir / RunFiles.RUN_JSON).read_text(encoding="utf-8"))
        listed = [n for n in report.get("outputs", {}) if isinstance(n, str)]
    except (OSError, ValueError, AttributeError):
        listed = []
    known = [n for n in RunFiles.names() if (out_dir / n).is_file()]
    safe = [n for n in [*listed, *known]
            if n and not Path(n).is_absolute() and ".." not in Path(n).parts]
    return sorted(set(safe))


def output_dir(cfg: Config, out_dir: str | Path | None = None) -> Path:
    """Where a run writes: ``out_dir``, else the config's ``[output] dir``.

    Raises
    ------
    InputError
        When neither names a folder (key ``output.dir``; the CLI names ``--out``).
    """
    out = Path(out_dir) if out_dir else cfg.output.dir
    if out is None:
        raise InputError("no output directory", key="output.dir", file=cfg.path,
                         hint="pass --out DIR or set [output] dir")
    return Path(out)


def writable(folder: Path) -> bool:
    """Whether this process may create files in ``folder``."""
    return os.access(folder, os.W_OK | os.X_OK)


def check_output_dir(out_dir: Path, cfg: Config, *, key: str = "output.dir") -> Path:
    """Check, before any computing, that the run's outputs can be written to ``out_dir``.

    Refuses a path that is a file, a folder that holds an input of the run (outputs would
    overwrite or mix with it), and a place the user may not write to.

    Returns
    -------
    Path
        ``out_dir``, absolute.
    """
    out = Path(out_dir).resolve()
    hint = "choose an output folder of its own, e.g. --out out"
    if out.exists() and not out.is_dir():
        raise InputError("the output folder is an existing file", file=out, key=key, hint=hint)
    inside = [p for p in provenance.input_files(cfg) if p.resolve().parent == out]
    if inside:
        raise InputError(f"the output folder holds an input of this run ({inside[0].name}); "
                         "outputs would overwrite or mix with it", file=out, key=key, hint=hint)
    probe = out if out.is_dir() else next((p for p in out.parents if p.exists()), out)
    if not writable(probe):
        raise InputError("no permission to write the output folder", file=out, key=key,
                         hint="choose a folder you can write to")
    return out


def disk_full_error(exc: OSError, out_dir: Path) -> InputError | None:
    """An :class:`InputError` for a full disk (or quota), else ``None``."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError("the disk is full: no outputs were written", file=out_dir,
                          hint="free some space or choose another output folder")
    return None


def _origins_out(origins: gpd.GeoDataFrame, layer_keys: list[str]) -> gpd.GeoDataFrame:
    out = origins.copy()
    for k in layer_keys:
        col = f"t_{k}"
        out[col] = np.where(np.isfinite(out[col]), np.round(out[col], 3), np.nan)
    return out


def _write_tables(result: RunResult, tmp: Path) -> None:
    write_csv(result.coverage, tmp / RunFiles.COVERAGE)
    if result.targets is not None:
        every_year = result.targets_all if result.targets_all is not None else result.targets
        write_csv(every_year, tmp / RunFiles.TARGETS)
        write_csv(reported_template(result.targets), tmp / RunFiles.REPORTED_TEMPLATE)
    if result.village_targets is not None and len(result.village_targets):
        write_csv(result.village_targets, tmp / RunFiles.VILLAGE_TARGETS)
    write_csv(result.facility_issues, tmp / RunFiles.FACILITY_ISSUES)
    write_csv(result.admin, tmp / RunFiles.ADMIN)
    if result.capacity is not None and len(result.capacity):
        write_csv(result.capacity, tmp / RunFiles.CAPACITY)
    if result.standards is not None:
        write_csv(result.standards, tmp / RunFiles.STANDARDS)


def _write_layers(result: RunResult, tmp: Path) -> None:
    """The vector layers but ``origins.gpkg`` (:func:`_write_origins`)."""
    result.zones.to_file(tmp / RunFiles.ZONES, driver="GeoJSON")
    result.facilities.to_file(tmp / RunFiles.FACILITIES, driver="GeoJSON")
    if result.streets is not None:
        result.streets.to_file(tmp / RunFiles.STREETS, driver="GeoJSON")
    if result.isochrones is not None and len(result.isochrones):
        write_gpkg(result.isochrones, tmp / RunFiles.ISOCHRONES, "isochrones")


def _write_origins(result: RunResult, tmp: Path) -> None:
    """``origins.gpkg``: every origin with its times (the map takes them from memory)."""
    keys = [lay.key for lay in result.layers]
    write_gpkg(_origins_out(result.origins, keys), tmp / RunFiles.ORIGINS, "origins")


def write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """One GeoPackage layer, written through Arrow when pyarrow is installed.

    pyogrio's Arrow path writes the same table (columns, types, NULLs, text) in about
    half the time of its feature-by-feature path on the county's origins.
    """
    import importlib.util

    arrow = importlib.util.find_spec("pyarrow") is not None
    gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", use_arrow=arrow)


def _write_documents(result: RunResult, tmp: Path) -> None:
    """The briefing (report.md/html, briefing.pdf/docx, charts) and the workbook."""
    from circle15.report import BriefingInputs, write_briefing, write_workbook

    lang = result.config.output.lang
    layers = result.report["layers"]  # the run.json form every document reads
    if result.targets is None:  # no plan: the workbook of coverage only
        from circle15.report.coverage_report import write_coverage_report
        from circle15.report.standards import standards_wide

        extra = {"admin": result.admin}
        if result.standards is not None and len(result.standards):
            extra["standards"] = standards_wide(
                result.standards, lang, layers,
                county_label(str(result.params.get("title") or ""), lang))
        write_workbook(tmp / RunFiles.WORKBOOK, coverage=result.coverage,
                       params=result.params, lang=lang, layers=layers, extra_sheets=extra)
        write_coverage_report(tmp, result.coverage, result.params, layers,
                              standards=result.standards,
                              problems=result.report.get("data_problems", []), lang=lang)
        return
    siting = pd.concat([sr.before_after for sr in result.siting], ignore_index=True) \
        if result.siting else None
    write_briefing(tmp, BriefingInputs(
        coverage=result.coverage, targets=result.targets, targets_all=result.targets_all,
        params=result.params, layers=layers, siting=siting,
        siting_info={sr.layer: sr.report for sr in result.siting}, capacity=result.capacity,
        admin=result.admin, standards=result.standards, villages=result.village_targets,
        zones=result.zones,
        facilities=result.facilities, lang=lang,
        problems=result.report.get("data_problems", [])))


def _write_maps(result: RunResult, tmp: Path) -> Path:
    from circle15.maps import render_map, render_png
    from circle15.maps.static import render_png_sheet

    cfg = result.config
    layer = cfg.map.layer or result.layers[0].key
    minutes = cfg.map.minutes if cfg.map.minutes is not None else max(cfg.coverage.thresholds)
    keys = [lay.key for lay in result.layers]
    path = render_map(tmp, tmp / RunFiles.MAP_HTML, layer=layer, minutes=minutes,
                      lang=cfg.output.lang, basemap=cfg.map.basemap,
                      tianditu_key=cfg.map.tianditu_key, tile_url=cfg.map.tile_url,
                      origins=_origins_out(result.origins, keys))  # as origins.gpkg holds
    render_png(tmp, tmp / RunFiles.MAP_PNG, layer=layer, minutes=minutes, lang=cfg.output.lang)
    render_png_sheet(tmp, tmp, minutes=minutes, lang=cfg.output.lang)  # one PNG per layer
    return path


class _Timer:
    """Wall time of each part of the output writing (``run.json`` ``output_timings_s``)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = round(time.perf_counter() - t0, 3)
            log.info("wrote %s in %.2f s", name, self.times[name])


def _documents_job(result: RunResult, tmp: Path, when: Any) -> dict[str, float]:
    """``origins.gpkg`` and the documents (:func:`_write_documents`), timed; run in a
    forked child or here. About as long as the rest of the outputs (:func:`_write_rest`)
    on a county, so the two halves end together."""
    spent = _Timer()
    with stamps.gdal_time(when):
        with spent("origins"):
            _write_origins(result, tmp)
        with spent("documents"):
            _write_documents(result, tmp)
    return spent.times


def write_outputs(result: RunResult, out_dir: str | Path, *,
                  concurrent: bool | None = None) -> dict[str, Any]:
    """Write every output of ``result`` into ``out_dir`` atomically.

    The folder then holds exactly this run's outputs (listed in ``run.json``) plus any
    files of the user's: outputs of an earlier run that this one does not write (say
    ``proposed_sites.csv`` after a rerun without siting) are removed in the same swap.

    Parameters
    ----------
    result : RunResult
        From :func:`circle15.compute`.
    out_dir : str or Path
        The output folder (created; this run's files replace the earlier run's only when
        the whole write succeeds).
    concurrent : bool, optional
        Write ``origins.gpkg`` and the documents (briefing, workbook, charts) in a forked
        child process while this one writes the tables, other layers and the maps; the
        files are the same byte for byte as when written one after the other (``False``).
        Default: when this process may fork (:func:`circle15.forked.can_fork`: not
        inside a Dask worker or another daemonic process, more than one core, a ``fork``
        start method).

    Returns
    -------
    dict
        The final ``run.json`` content.
    """
    from circle15.forked import Job, can_fork

    report = dict(result.report)
    out_dir = Path(out_dir)
    when = stamps.run_time(result.params["generated_at"])
    fork = can_fork() if concurrent is None else bool(concurrent and can_fork())
    with atomic_output_dir(out_dir, retire=previous_outputs(out_dir)) as tmp:
        spent = _Timer()
        if fork:  # the documents write report.html; the map, written meanwhile, links it
            (tmp / RunFiles.REPORT_HTML).touch()
        docs = Job(_documents_job, (result, tmp, when), concurrent=fork)
        try:
            _write_rest(result, tmp, when, spent, report)
            spent.times.update(docs.result())
        except BaseException:
            docs.cancel()
            raise
        stamps.stamp_documents(tmp, when)
        report["output_timings_s"] = spent.times
        report["outputs"] = {p.relative_to(tmp).as_posix(): p.stat().st_size
                             for p in sorted(tmp.rglob("*"))
                             if p.is_file() and p.name != RunFiles.RUN_JSON}
        report["map_html_mb"] = round((tmp / RunFiles.MAP_HTML).stat().st_size / 1e6, 2)
        write_json(report, tmp / RunFiles.RUN_JSON)
    return report


def _write_rest(result: RunResult, tmp: Path, when: Any, spent: _Timer,
                report: dict[str, Any]) -> None:
    """Every output but those of :func:`_documents_job`: tables, layers, a first
    ``run.json``, siting, maps."""
    with spent("tables"):
        _write_tables(result, tmp)
    with stamps.gdal_time(when), spent("layers"):
        _write_layers(result, tmp)
    report["inputs"] = provenance.input_hashes(result.config)
    report["config"] = result.config.to_dict()
    write_json(report, tmp / RunFiles.RUN_JSON)  # first: the map reads params from it
    if result.siting:
        from circle15.coverage.siting import write_siting_outputs

        with stamps.gdal_time(when), spent("siting"):
            for sr in result.siting:
                write_siting_outputs(sr, tmp)
        report["siting"] = {sr.layer: sr.report for sr in result.siting}
    with spent("maps"):
        _write_maps(result, tmp)
