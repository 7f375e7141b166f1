"""The standards catalogue model: facility types of the 15-minute life circle as data.

A *catalogue* lists, per facility type (:class:`Entry`), how the national standards tier
it: one :class:`Rule` per circle level (urban 5/10/15-minute circles, rural 乡集镇 and
村/组 levels) with its threshold in minutes and/or metres, travel modes and whether the
item is required (▲, 基础保障型) or recommended (△, 品质提升型); an optional per-capita
:class:`Quota`; the population group served; OSM tags to find it; and the source clause.
Values not checked against the standard's own text carry ``verified = False``.

Examples
--------
>>> r = Rule(level="urban_5", minutes=5.0, metres=300.0, modes=("walk",), required=True)
>>> r.threshold_text("en")
'5 min / 300 m'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from circle15.vocab import CIRCLE_LEVELS, GROUP_LABELS, MODE_LABELS

#: Circle levels -> (Chinese, English) label (owned by :mod:`circle15.vocab`).
LEVELS: dict[str, tuple[str, str]] = CIRCLE_LEVELS

#: 七优享 domains (the plan's domain keys) -> (Chinese, English) label.
DOMAINS: dict[str, tuple[str, str]] = {
    "childcare": ("幼有善育", "Care for young children"),
    "education": ("学有优教", "Quality education"),
    "employment": ("劳有所得", "Fair work and pay"),
    "health": ("病有良医", "Good medical care"),
    "elderly": ("老有康养", "Care for older people"),
    "housing": ("住有宜居", "Decent housing"),
    "welfare": ("弱有众扶", "Support for vulnerable people"),
    "overall": ("总体目标", "Overall"),
}

#: Population groups a catalogue may name -> (Chinese, English) label (the run's groups
#: plus the school ages the education items serve).
GROUPS: dict[str, tuple[str, str]] = dict(GROUP_LABELS)

#: Travel modes an entry may be reached by -> (Chinese, English) label.
MODES: dict[str, tuple[str, str]] = dict(MODE_LABELS)

#: What a quota is counted per -> (Chinese, English) unit.
QUOTA_BASES: dict[str, tuple[str, str]] = {
    "people": ("人", "people"),
    "households": ("户", "households"),
    "elderly": ("老年人", "older people"),
    "children": ("儿童", "children"),
}


def label(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The Chinese (``lang="zh"``) or English label of ``key`` in ``table`` (else the key)."""
    zh, en = table.get(key, (key, key))
    return en if lang == "en" else zh


def _num(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Rule:
    """How an entry is judged at one circle level.

    Attributes
    ----------
    level : str
        A key of :data:`LEVELS`.
    minutes, metres : float, optional
        Threshold: travel time and/or distance (at least one is set).
    modes : tuple of str
        Keys of :data:`MODES` it may be reached by (any of them).
    required : bool
        ▲ required (基础保障型) or △ recommended (品质提升型).
    """

    level: str
    minutes: float | None = None
    metres: float | None = None
    modes: tuple[str, ...] = ("walk",)
    required: bool = True

    def threshold_text(self, lang: str = "zh") -> str:
        """``"5分钟 / 300米"`` (``"5 min / 300 m"`` in English)."""
        m, d = ("min", "m") if lang == "en" else ("分钟", "米")
        sep = " " if lang == "en" else ""
        parts = []
        if self.minutes is not None:
            parts.append(f"{_num(self.minutes)}{sep}{m}")
        if self.metres is not None:
            parts.append(f"{_num(self.metres)}{sep}{d}")
        return " / ".join(parts)

    @property
    def mark(self) -> str:
        """``"▲"`` (required) or ``"△"`` (recommended)."""
        return "▲" if self.required else "△"


@dataclass(frozen=True)
class Quota:
    """A per-capita quota: ``value`` ``unit`` per ``per`` ``basis`` (4.5 托位 per 1,000 people)."""

    value: float
    unit: str
    unit_en: str
    per: float = 1.0
    basis: str = "people"

    def text(self, lang: str = "zh") -> str:
        """``"4.5 托位/1000人"`` (``"4.5 places per 1000 people"``)."""
        per = "" if self.per == 1 else _num(self.per)
        if lang == "en":
            return f"{_num(self.value)} {self.unit_en} per {per + ' ' if per else ''}" \
                   f"{label(QUOTA_BASES, self.basis, 'en')}"
        return f"{_num(self.value)} {self.unit}/{per}{label(QUOTA_BASES, self.basis, 'zh')}"


@dataclass(frozen=True)
class Entry:
    """One facility type of the catalogue.

    Attributes
    ----------
    key : str
        Entry key, also the facility layer key by default (``"kindergarten"``).
    name_zh, name_en : str
    domain : str
        A key of :data:`DOMAINS`.
    responsible, responsible_en : str
        牵头/责任单位 (``"教体局"``).
    rules : tuple of Rule
        One per circle level.
    group : str
        The population group served (a key of :data:`GROUPS` or a run's own group).
    quota : Quota, optional
    osm : tuple of dict
        OSM tag sets, any of which finds the type (``{"amenity": ("kindergarten",)}``).
    source : str
        Key of the catalogue's ``[sources]`` table.
    clause : str
        The clause the values are believed to come from.
    verified : bool
        Whether the values were checked against the standard's own text.
    layer : str
        The facility layer it is measured on (default: ``key``).
    note : str
    subtypes : tuple of str
        The facility types (类型 values) of a layer it counts, when a layer of several types
        is judged by several entries (a clinic layer as 卫生服务中心 and as 卫生站); empty:
        every facility of the layer.
    """

    key: str
    name_zh: str
    name_en: str
    domain: str
    rules: tuple[Rule, ...]
    group: str = "total"
    responsible: str = ""
    responsible_en: str = ""
    quota: Quota | None = None
    osm: tuple[dict[str, tuple[str, ...]], ...] = ()
    source: str = ""
    clause: str = ""
    verified: bool = False
    layer: str = ""
    note: str = ""
    subtypes: tuple[str, ...] = ()

    def name(self, lang: str = "zh") -> str:
        """The entry's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_zh

    def rule(self, level: str) -> Rule | None:
        """The rule of circle ``level``, or ``None``."""
        return next((r for r in self.rules if r.level == level), None)


@dataclass(frozen=True)
class Catalogue:
    """A standards catalogue: entries in file order, the sources they cite."""

    name: str
    title: str
    title_en: str
    entries: tuple[Entry, ...]
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    path: Path | None = None

    @property
    def keys(self) -> list[str]:
        """Entry keys in order."""
        return [e.key for e in self.entries]

    def entry(self, key: str) -> Entry:
        """The entry ``key``.

        Raises
        ------
        KeyError
            If there is no such entry.
        """
        for e in self.entries:
            if e.key == key:
                return e
        raise KeyError(key)

    def source_text(self, key: str, lang: str = "zh") -> str:
        """The full name of source ``key`` (the key itself if undeclared)."""
        return label(self.sources, key, lang)
