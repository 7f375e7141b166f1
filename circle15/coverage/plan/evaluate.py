"""Plan targets as data, and their evaluation per township and county-wide.

A *plan* is a TOML file (``circle15/data/plans/<name>.toml``, or any path) listing every
indicator of a public-service plan: the table's yearly targets exactly as printed
(``"4.0"``, ``">70"``, ``"/"``) and the targets stated in the text, each with how it is
measured:

``network_coverage``
    Share of a population group within ``minutes`` of the nearest facility of ``layer``
    (``"ALL"`` = every required layer: the full circle), from the coverage table.
``admin_coverage``
    Share of townships (``level = "township"``) or villages (``"village"``) with at least
    one facility of ``layer`` (optionally of given ``subtypes``).
``per_capita``
    Summed facility column ``quantity`` (capacity, staff, area) per ``per`` people of a group.
``reported``
    A value the user supplies in a CSV (:func:`read_reported`), e.g. life expectancy.

:func:`evaluate_targets` compares every indicator with its target for a year, per township
and county-wide, and says what input is missing where an indicator cannot be computed.

Examples
--------
>>> plan = load_plan("zhuji-2023")
>>> plan.indicator("T01").target_text(2027)
'5.5'
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from circle15.errors import InputError, InputErrors
from circle15.io import read_csv

#: Zone id of county-wide rows.
COUNTY = "ALL"
#: Layer key of the composite "full circle" coverage rows.
COMPOSITE = "ALL"

KINDS = ("network_coverage", "admin_coverage", "per_capita", "reported")
DIRECTIONS = ("higher", "lower", "none")
SCOPES = ("county", "zone")
STATUSES = ("met", "not_met", "no_target", "not_measurable")
BOUNDS = ("ge", "gt", "le", "lt", "none")

#: Columns of the targets-by-zone table, in order.
COLUMNS = [
    "indicator_id", "number", "domain", "domain_zh", "domain_en", "name_zh", "name_en",
    "zone_id", "zone_name", "year", "target", "bound", "target_value", "value", "unit",
    "unit_en", "status", "gap_value", "gap_people", "gap_capacity", "gap_units", "needs",
    "source", "kind", "layer", "minutes", "group", "level", "scope", "core", "observational",
    "direction", "responsible", "note",
]

_NUM_RE = re.compile(r"^(>=|<=|≥|≤|>|<)?\s*([+-]?\d+(?:\.\d+)?)$")
_OPS = {">": "gt", ">=": "ge", "≥": "ge", "<": "lt", "<=": "le", "≤": "le"}


def _plans_dir() -> Path:
    return Path(str(resources.files("circle15.data") / "plans"))


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Bound:
    """A parsed target cell: comparison and number (``op = "none"`` for ``/``)."""

    op: str
    value: float | None

    def met(self, x: float) -> bool:
        """Whether value ``x`` satisfies the bound."""
        v = self.value
        return {"ge": x >= v, "gt": x > v, "le": x <= v, "lt": x < v}[self.op]


def parse_bound(text: str, direction: str = "higher") -> Bound:
    """Parse a target cell such as ``"5.5"``, ``">70"``, ``"<=1"`` or ``"/"``.

    Plain numbers mean *at least* when ``direction`` is ``"higher"`` and *at most* when it
    is ``"lower"``; explicit ``>``/``>=``/``<``/``<=`` always win.

    Raises
    ------
    ValueError
        If the text is not a number, a bound or ``/``.
    """
    t = re.sub(r"\s+", "", str(text))
    if t in ("/", "", "-", "—"):
        return Bound("none", None)
    m = _NUM_RE.match(t)
    if not m:
        raise ValueError(f"not a target: {text!r}")
    op = _OPS[m.group(1)] if m.group(1) else ("le" if direction == "lower" else "ge")
    return Bound(op, float(m.group(2)))


@dataclass(frozen=True)
class Measure:
    """How an indicator is measured (see the module docstring)."""

    kind: str = "reported"
    layer: str = ""
    minutes: float | None = None
    group: str = "total"
    level: str = "township"
    subtypes: tuple[str, ...] = ()
    quantity: str = ""
    per: float = 1.0


@dataclass(frozen=True)
class Indicator:
    """One indicator of a plan."""

    id: str
    domain: str
    domain_zh: str
    domain_en: str
    name_zh: str
    name_en: str
    unit: str
    unit_en: str
    targets: dict[int, str]
    measure: Measure
    number: int | None = None
    baseline: str = "/"
    core: bool = False
    observational: bool = False
    responsible: str = ""
    responsible_en: str = ""
    direction: str = "higher"
    scope: str = "county"
    carry_forward: bool = False
    section: str = ""
    quote: str = ""
    note: str = ""

    @property
    def source(self) -> str:
        """``"table"`` for the plan's table, ``"text"`` for targets found in the text."""
        return "table" if self.number is not None else "text"

    def target_text(self, year: int) -> str:
        """The target for ``year`` as printed; ``"/"`` when there is none."""
        if self.observational:
            return self.targets.get(year, "/")
        if year in self.targets:
            return self.targets[year]
        if self.carry_forward:
            earlier = [y for y in self.targets if y <= year]
            if earlier:
                return self.targets[max(earlier)]
        return "/"

    def bound(self, year: int) -> Bound:
        """The parsed target for ``year``."""
        if self.observational:
            return Bound("none", None)
        return parse_bound(self.target_text(year), self.direction)


