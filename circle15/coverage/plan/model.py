"""The plan model: targets as data (bounds, measures, indicators, plans).

A *plan* lists every indicator of a public-service plan: the table's yearly targets
exactly as printed (``"4.0"``, ``">70"``, ``"/"``) and the targets stated in the text, each
with how it is measured (:class:`Measure`):

``network_coverage``
    Share of a population group within ``minutes`` of the nearest facility of ``layer``
    (``"ALL"`` = every required layer: the full circle), from the coverage table.
``admin_coverage``
    Share of townships (``level = "township"``) or villages (``"village"``) with at least
    one facility of ``layer`` (optionally of given ``subtypes``).
``per_capita``
    Summed facility column ``quantity`` (capacity, staff, area) per ``per`` people of a group.
``reported``
    A value the user supplies in a CSV (:func:`circle15.coverage.plan.read_reported`).

Examples
--------
>>> b = parse_bound(">70")
>>> b.op, b.value, b.met(72.0)
('gt', 70.0, True)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from circle15.errors import InputError

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


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Bound:
    """A parsed target cell: comparison and number (``op = "none"`` for ``/``)."""

    op: str
    value: float | None

    @property
    def number(self) -> float:
        """The bound's number; a ``ValueError`` for the ``"none"`` bound (``/``), which has none."""
        if self.value is None:
            raise ValueError(f"bound {self.op!r} has no number")
        return self.value

    def met(self, x: float) -> bool:
        """Whether value ``x`` satisfies the bound."""
        v = self.number
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
    #: The plan's years, sorted (``[plan] years``): the years targets are evaluated for.
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

    @property
    def target_years(self) -> tuple[int, ...]:
        """Sorted years for which at least one indicator states a target (not ``/``).

        :attr:`years` are the plan's declared years (those :func:`evaluate_targets`
        accepts); this is what the indicators actually fill in.
        """
        return tuple(sorted({y for ind in self.indicators for y, t in ind.targets.items()
                             if parse_bound(t, ind.direction).op != "none"}))



def required_count(bound: Bound, n: float) -> float:
    """Smallest count out of ``n`` that meets a share bound (``ge``/``gt``, in percent).

    The one rule for "how many people (or townships) must be covered": the targets table
    and siting both use it, so siting's "met" is the targets table's "met".

    Examples
    --------
    >>> required_count(Bound("ge", 90.0), 150)
    135
    >>> required_count(Bound("gt", 90.0), 150)
    136
    """
    exact = bound.number / 100.0 * n
    if bound.op == "gt":
        return min(math.floor(exact + 1e-9) + 1, n + 1)
    return math.ceil(exact - 1e-9)


def check_year(plan: Plan, year: int) -> None:
    """Raise :class:`InputError` unless ``year`` is one of the plan's years."""
    if year not in plan.years:
        raise InputError(f"the plan {plan.name} has no targets for {year}", key="targets.year",
                         hint=f"plan years: {', '.join(map(str, plan.years))}")

