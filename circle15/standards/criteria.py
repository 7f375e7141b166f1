"""From the catalogue to what a run measures: one :class:`Criterion` per layer and level.

Each facility layer of a run is judged by the catalogue entries whose key (or ``layer``) is
the layer's key, or by those named in the layer's ``standard``; each rule of an entry
becomes a criterion at that circle level: its minutes (a distance-only rule at the network's
walking speed), the modes the run computes among those the rule allows, the speed profile
of the layer's group, and the residents it judges — urban levels the urban residents and
rural levels (乡集镇, 村/组) the rural ones when the villages give an urban–rural class; without
classes every level judges every resident (each row says so: ``residents = "all"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from circle15.coverage.levels import Criterion
from circle15.standards.model import Catalogue, Entry, Rule
from circle15.vocab import LEVEL_RESIDENTS


@dataclass(frozen=True)
class RunLayer:
    """A run's facility layer as the standards see it.

    Attributes
    ----------
    key : str
    group : str
        The group the run judges the layer by (``"total"`` when none).
    standard : tuple of str
        Entries named for it (empty: entries whose key or layer is ``key``).
    """

    key: str
    group: str = "total"
    standard: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriteriaOptions:
    """How rules become criteria in a run.

    Attributes
    ----------
    modes : tuple of str
        Travel modes the run computes (its network mode first).
    walk_kmh : float
        Walking speed that turns a distance-only rule into minutes.
    profiles : mapping
        Group -> walking-speed profile name.
    groups : tuple of str
        Population groups the run has (columns of its points).
    classes_known : bool
        Whether residents have an urban–rural class.
    household_size : float
        People per household for quotas per household.
    lang : str
        Language of the quota units.
    """

    modes: tuple[str, ...] = ("walk",)
    walk_kmh: float = 4.5
    profiles: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[str, ...] = ()
    classes_known: bool = False
    household_size: float = 2.62
    lang: str = "zh"


def entries_for(catalogue: Catalogue, layer: RunLayer) -> list[Entry]:
    """The catalogue entries a layer is judged by.

    Raises
    ------
    KeyError
        If the layer names an entry the catalogue does not have.
    """
    if layer.standard:
        return [catalogue.entry(k) for k in layer.standard]
    return [e for e in catalogue.entries if (e.layer or e.key) == layer.key]


def rule_minutes(rule: Rule, walk_kmh: float) -> float:
    """The rule's threshold in minutes (a distance at ``walk_kmh`` when only metres)."""
    if rule.minutes is not None:
        return float(rule.minutes)
    assert rule.metres is not None  # the loader requires one of them
    return round(float(rule.metres) / (walk_kmh * 1000.0 / 60.0), 3)


def rule_modes(rule: Rule, computed: Sequence[str]) -> tuple[str, ...]:
    """The modes the rule allows that the run computes (else the run's own mode)."""
    used = tuple(m for m in computed if m in rule.modes)
    return used or (computed[0],)


def _quota(entry: Entry, group: str, opts: CriteriaOptions) -> dict[str, object]:
    """Quota fields of a criterion (empty when the entry has none the run can count)."""
    q = entry.quota
    if q is None:
        return {}
    rate = q.value / q.per
    basis = {"people": "population", "households": "population",
             "elderly": "age_60p", "children": group}.get(q.basis, "")
    if q.basis == "households":
        rate /= opts.household_size
    if basis != "population" and basis not in opts.groups:
        return {}
    return {"quota_rate": rate, "quota_basis": basis,
            "quota_unit": q.unit_en if opts.lang == "en" else q.unit}


def layer_criteria(catalogue: Catalogue, layer: RunLayer, opts: CriteriaOptions
                   ) -> list[Criterion]:
    """The criteria of one layer, in catalogue order of entries and rules."""
    out = []
    entries = entries_for(catalogue, layer)
    split = len(entries) > 1  # one layer of several types judged by several entries
    for entry in entries:
        group = layer.group if layer.group != "total" else (
            entry.group if entry.group in opts.groups else "total")
        quota = _quota(entry, group, opts)
        for rule in entry.rules:
            residents = LEVEL_RESIDENTS.get(rule.level, "all") if opts.classes_known else "all"
            modes = rule_modes(rule, opts.modes)
            out.append(Criterion(
                entry=entry.key, name=entry.name(opts.lang), layer=layer.key, level=rule.level,
                minutes=rule_minutes(rule, opts.walk_kmh), modes=modes,
                required=rule.required, group=group, residents=residents,
                profile=opts.profiles.get(group, "") if "walk" in modes else "",
                subtypes=entry.subtypes if split else (), verified=entry.verified,
                source=f"{layer.key}:{entry.key}" if split and entry.subtypes else "",
                **quota))  # type: ignore[arg-type]
            quota = {}  # the quota rows once per entry
    return out


def run_criteria(catalogue: Catalogue, layers: Sequence[RunLayer], opts: CriteriaOptions
                 ) -> list[Criterion]:
    """Every criterion of a run's layers."""
    return [c for lay in layers for c in layer_criteria(catalogue, lay, opts)]