@dataclass(frozen=True)
class Plan:
    """A plan: metadata and indicators."""

    name: str
    title: str
    title_en: str
    years: tuple[int, ...]
    indicators: list[Indicator]
    baseline_year: int | None = None
    region: str = ""
    region_en: str = ""
    issuer: str = ""
    document: str = ""
    date: str = ""
    domains: dict[str, tuple[str, str]] = field(default_factory=dict)
    path: Path | None = None

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with ``indicator_id``."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def ids(self) -> list[str]:
        """Indicator ids in plan order."""
        return [i.id for i in self.indicators]


# --------------------------------------------------------------------------- loading


def available_plans() -> list[str]:
    """Names of the bundled plans (``circle15/data/plans/*.toml``), sorted."""
    return sorted(p.stem for p in _plans_dir().glob("*.toml"))


def load_plan(name_or_path: str | Path) -> Plan:
    """Load a plan by bundled name (``"zhuji-2023"``) or from a TOML file path.

    Raises
    ------
    InputError
        Unknown plan name, or a plan file with problems (every problem is listed).
    """
    text = str(name_or_path)
    path = Path(text).expanduser()
    if not (path.suffix.lower() == ".toml" or path.is_file() or "/" in text or "\\" in text):
        path = _plans_dir() / f"{text}.toml"
        if not path.is_file():
            raise InputError(f"unknown plan {text!r}", key="targets.plan",
                             hint=f"available plans: {', '.join(available_plans())}, "
                             "or a path to a plan .toml file")
    if not path.is_file():
        raise InputError("plan file not found", file=path, key="targets.plan")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the plan must be UTF-8 text", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    return plan_from_dict(raw, path)


def _num_year(k: Any) -> int | None:
    try:
        return int(k)
    except (TypeError, ValueError):
        return None


def plan_from_dict(raw: dict[str, Any], path: Path | None = None) -> Plan:
    """Validate a parsed plan mapping (see :func:`load_plan`)."""
    file = path or Path("<plan>")
    errors: list[InputError] = []

    def err(key: str, msg: str, hint: str | None = None) -> None:
        errors.append(InputError(msg, file=file, key=key, hint=hint))

    meta = raw.get("plan", {})
    if not isinstance(meta, dict):
        raise InputError("expected a [plan] table", file=file, key="plan")
    name = str(meta.get("name") or (path.stem if path else "plan"))
    years = meta.get("years", [])
    if not (isinstance(years, list) and years and all(isinstance(y, int) for y in years)):
        err("plan.years", "expected a list of years, e.g. [2023, 2024, 2025]")
        years = []
    domains_raw = raw.get("domains", {})
    domains = {k: (str(v.get("zh", k)), str(v.get("en", k))) for k, v in domains_raw.items()
               if isinstance(v, dict)}
    resp_en = {str(k): str(v) for k, v in raw.get("responsible", {}).items()}
    inds: list[Indicator] = []
    seen: set[str] = set()
    items = raw.get("indicator", [])
    if not isinstance(items, list) or not items:
        err("indicator", "no [[indicator]] tables")
        items = []
    known = {"id", "number", "domain", "name_zh", "name_en", "unit", "unit_en", "baseline",
             "targets", "core", "observational", "responsible", "direction", "scope",
             "measure", "carry_forward", "section", "quote", "note"}
    for i, it in enumerate(items):
        pre = f"indicator[{i}]"
        if not isinstance(it, dict):
            err(pre, "expected a table")
            continue
        iid = str(it.get("id", ""))
        pre = f"indicator[{i}] ({iid})" if iid else pre
        for k in it:
            if k not in known:
                err(f"{pre}.{k}", "unknown key", hint=f"known keys: {', '.join(sorted(known))}")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", iid):
            err(f"{pre}.id", f"missing or bad indicator id {iid!r}")
            continue
        if iid in seen:
            err(f"{pre}.id", f"duplicate indicator id {iid!r}")
        seen.add(iid)
        dom = str(it.get("domain", ""))
        if dom not in domains:
            err(f"{pre}.domain", f"unknown domain {dom!r}",
                hint=f"declare it under [domains.{dom}]" if dom else None)
        direction = str(it.get("direction", "higher"))
        if direction not in DIRECTIONS:
            err(f"{pre}.direction", f"unknown direction {direction!r}", hint="higher or lower")
        scope = str(it.get("scope", "county"))
        if scope not in SCOPES:
            err(f"{pre}.scope", f"unknown scope {scope!r}", hint="county or zone")
        targets: dict[int, str] = {}
        for k, v in (it.get("targets") or {}).items():
            y = _num_year(k)
            if y is None:
                err(f"{pre}.targets.{k}", "target keys must be years")
                continue
            targets[y] = str(v)
            try:
                parse_bound(str(v), direction)
            except ValueError:
                err(f"{pre}.targets.{k}", f"not a target value: {v!r}",
                    hint="a number, '>N', '>=N', '<N', '<=N' or '/'")
        baseline = str(it.get("baseline", "/"))
        try:
            parse_bound(baseline)
        except ValueError:
            err(f"{pre}.baseline", f"not a number or '/': {baseline!r}")
        m = it.get("measure", {"kind": "reported"})
        measure = _measure(m, f"{pre}.measure", err)
        number = it.get("number")
        if number is not None and not isinstance(number, int):
            err(f"{pre}.number", "expected an integer")
            number = None
        resp = str(it.get("responsible", ""))
        inds.append(Indicator(
            id=iid, number=number, domain=dom,
            domain_zh=domains.get(dom, (dom, dom))[0], domain_en=domains.get(dom, (dom, dom))[1],
            name_zh=str(it.get("name_zh", iid)), name_en=str(it.get("name_en", iid)),
            unit=str(it.get("unit", "")), unit_en=str(it.get("unit_en", it.get("unit", ""))),
            baseline=baseline, targets=targets, measure=measure,
            core=bool(it.get("core", False)), observational=bool(it.get("observational", False)),
            responsible=resp, responsible_en=resp_en.get(resp, resp),
            direction=direction, scope=scope, carry_forward=bool(it.get("carry_forward", False)),
            section=str(it.get("section", "")), quote=str(it.get("quote", "")),
            note=" ".join(str(it.get("note", "")).split())))
    if errors:
        raise InputErrors(errors)
    return Plan(name=name, title=str(meta.get("title", name)),
                title_en=str(meta.get("title_en", meta.get("title", name))),
                years=tuple(years), indicators=inds, baseline_year=meta.get("baseline_year"),
                region=str(meta.get("region", "")), region_en=str(meta.get("region_en", "")),
                issuer=str(meta.get("issuer", "")), document=str(meta.get("document", "")),
                date=str(meta.get("date", "")), domains=domains, path=path)


