"""Loading plans: bundled plan names, TOML files, and validation of a parsed plan.

Examples
--------
>>> plan = load_plan("zhuji-2023")
>>> plan.indicator("T01").target_text(2027)
'5.5'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from circle15.coverage.plan.model import (
    DIRECTIONS,
    KINDS,
    SCOPES,
    Indicator,
    Measure,
    Plan,
    parse_bound,
)
from circle15.errors import InputError, InputErrors

#: Keys an ``[[indicator]]`` table may have.
_KNOWN = {"id", "number", "domain", "name_zh", "name_en", "unit", "unit_en", "baseline",
          "targets", "core", "observational", "responsible", "direction", "scope",
          "measure", "carry_forward", "section", "quote", "note"}

#: ``err(key, message, hint=None)``: collects one problem of the plan file.
_Err = Callable[..., None]


def _plans_dir() -> Path:
    return Path(str(resources.files("circle15.data") / "plans"))


def available_plans() -> list[str]:
    """Names of the bundled plans (``circle15/data/plans/*.toml``), sorted."""
    return sorted(p.stem for p in _plans_dir().glob("*.toml"))


def load_plan(name_or_path: str | Path) -> Plan:
    """Load a plan by bundled name (``"zhuji-2023"``) or from a TOML file path.

    Parameters
    ----------
    name_or_path : str or Path
        A bundled plan name (see :func:`available_plans`) or a path to a plan ``.toml``.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        Unknown plan name, or a plan file with problems (every problem is listed).

    Examples
    --------
    >>> load_plan("zhuji-2023").years
    (2023, 2024, 2025, 2026, 2027)
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
    """Validate a parsed plan mapping (see :func:`load_plan`).

    Parameters
    ----------
    raw : dict
        The parsed TOML: ``[plan]``, ``[domains.<key>]``, ``[responsible]`` and
        ``[[indicator]]`` tables.
    path : Path, optional
        The file it came from (named in errors, kept as :attr:`Plan.path`).

    Returns
    -------
    Plan

    Raises
    ------
    InputErrors
        Every problem found, each naming its key.
    """
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
    domains = {k: (str(v.get("zh", k)), str(v.get("en", k)))
               for k, v in raw.get("domains", {}).items() if isinstance(v, dict)}
    resp_en = {str(k): str(v) for k, v in raw.get("responsible", {}).items()}
    inds = _indicators(raw.get("indicator", []), domains, resp_en, err)
    if errors:
        raise InputErrors(errors)
    return Plan(name=name, title=str(meta.get("title", name)),
                title_en=str(meta.get("title_en", meta.get("title", name))),
                years=tuple(sorted(set(years))), indicators=inds,
                baseline_year=meta.get("baseline_year"),
                region=str(meta.get("region", "")), region_en=str(meta.get("region_en", "")),
                issuer=str(meta.get("issuer", "")), document=str(meta.get("document", "")),
                date=str(meta.get("date", "")), domains=domains, path=path)


def _indicators(items: Any, domains: dict[str, tuple[str, str]], resp_en: dict[str, str],
                err: _Err) -> list[Indicator]:
    """The ``[[indicator]]`` tables, each checked; problems go to ``err``."""
    if not isinstance(items, list) or not items:
        err("indicator", "no [[indicator]] tables")
        return []
    inds: list[Indicator] = []
    seen: set[str] = set()
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            err(f"indicator[{i}]", "expected a table")
            continue
        ind = _indicator(i, it, domains, resp_en, seen, err)
        if ind is not None:
            inds.append(ind)
    return inds


def _indicator(i: int, it: dict[str, Any], domains: dict[str, tuple[str, str]],
               resp_en: dict[str, str], seen: set[str], err: _Err) -> Indicator | None:
    """One ``[[indicator]]`` table (``None`` when its id is unusable); ``seen`` collects
    the ids so far."""
    iid = str(it.get("id", ""))
    pre = f"indicator[{i}] ({iid})" if iid else f"indicator[{i}]"
    for k in it:
        if k not in _KNOWN:
            err(f"{pre}.{k}", "unknown key", hint=f"known keys: {', '.join(sorted(_KNOWN))}")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", iid):
        err(f"{pre}.id", f"missing or bad indicator id {iid!r}")
        return None
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
    targets = _targets(it.get("targets") or {}, direction, pre, err)
    baseline = str(it.get("baseline", "/"))
    try:
        parse_bound(baseline)
    except ValueError:
        err(f"{pre}.baseline", f"not a number or '/': {baseline!r}")
    measure = _measure(it.get("measure", {"kind": "reported"}), f"{pre}.measure", err)
    number = it.get("number")
    if number is not None and not isinstance(number, int):
        err(f"{pre}.number", "expected an integer")
        number = None
    resp = str(it.get("responsible", ""))
    dom_zh, dom_en = domains.get(dom, (dom, dom))
    return Indicator(
        id=iid, number=number, domain=dom, domain_zh=dom_zh, domain_en=dom_en,
        name_zh=str(it.get("name_zh", iid)), name_en=str(it.get("name_en", iid)),
        unit=str(it.get("unit", "")), unit_en=str(it.get("unit_en", it.get("unit", ""))),
        baseline=baseline, targets=targets, measure=measure,
        core=bool(it.get("core", False)), observational=bool(it.get("observational", False)),
        responsible=resp, responsible_en=resp_en.get(resp, resp),
        direction=direction, scope=scope, carry_forward=bool(it.get("carry_forward", False)),
        section=str(it.get("section", "")), quote=str(it.get("quote", "")),
        note=" ".join(str(it.get("note", "")).split()))


def _targets(raw: dict[str, Any], direction: str, pre: str, err: _Err) -> dict[int, str]:
    """Year -> target text, each checked with :func:`parse_bound`."""
    targets: dict[int, str] = {}
    for k, v in raw.items():
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
    return targets


def _measure(m: Any, key: str, err: _Err) -> Measure:
    """The ``measure`` table of an indicator, checked for its kind."""
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
