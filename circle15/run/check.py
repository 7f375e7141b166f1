"""``circle15 check``: validate a config and every input in seconds, without routing.

The same loaders as a run read every input (zones, facility layers, population, villages,
the plan and its year, reported values, siting candidates) and the network file is
recognised and its head read, so a check prints the messages a run would print — and a run
performs these checks before its heavy stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely

from circle15.config import Config
from circle15.run.compute import (
    load_plan_for,
    needs_network_for_population,
    read_compounds,
    read_facilities,
    read_population,
    read_zones,
    reported_values,
)
from circle15.run.outputs import check_output_dir
from circle15.run.standards import load_run_catalogue


@dataclass
class CheckReport:
    """What a check found: one line per input, and the warnings it logged."""

    lines: list[tuple[str, str]] = field(default_factory=list)
    facility_issues: int = 0

    def add(self, what: str, found: str) -> None:
        """Record that input ``what`` is fine, with what was found in it."""
        self.lines.append((what, found))


def _network_line(cfg: Config) -> str:
    from circle15.geo.streets.load import source_kind

    kind = source_kind(cfg.network.source)
    if kind == "online":
        return f"{cfg.network.source} (downloaded on the first run, then cached)"
    size = Path(cfg.network.source).stat().st_size / 1e6
    return f"{Path(cfg.network.source).name}: {kind}, {size:.1f} MB, mode {cfg.network.mode}"


def _candidates_line(cfg: Config) -> str | None:
    if cfg.siting.candidates is None:
        return None
    from circle15.coverage.siting import load_candidates

    cand = load_candidates(cfg.siting.candidates, crs=cfg.siting.candidates_crs)
    return f"{len(cand)} candidate sites"


def check_inputs(cfg: Config, out_dir: Path | None = None) -> CheckReport:
    """Load and check every input of ``cfg`` without building the network.

    Raises
    ------
    InputError
        The first problem found, as a run would report it.
    """
    rep = CheckReport()
    out = out_dir or cfg.output.dir
    if out is not None:
        rep.add("output folder", str(check_output_dir(out, cfg)))
    zones, _ = read_zones(cfg)
    rep.add("zones", f"{len(zones)} zones")
    area = shapely.union_all(zones.geometry.values)
    fac, issues, villages, _ = read_facilities(cfg, area, zones)
    for lay in cfg.layers:
        rep.add(f"layer {lay.key}", f"{int((fac['layer'] == lay.key).sum())} facilities")
    rep.facility_issues = len(issues)
    if villages is not None:
        rep.add("villages", f"{len(villages)} villages")
    if not needs_network_for_population(cfg):
        origins, _ = read_population(cfg, zones, None)
        rep.add("population", f"{len(origins):,} points, {origins['population'].sum():,.0f} "
                "people")
    plan = load_plan_for(cfg)
    rep.add("plan", "none" if plan is None else f"{plan.name}, year {cfg.targets.year}")
    if reported_values(cfg, plan) is not None:
        rep.add("reported values", str(cfg.targets.reported))
    comp = read_compounds(cfg, zones)
    if comp is not None:
        rep.add("compounds", f"{len(comp)} compounds")
    cat = load_run_catalogue(cfg)
    rep.add("standards", "none" if cat is None else f"{cat.name}, {len(cat.entries)} entries")
    rep.add("network", _network_line(cfg))
    cand = _candidates_line(cfg)
    if cand:
        rep.add("siting candidates", cand)
    return rep


def check_lines(rep: CheckReport) -> list[dict[str, Any]]:
    """The report as rows for printing."""
    return [{"input": a, "found": b} for a, b in rep.lines]