def _measure(m: Any, key: str, err) -> Measure:
    if not isinstance(m, dict):
        err(key, "expected a table")
        return Measure()
    kind = str(m.get("kind", ""))
    if kind not in KINDS:
        err(f"{key}.kind", f"unknown measure kind {kind!r}", hint=", ".join(KINDS))
        return Measure()
    layer = str(m.get("layer", ""))
    if kind != "reported" and not layer:
        err(f"{key}.layer", f"{kind} needs a layer")
    minutes = m.get("minutes")
    if kind == "network_coverage" and not isinstance(minutes, (int, float)):
        err(f"{key}.minutes", "network_coverage needs minutes (a number)")
        minutes = None
    level = str(m.get("level", "township"))
    if kind == "admin_coverage" and level not in ("township", "village"):
        err(f"{key}.level", f"unknown level {level!r}", hint="township or village")
    quantity = str(m.get("quantity", ""))
    per = m.get("per", 1)
    if kind == "per_capita":
        if not quantity:
            err(f"{key}.quantity", "per_capita needs a facility column (capacity, staff, ...)")
        if not isinstance(per, (int, float)) or per <= 0:
            err(f"{key}.per", "expected a positive number")
            per = 1
    subtypes = m.get("subtypes", [])
    if not isinstance(subtypes, list):
        err(f"{key}.subtypes", "expected a list of subtype names")
        subtypes = []
    return Measure(kind=kind, layer=layer, minutes=float(minutes) if minutes is not None else None,
                   group=str(m.get("group", "total")), level=level,
                   subtypes=tuple(str(s) for s in subtypes), quantity=quantity,
                   per=float(per) if isinstance(per, (int, float)) else 1.0)


def _check_year(plan: Plan, year: int) -> None:
    """Raise :class:`InputError` unless ``year`` is one of the plan's years."""
    if year not in plan.years:
        raise InputError(f"the plan {plan.name} has no targets for {year}", key="targets.year",
                         hint=f"plan years: {', '.join(map(str, plan.years))}")


# --------------------------------------------------------------------------- the table


_TABLE_HEADERS = {
    "indicator_id": ("编号", "ID"), "number": ("序号", "No."), "domain": ("领域", "Domain"),
    "name": ("指标", "Indicator"), "unit": ("单位", "Unit"),
    "baseline": ("基础值", "Baseline"), "target": ("目标", "Target"),
    "core": ("核心指标", "Core"), "observational": ("观察性指标", "Observational"),
    "kind": ("测算方式", "Measured by"), "responsible": ("责任单位", "Responsible"),
}
KIND_LABELS = {
    "network_coverage": ("路网可达覆盖", "network coverage"),
    "admin_coverage": ("行政区覆盖", "administrative coverage"),
    "per_capita": ("人均配置", "per capita"),
    "reported": ("上报数据", "reported value"),
}


