"""The catalogue laid out for people: one row per entry and circle level, or one entry in full.

Examples
--------
>>> from circle15.standards import load_catalogue
>>> df = catalogue_table(load_catalogue(), lang="en")
>>> list(df.columns)[:4]
['key', 'name', 'domain', 'level']
"""

from __future__ import annotations

import pandas as pd

from circle15.standards.model import DOMAINS, GROUPS, LEVELS, MODES, Catalogue, Entry, label

#: Columns of :func:`catalogue_table` (English headers; ``lang="zh"`` uses :data:`HEADERS_ZH`).
TABLE_COLUMNS = ("key", "name", "domain", "level", "threshold", "mode", "required", "quota",
                 "group", "responsible", "source", "verified")

#: Chinese headers of :data:`TABLE_COLUMNS`.
HEADERS_ZH = {"key": "代码", "name": "设施", "domain": "七优享领域", "level": "圈层",
              "threshold": "阈值", "mode": "出行方式", "required": "▲/△", "quota": "人均指标",
              "group": "服务人群", "responsible": "责任单位", "source": "依据",
              "verified": "已核对原文"}


def _verified(flag: bool, lang: str) -> str:
    if lang == "en":
        return "yes" if flag else "NO (not checked)"
    return "是" if flag else "否（未核对）"


def _modes(modes: tuple[str, ...], lang: str) -> str:
    return ("/" if lang == "zh" else ", ").join(label(MODES, m, lang) for m in modes)


def _responsible(e: Entry, lang: str) -> str:
    return e.responsible_en if lang == "en" else e.responsible


def catalogue_table(catalogue: Catalogue, lang: str = "zh") -> pd.DataFrame:
    """One row per entry and circle level, every cell as printed.

    Parameters
    ----------
    catalogue : Catalogue
    lang : {"zh", "en"}
        Language of the cells and headers (zh headers: :data:`HEADERS_ZH`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS` (translated for ``zh``); ``required`` is ▲ or △,
        ``verified`` says plainly when a value was not checked against the standard.
    """
    rows = []
    for e in catalogue.entries:
        for r in e.rules:
            rows.append({
                "key": e.key, "name": e.name(lang), "domain": label(DOMAINS, e.domain, lang),
                "level": label(LEVELS, r.level, lang), "threshold": r.threshold_text(lang),
                "mode": _modes(r.modes, lang), "required": r.mark,
                "quota": e.quota.text(lang) if e.quota else "",
                "group": label(GROUPS, e.group, lang), "responsible": _responsible(e, lang),
                "source": catalogue.source_text(e.source, lang),
                "verified": _verified(e.verified, lang),
            })
    df = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    return df.rename(columns=HEADERS_ZH) if lang == "zh" else df


def _osm_text(e: Entry) -> str:
    sets = [" + ".join(f"{k}={'|'.join(v)}" for k, v in tags.items()) for tags in e.osm]
    return "; ".join(sets)


def entry_details(catalogue: Catalogue, key: str, lang: str = "zh") -> list[tuple[str, str]]:
    """Every field of entry ``key`` as (label, text) pairs, with OSM tags and the clause.

    Raises
    ------
    KeyError
        If the catalogue has no entry ``key``.
    """
    e = catalogue.entry(key)
    en = lang == "en"
    rules = "\n".join(f"{r.mark} {label(LEVELS, r.level, lang)}: {r.threshold_text(lang)}, "
                      f"{_modes(r.modes, lang)}" for r in e.rules)
    fields = [
        ("key", "代码", e.key), ("name", "名称", f"{e.name_zh} / {e.name_en}"),
        ("domain", "七优享领域", label(DOMAINS, e.domain, lang)),
        ("layer", "图层", e.layer), ("rules", "圈层与阈值", rules),
        ("types counted", "计入的设施类型", "、".join(e.subtypes) if e.subtypes else "—"),
        ("quota", "人均指标", e.quota.text(lang) if e.quota else "—"),
        ("group", "服务人群", label(GROUPS, e.group, lang)),
        ("responsible", "责任单位", _responsible(e, lang) or "—"),
        ("OSM tags", "OSM 标签", _osm_text(e) or "—"),
        ("source", "依据", catalogue.source_text(e.source, lang)),
        ("clause", "条款", e.clause or "—"),
        ("verified", "已核对原文", _verified(e.verified, lang)),
        ("note", "备注", e.note or "—"),
    ]
    return [(en_label if en else zh_label, text) for en_label, zh_label, text in fields]
