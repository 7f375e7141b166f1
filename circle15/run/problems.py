"""Data problems that change the numbers, found in a run's QA: counted, said on the console,
written to ``run.json`` and the report, and fatal past a threshold unless the user accepts it.

Each :class:`Problem` names what happened, how much of the data it touches, and the file to
look at. :func:`find_problems` reads them from a computed run; :func:`check_linking` stops a
run early (after linking, before the heavy stages) when more than
``coverage.max_unlinked_share`` of the people or facilities could not be placed on the
network — a network that covers only part of the area gives "coverage 1 %" otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd

from circle15.errors import InputError
from circle15.vocab import RunFiles


@dataclass(frozen=True)
class Problem:
    """One kind of data problem in a run.

    Attributes
    ----------
    code : str
        Stable identifier (``people_not_linked``, ``facilities_skipped``, ...).
    count : float
        People, rows or facilities concerned.
    total : float
        What ``count`` is out of (0 when not meaningful).
    text_zh, text_en : str
        One sentence for people.
    look_at : str
        The output file (or input) with the details.
    """

    code: str
    count: float
    total: float
    text_zh: str
    text_en: str
    look_at: str = ""

    @property
    def share(self) -> float | None:
        """``count / total`` (``None`` without a total)."""
        return self.count / self.total if self.total else None

    def text(self, lang: str) -> str:
        """The sentence in ``lang``."""
        return self.text_zh if lang == "zh" else self.text_en


def _pct(n: float, d: float) -> str:
    return f"{100.0 * n / d:.1f}%" if d else "—"


def _people_problems(report: dict[str, Any], total_people: float) -> list[Problem]:
    out = []
    miss = float(report.get("linking", {}).get("population", {}).get("people_not_linked", 0))
    if miss > 0:
        share = _pct(miss, total_people)
        out.append(Problem(
            "people_not_linked", miss, total_people,
            f"{miss:,.0f} 人（{share}）离可用道路过远，未能接入路网，按未覆盖计算",
            f"{miss:,.0f} people ({share}) are too far from any usable street to be placed on "
            "the network and count as not covered", RunFiles.ORIGINS))
    outside = report.get("population", {}).get("outside_zones", {})
    people_out = float(outside.get("people", 0) or 0)
    if people_out > 0:
        out.append(Problem(
            "people_outside_zones", people_out, total_people + people_out,
            f"{people_out:,.0f} 人位于所有乡镇（街道）边界之外，不计入任何乡镇和全域合计",
            f"{people_out:,.0f} people lie outside every township polygon and are in no "
            "township's or the county's totals", RunFiles.ORIGINS))
    return out


def _facility_problems(report: dict[str, Any]) -> list[Problem]:
    out = []
    for key, qa in report.get("facility_qa", {}).items():
        rows = qa["loaded"] + qa["skipped"]
        if qa["skipped"]:
            out.append(Problem(
                f"facilities_skipped:{key}", qa["skipped"], rows,
                f"图层 {key}：{qa['skipped']} 行设施数据有误被跳过（共 {rows} 行）",
                f"layer {key}: {qa['skipped']} of {rows} facility rows were skipped as "
                "unusable", RunFiles.FACILITY_ISSUES))
        if qa["not_linked"]:
            out.append(Problem(
                f"facilities_not_linked:{key}", qa["not_linked"], qa["loaded"],
                f"图层 {key}：{qa['not_linked']} 处设施离可用道路过远，未计入",
                f"layer {key}: {qa['not_linked']} facilities are too far from any usable "
                "street and are not counted", RunFiles.FACILITY_ISSUES))
        if qa["used"] == 0:
            out.append(Problem(
                f"layer_empty:{key}", 0, rows,
                f"图层 {key} 没有可用的设施：覆盖率均为 0%",
                f"layer {key} has no usable facility: its coverage is 0 % everywhere",
                RunFiles.FACILITY_ISSUES))
    return out


def _outside_problems(report: dict[str, Any]) -> list[Problem]:
    """Facilities outside the study area: counted or not (``coverage.count_outside``)."""
    out = report.get("outside_facilities", {})
    n, total = int(out.get("facilities", 0)), int(out.get("total", 0))
    if not n:
        return []
    if out.get("counted"):
        return [Problem("facilities_outside_counted", n, total,
                        f"{n} 处设施位于研究区域之外（如邻县设施），已计入覆盖"
                        "（coverage.count_outside = true）",
                        f"{n} facilities lie outside the study area (e.g. in a neighbouring "
                        "county) and are counted (coverage.count_outside = true)",
                        RunFiles.FACILITIES)]
    return [Problem("facilities_outside", n, total,
                    f"{n} 处设施位于研究区域之外（如邻县设施），未计入覆盖；如需计入请设 "
                    "coverage.count_outside = true",
                    f"{n} facilities lie outside the study area (e.g. in a neighbouring "
                    "county) and are not counted; set coverage.count_outside = true to "
                    "count them", RunFiles.FACILITIES)]


def find_problems(report: dict[str, Any], origins: gpd.GeoDataFrame) -> list[Problem]:
    """Every data problem recorded in a run's ``report``."""
    total = float(origins["population"].sum()) if len(origins) else 0.0
    out = _people_problems(report, total) + _facility_problems(report) + \
        _outside_problems(report)
    for key, hit in report.get("gcj02_suspects", {}).items():
        n = float(hit.get("n_points", 0)) if isinstance(hit, dict) else 0.0
        if isinstance(hit, dict) and hit.get("declared") == "gcj02":
            out.append(Problem(
                f"wgs84_declared_gcj02:{key}", n, 0,
                f"图层 {key} 声明为 GCJ-02，但换算后点位整体偏离道路约 500 米，疑似本来就是 "
                "WGS-84 坐标（请将 crs 改为 \"wgs84\"）",
                f"layer {key} is declared GCJ-02 but after the conversion its points sit "
                "~500 m off the streets: they are probably WGS-84 already (set crs = "
                "\"wgs84\")", "[[layers]] crs"))
            continue
        out.append(Problem(
            f"gcj02_suspect:{key}", n, 0,
            f"图层 {key} 声明为 WGS-84，但点位整体偏离道路约 500 米，疑似高德 GCJ-02 坐标",
            f"layer {key} is declared WGS-84 but its points sit ~500 m off the streets the "
            "way GCJ-02 (Amap) coordinates do", "[[layers]] crs"))
    return out


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    """The problems as plain data for ``run.json``."""
    return [{**asdict(p), "share": p.share} for p in problems]


def check_linking(people_total: float, people_not_linked: float, fac_total: int,
                  fac_not_linked: int, max_share: float) -> None:
    """Stop the run when too much of the data is off the network.

    Raises
    ------
    InputError
        When more than ``max_share`` of the people or of the facilities are not linked.
    """
    hint = ("check that the network covers the whole area (network.source, area.buffer_m) "
            "and that coordinates are declared right (crs); to accept it, raise "
            "coverage.max_unlinked_share")
    if people_total > 0 and people_not_linked / people_total > max_share:
        raise InputError(f"{people_not_linked / people_total:.0%} of the people are farther "
                         "than network.max_link_m from any usable street",
                         key="coverage.max_unlinked_share", hint=hint)
    if fac_total > 0 and fac_not_linked / fac_total > max_share:
        raise InputError(f"{fac_not_linked} of {fac_total} facilities are farther than "
                         "network.max_link_m from any usable street",
                         key="coverage.max_unlinked_share", hint=hint)