def target_table(plan: Plan, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """The plan's targets as a table for printing (``circle15 targets``).

    Parameters
    ----------
    plan : Plan
    year : int, optional
        Only this year's target; default: the baseline and every plan year.
    lang : {"zh", "en"}
        Column headers and labels.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, all cells as text (``/`` for none).
    """
    zh = lang != "en"
    if year is not None:
        _check_year(plan, year)
    h = {k: v[0] if zh else v[1] for k, v in _TABLE_HEADERS.items()}
    rows = []
    for ind in plan.indicators:
        num = "" if ind.number is None else ("*" if ind.core else "▲" if ind.observational
                                             else "") + str(ind.number)
        unit = ind.unit if zh else ind.unit_en
        row = {h["indicator_id"]: ind.id, h["number"]: num,
               h["domain"]: ind.domain_zh if zh else ind.domain_en,
               h["name"]: f"{ind.name_zh if zh else ind.name_en}" + (f" ({unit})" if unit else ""),
               h["baseline"]: ind.baseline}
        years = [year] if year is not None else list(plan.years)
        for y in years:
            label = h["target"] + f" {y}" if year is not None else (f"{y}年" if zh else str(y))
            row[label] = ind.target_text(y)
        row[h["kind"]] = KIND_LABELS[ind.measure.kind][0 if zh else 1]
        row[h["responsible"]] = ind.responsible if zh else ind.responsible_en
        rows.append(row)
    return pd.DataFrame(rows).astype(str)


# --------------------------------------------------------------------------- reported values


def read_reported(path: str | Path, plan: Plan | None = None) -> pd.DataFrame:
    """Read user-supplied indicator values (UTF-8, UTF-8-BOM, GBK or GB18030 CSV).

    Columns: ``indicator_id``, ``value`` and optionally ``zone_id`` (blank or ``ALL`` =
    county-wide) and ``year`` (blank = any year). Other columns (names, notes) are ignored.

    Parameters
    ----------
    path : str or Path
    plan : Plan, optional
        When given, indicator ids are checked against it.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, zone_id, year, value`` (year may be missing, ``<NA>``).

    Raises
    ------
    InputError
        Naming the file, row (1-based data row) and column of the first bad cell.
    """
    path = Path(path)
    df = read_csv(path, dtype=str, keep_default_na=False)
    for col in ("indicator_id", "value"):
        if col not in df.columns:
            raise InputError(f"missing column {col!r}", file=path, column=col,
                             hint="columns: indicator_id, zone_id (optional), year (optional), "
                             "value")
    ids = set(plan.ids) if plan is not None else None
    out = []
    seen: dict[tuple, int] = {}
    for i, r in enumerate(df.to_dict("records"), start=1):
        iid = str(r["indicator_id"]).strip()
        raw_val = str(r["value"]).strip()
        zone = str(r.get("zone_id", "") or "").strip() or COUNTY
        yr_txt = str(r.get("year", "") or "").strip()
        if not iid and not raw_val:
            continue  # blank line
        if not iid:
            raise InputError("empty indicator id", file=path, row=i, column="indicator_id")
        if ids is not None and iid not in ids:
            raise InputError(f"unknown indicator {iid!r}", file=path, row=i,
                             column="indicator_id",
                             hint=f"see `circle15 targets --plan {plan.name}` for ids")
        val_txt = raw_val.replace(",", "").rstrip("%").strip()
        try:
            value = float(val_txt)
        except ValueError:
            raise InputError(f"not a number: {raw_val!r}", file=path, row=i, column="value",
                             hint="write the value as a plain number (e.g. 82.4)") from None
        if not math.isfinite(value):
            raise InputError(f"not a finite number: {raw_val!r}", file=path, row=i,
                             column="value")
        year: int | None = None
        if yr_txt:
            try:
                year = int(float(yr_txt))
            except ValueError:
                raise InputError(f"not a year: {yr_txt!r}", file=path, row=i,
                                 column="year") from None
        key = (iid, zone, year)
        if key in seen:
            raise InputError(f"duplicate value for {iid} in zone {zone}"
                             + (f" for {year}" if year else ""), file=path, row=i,
                             hint=f"first given in row {seen[key]}")
        seen[key] = i
        out.append({"indicator_id": iid, "zone_id": zone, "year": year, "value": value})
    res = pd.DataFrame(out, columns=["indicator_id", "zone_id", "year", "value"])
    res["year"] = res["year"].astype("Int64")
    res["value"] = res["value"].astype(float)
    res.attrs["source"] = str(path)
    return res


def _reported_lookup(reported: pd.DataFrame | None, year: int) -> dict[tuple[str, str], float]:
    """(indicator_id, zone_id) -> value for ``year`` (a row for the exact year beats a blank)."""
    if reported is None or len(reported) == 0:
        return {}
    missing = {"indicator_id", "value"} - set(reported.columns)
    if missing:
        raise InputError(f"reported values lack columns {sorted(missing)}",
                         column=sorted(missing)[0])
    out: dict[tuple[str, str], float] = {}
    exact: set[tuple[str, str]] = set()
    has_zone = "zone_id" in reported.columns
    has_year = "year" in reported.columns
    for r in reported.to_dict("records"):
        z = str(r["zone_id"]) if has_zone and not pd.isna(r["zone_id"]) and str(r["zone_id"]) \
            else COUNTY
        y = r["year"] if has_year else None
        k = (str(r["indicator_id"]), z)
        if y is None or pd.isna(y):
            if k not in exact:
                out[k] = float(r["value"])
        elif int(y) == year:
            out[k] = float(r["value"])
            exact.add(k)
    return out


# --------------------------------------------------------------------------- evaluation


@dataclass
class _Res:
    """One evaluated cell (indicator × zone)."""

    value: float = np.nan
    status: str = "not_measurable"
    gap_value: float = np.nan
    gap_people: float = np.nan
    gap_capacity: float = np.nan
    gap_units: float = np.nan
    needs: str = ""
    source: str = ""
    note: str = ""


def _required_count(bound: Bound, n: float) -> float:
    """Smallest count out of ``n`` that meets a share bound (ge/gt, in percent)."""
    exact = bound.value / 100.0 * n
    if bound.op == "gt":
        return min(math.floor(exact + 1e-9) + 1, n + 1)
    return math.ceil(exact - 1e-9)


def _status(bound: Bound, value: float) -> str:
    if bound.op == "none":
        return "no_target"
    if value is None or not np.isfinite(value):
        return "not_measurable"
    return "met" if bound.met(value) else "not_met"


def _gap_value(bound: Bound, value: float) -> float:
    """Distance to the target in the indicator's unit (0 when met; positive = short)."""
    if bound.op == "none" or not np.isfinite(value):
        return np.nan
    if bound.met(value):
        return 0.0
    return abs(bound.value - value)


def _id_str(v: Any) -> str | None:
    """An identifier as text: ``330681001.0`` -> ``"330681001"``; missing -> None."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    t = str(v).strip()
    return t or None


def _zone_str(s: pd.Series) -> pd.Series:
    return s.astype(object).map(_id_str)


def evaluate_targets(
    plan: Plan,
    year: int,
    *,
    coverage: pd.DataFrame,
    zones: pd.DataFrame,
    facilities: pd.DataFrame | None = None,
    villages: pd.DataFrame | None = None,
    reported: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evaluate every indicator of ``plan`` for ``year``, per township and county-wide.

    Parameters
    ----------
    plan : Plan
    year : int
        Target year; must be one of ``plan.years``.
    coverage : pandas.DataFrame
        ``zone_id, zone_name, layer, group, minutes, population, covered_population,
        coverage_rate`` (rate in 0..1; ``zone_id == "ALL"`` county rows; ``layer == "ALL"``
        the composite full circle).
    zones : pandas.DataFrame
        ``zone_id, zone_name, population`` and one column per population group.
    facilities : pandas.DataFrame, optional
        ``facility_id, layer, subtype, capacity, staff, zone_id, village_id`` (+ any
        quantity column a per-capita indicator names, e.g. ``area_m2``).
    villages : pandas.DataFrame, optional
        ``village_id, village_name, zone_id``: every village, for village-level coverage.
    reported : pandas.DataFrame, optional
        ``indicator_id, zone_id, value`` (and optionally ``year``), see :func:`read_reported`.

    Returns
    -------
    pandas.DataFrame
        One row per indicator × zone, plus county rows (``zone_id == "ALL"``), columns
        :data:`COLUMNS`. ``status`` is ``met``, ``not_met``, ``no_target`` or
        ``not_measurable`` (then ``needs`` says what input would make it computable).
        Rates are in percent and gaps in percentage points. For ``scope == "zone"``
        indicators the county gaps are the sums of the township gaps and the county is met
        only when every township is.

    Raises
    ------
    InputError
        If ``year`` is outside the plan or required columns are missing.
    """
    _check_year(plan, year)
    for col in ("zone_id", "zone_name", "population"):
        if col not in zones.columns:
            raise InputError(f"zones table lacks column {col!r}", column=col)
    zt = zones.copy()
    zt["zone_id"] = _zone_str(zt["zone_id"])
    ctx = _Context(zt, coverage, facilities, villages, _reported_lookup(reported, year))
    county_name = "全市"
    rows = []
    for ind in plan.indicators:
        bound = ind.bound(year)
        per_zone, county = _evaluate(ind, bound, ctx)
        m = ind.measure
        net = m.kind == "network_coverage"
        for zid, zname in [*zip(ctx.zone_ids, ctx.zone_names, strict=True),
                           (COUNTY, county_name)]:
            res = county if zid == COUNTY else per_zone[zid]
            rows.append({
                "indicator_id": ind.id, "number": ind.number, "domain": ind.domain,
                "domain_zh": ind.domain_zh, "domain_en": ind.domain_en,
                "name_zh": ind.name_zh, "name_en": ind.name_en, "zone_id": zid,
                "zone_name": zname, "year": year, "target": ind.target_text(year),
                "bound": bound.op, "target_value": bound.value if bound.value is not None
                else np.nan, "value": res.value, "unit": ind.unit, "unit_en": ind.unit_en,
                "status": res.status, "gap_value": res.gap_value, "gap_people": res.gap_people,
                "gap_capacity": res.gap_capacity, "gap_units": res.gap_units,
                "needs": res.needs, "source": res.source, "kind": ind.measure.kind,
                # what the indicator is measured on (maps and siting read these)
                "layer": m.layer,
                "minutes": m.minutes if net and m.minutes is not None else np.nan,
                "group": m.group if net else "",
                "level": ind.measure.level if ind.measure.kind == "admin_coverage" else "",
                "scope": ind.scope, "core": ind.core, "observational": ind.observational,
                "direction": ind.direction, "responsible": ind.responsible, "note": res.note,
            })
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["number"] = df["number"].astype("Int64")
    for c in ("target_value", "value", "gap_value", "gap_people", "gap_capacity", "gap_units",
              "minutes"):
        df[c] = df[c].astype(float)
    df["core"] = df["core"].astype(bool)
    df["observational"] = df["observational"].astype(bool)
    df.attrs.update(plan=plan.name, year=year)
    return df


class _Context:
    """Inputs normalised once for all indicators."""

    def __init__(self, zones: pd.DataFrame, coverage: pd.DataFrame,
                 facilities: pd.DataFrame | None, villages: pd.DataFrame | None,
                 reported: dict[tuple[str, str], float]) -> None:
        self.zones = zones.set_index("zone_id")
        if self.zones.index.has_duplicates:
            dup = self.zones.index[self.zones.index.duplicated()][0]
            raise InputError(f"duplicate zone id {dup!r} in the zones table", column="zone_id")
        self.zone_ids = zones["zone_id"].tolist()
        self.zone_names = zones["zone_name"].astype(str).tolist()
        cov = coverage.copy() if coverage is not None else pd.DataFrame()
        if len(cov):
            missing = {"zone_id", "layer", "group", "minutes", "population",
                       "covered_population"} - set(cov.columns)
            if missing:
                raise InputError(f"coverage table lacks columns {sorted(missing)}",
                                 column=sorted(missing)[0])
            cov["zone_id"] = _zone_str(cov["zone_id"])
            cov["layer"] = cov["layer"].astype(str)
            cov["group"] = cov["group"].astype(str)
            cov["minutes"] = cov["minutes"].astype(float)
        self.coverage = cov
        #: Layers the run was configured with (those with coverage rows).
        self.layers = set(cov["layer"]) if len(cov) else set()
        fac = facilities.copy() if facilities is not None else None
        if fac is not None:
            if "layer" not in fac.columns:
                raise InputError("facilities table lacks column 'layer'", column="layer")
            fac["layer"] = fac["layer"].astype(str)
            for col in ("zone_id", "village_id"):
                if col in fac.columns:
                    fac[col] = _zone_str(fac[col])
        self.facilities = fac
        vil = villages.copy() if villages is not None else None
        if vil is not None:
            for col in ("village_id", "zone_id"):
                if col not in vil.columns:
                    raise InputError(f"villages table lacks column {col!r}", column=col)
            vil["village_id"] = _zone_str(vil["village_id"])
            vil["zone_id"] = _zone_str(vil["zone_id"])
        self.villages = vil
        self.reported = reported

    def group_population(self, group: str) -> pd.Series | None:
        col = "population" if group == "total" else group
        if col not in self.zones.columns:
            return None
        return pd.to_numeric(self.zones[col], errors="coerce").astype(float)

    def layer_facilities(self, layer: str, subtypes: tuple[str, ...], missing: str) -> tuple[
            pd.DataFrame | None, str]:
        """Facilities of a layer (and subtypes), or None with what is missing.

        ``missing`` is what is missing when no facilities table was given at all.
        """
        fac = self.facilities
        if fac is None:
            return None, missing
        sel = fac[fac["layer"] == layer]
        if sel.empty and layer not in self.layers:
            return None, f"facility layer '{layer}' (a [[layers]] entry with key = '{layer}')"
        if subtypes:
            if "subtype" not in fac.columns:
                return None, f"a 'subtype' column in facility layer '{layer}' " \
                    f"({' / '.join(subtypes)})"
            wanted = {s.casefold() for s in subtypes}
            sub = sel["subtype"].astype(object).map(
                lambda v: "" if pd.isna(v) else str(v).strip().casefold())
            sel = sel[sub.isin(wanted)]
        return sel, ""


def _unmeasurable(ctx: _Context, need: str) -> tuple[dict[str, _Res], _Res]:
    """Every zone and the county not measurable for want of ``need``."""
    return {z: _Res(needs=need) for z in ctx.zone_ids}, _Res(needs=need)


def _evaluate(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[dict[str, _Res], _Res]:
    kind = ind.measure.kind
    if kind == "network_coverage":
        per_zone, county = _eval_network(ind, bound, ctx)
    elif kind == "admin_coverage":
        per_zone, county = _eval_admin(ind, bound, ctx)
    elif kind == "per_capita":
        per_zone, county = _eval_per_capita(ind, bound, ctx)
    else:
        per_zone = {z: _Res() for z in ctx.zone_ids}
        county = _Res()
    # Reported values fill what could not be computed (and are the only source for
    # reported indicators).
    for zid, res in [*per_zone.items(), (COUNTY, county)]:
        key = (ind.id, zid)
        if not np.isfinite(res.value) and key in ctx.reported:
            what = res.needs
            res.value = ctx.reported[key]
            res.source = "reported"
            res.needs = ""
            res.gap_people = res.gap_capacity = res.gap_units = np.nan
            res.status = _status(bound, res.value)
            res.gap_value = _gap_value(bound, res.value)
            if what:
                res.note = (res.note + " " if res.note else "") + \
                    f"reported value used (not computable: needs {what})"
        elif not np.isfinite(res.value) and not res.needs:
            res.needs = f"a reported value (targets.reported CSV, zone_id {zid})"
        if not np.isfinite(res.value):
            res.status = "no_target" if bound.op == "none" else "not_measurable"
        elif bound.op == "none":
            res.status = "no_target"
    if ind.scope == "zone" and kind != "reported":
        _sum_zone_gaps(bound, per_zone, county)
    return per_zone, county


def _sum_zone_gaps(bound: Bound, per_zone: dict[str, _Res], county: _Res) -> None:
    """County gaps for township-scope targets: the sums of the township gaps."""
    if bound.op == "none":
        return
    statuses = [r.status for r in per_zone.values()]
    for attr in ("gap_people", "gap_capacity", "gap_units"):
        vals = [getattr(r, attr) for r in per_zone.values() if r.status in ("met", "not_met")]
        if vals and any(np.isfinite(v) for v in vals):
            setattr(county, attr, float(np.nansum(vals)))
    if "not_met" in statuses:
        county.status = "not_met"
        if county.note == "" or "township" not in county.note:
            n = statuses.count("not_met")
            county.note = (county.note + "; " if county.note else "") + \
                f"{n} township(s) below target; the target applies to every township"
    elif statuses and all(s == "met" for s in statuses) and np.isfinite(county.value):
        county.status = "met"


def _eval_network(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[dict[str, _Res], _Res]:
    m = ind.measure
    cov = ctx.coverage
    layer_txt = "the full circle (every required layer)" if m.layer == COMPOSITE else \
        f"layer '{m.layer}'"
    need = ""
    sel = None
    if not len(cov):
        need = f"a coverage table ({layer_txt}, {m.minutes:g} min, group '{m.group}')"
    else:
        by_layer = cov[cov["layer"] == m.layer]
        if by_layer.empty:
            need = (f"coverage of {layer_txt}: add a [[layers]] entry with key = '{m.layer}'"
                    if m.layer != COMPOSITE else
                    "composite coverage rows (layer 'ALL'): configure required layers")
        else:
            by_group = by_layer[by_layer["group"] == m.group]
            if by_group.empty:
                need = f"coverage of {layer_txt} for population group '{m.group}' " \
                    f"(define it under [population] groups)"
            else:
                sel = by_group[np.isclose(by_group["minutes"], float(m.minutes))]
                if sel.empty:
                    need = f"coverage within {m.minutes:g} minutes (add {m.minutes:g} to " \
                        "coverage.thresholds)"
    per_zone: dict[str, _Res] = {}
    if need or sel is None:
        return _unmeasurable(ctx, need)
    rows = {r["zone_id"]: r for r in sel.to_dict("records")}

    def one(r: dict | None, where: str) -> _Res:
        if r is None:
            return _Res(needs=f"coverage rows for {where}")
        pop = float(r["population"])
        cov_p = float(r["covered_population"])
        if not pop > 0:
            return _Res(needs=f"people of group '{m.group}' in this zone (none in the inputs)",
                        note="no population of this group")
        value = 100.0 * cov_p / pop
        res = _Res(value=value, status=_status(bound, value), gap_value=_gap_value(bound, value),
                   source="computed")
        if bound.op in ("ge", "gt"):
            need_n = _required_count(bound, pop)
            res.gap_people = float(max(0, math.ceil(need_n - cov_p - 1e-9))) \
                if res.status == "not_met" else 0.0
        return res

    for z in ctx.zone_ids:
        per_zone[z] = one(rows.get(z), f"zone {z}")
    if COUNTY in rows:
        county = one(rows[COUNTY], "the county")
    else:  # sum of zones
        zs = [rows[z] for z in ctx.zone_ids if z in rows]
        county = one({"population": sum(float(r["population"]) for r in zs),
                      "covered_population": sum(float(r["covered_population"]) for r in zs)}
                     if zs else None, "the county")
    return per_zone, county


def _eval_admin(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[dict[str, _Res], _Res]:
    m = ind.measure
    what = f"facility layer '{m.layer}'" + (f" (subtype {' / '.join(m.subtypes)})"
                                          if m.subtypes else "")
    fac, need = ctx.layer_facilities(m.layer, m.subtypes, f"facilities of {what}")
    if fac is None:
        return _unmeasurable(ctx, need)
    if m.level == "township":
        if "zone_id" not in fac.columns:
            need = f"zone_id of each facility of {what}"
            return _unmeasurable(ctx, need)
        have = set(fac["zone_id"].dropna())
        units = {z: [z] for z in ctx.zone_ids}
        unit_has = {z: z in have for z in ctx.zone_ids}
        unit_word = "township"
    else:
        if ctx.villages is None:
            need = "a villages table (village_id, village_name, zone_id) listing every village"
            return _unmeasurable(ctx, need)
        if "village_id" not in fac.columns or (len(fac) and fac["village_id"].isna().all()):
            need = f"village_id of each facility of {what}"
            return _unmeasurable(ctx, need)
        have = set(fac["village_id"].dropna())
        vil = ctx.villages
        units = {z: vil.loc[vil["zone_id"] == z, "village_id"].tolist() for z in ctx.zone_ids}
        unit_has = {v: v in have for v in vil["village_id"]}
        unit_word = "village"
    pops = ctx.group_population("total")
    per_zone: dict[str, _Res] = {}
    tot_n = tot_have = 0
    for z in ctx.zone_ids:
        ids = units[z]
        n = len(ids)
        k = sum(unit_has[u] for u in ids)
        tot_n += n
        tot_have += k
        if n == 0:
            per_zone[z] = _Res(needs=f"the {unit_word}s of zone {z} in the villages table")
            continue
        per_zone[z] = _admin_res(bound, k, n, ind.scope,
                                 pops.get(z, np.nan) if pops is not None else np.nan,
                                 level=m.level)
    county = _admin_res(bound, tot_have, tot_n, "county", np.nan, level=m.level) if tot_n \
        else _Res(needs="a non-empty villages table")
    if m.level == "township" and tot_n:
        missing = [ctx.zones.loc[z, "zone_name"] for z in ctx.zone_ids if not unit_has[z]]
        if missing:
            county.note = "without: " + "、".join(map(str, missing))
    return per_zone, county


def _admin_res(bound: Bound, k: int, n: int, scope: str, pop: float, *, level: str) -> _Res:
    value = 100.0 * k / n
    res = _Res(value=value, status=_status(bound, value), gap_value=_gap_value(bound, value),
               source="computed", note=f"{k} of {n} {level}s")
    if bound.op in ("ge", "gt"):
        if res.status == "not_met":
            need_n = _required_count(bound, n)
            res.gap_units = float(max(0, min(need_n, n) - k))
            # People: for a township that must itself have the service, everyone living there.
            if level == "township" and scope == "zone" and k == 0 and np.isfinite(pop):
                res.gap_people = float(pop)
        else:
            res.gap_units = 0.0
            if level == "township" and scope == "zone":
                res.gap_people = 0.0
    return res


def _eval_per_capita(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[
        dict[str, _Res], _Res]:
    m = ind.measure
    pops = ctx.group_population(m.group)
    fac, need = ctx.layer_facilities(
        m.layer, m.subtypes, f"facilities of layer '{m.layer}' with a '{m.quantity}' column")
    if pops is None:
        need = f"population of group '{m.group}' per zone (a '{m.group}' column in the zones " \
            "table; define it under [population] groups)"
    elif fac is not None and (m.quantity not in fac.columns or (
            len(fac) and pd.to_numeric(fac[m.quantity], errors="coerce").isna().all())):
        need = f"a '{m.quantity}' column in facility layer '{m.layer}'"
    if need:
        return _unmeasurable(ctx, need)
    qty = pd.to_numeric(fac[m.quantity], errors="coerce").astype(float)
    n_missing = int(qty.isna().sum())
    zone_of = fac["zone_id"] if "zone_id" in fac.columns else \
        pd.Series([None] * len(fac), index=fac.index, dtype=object)
    supply = qty.fillna(0.0).groupby(zone_of.fillna("__none__")).sum()
    note = f"{n_missing} facilities without {m.quantity} counted as 0" if n_missing else ""

    def one(s: float, pop: float) -> _Res:
        if not pop > 0:
            return _Res(needs=f"people of group '{m.group}' in this zone (none in the inputs)",
                        note="no population of this group")
        value = s / pop * m.per
        res = _Res(value=value, status=_status(bound, value), gap_value=_gap_value(bound, value),
                   source="computed", note=note)
        if bound.op in ("ge", "gt"):
            if res.status == "not_met":
                need_s = bound.value * pop / m.per
                add = need_s - s
                res.gap_capacity = float(math.floor(add + 1e-9) + 1) if bound.op == "gt" \
                    else float(math.ceil(add - 1e-9))
            else:
                res.gap_capacity = 0.0
        return res

    if "zone_id" in fac.columns:
        per_zone = {z: one(float(supply.get(z, 0.0)), float(pops.get(z, np.nan)))
                    for z in ctx.zone_ids}
    else:
        per_zone = {z: _Res(needs=f"zone_id of each facility of layer '{m.layer}'")
                    for z in ctx.zone_ids}
    county = one(float(qty.fillna(0.0).sum()), float(pops.sum()))
    unzoned = float(supply.get("__none__", 0.0))
    if unzoned:
        county.note = (county.note + "; " if county.note else "") + \
            f"{unzoned:g} {m.quantity} at facilities outside every zone counted county-wide only"
    return per_zone, county
