"""Loading standards catalogues: bundled names, TOML files, per-run overrides.

The catalogue is loaded like a plan (:func:`circle15.coverage.plan.load_plan`): every
problem of the file is collected and reported with the file and the key, e.g.
``entry[2] (primary_school).rule[0].minutes``. Overrides name their own key,
``<overrides_key>.<entry>.<field>``.

Examples
--------
>>> cat = load_catalogue()
>>> cat.entry("primary_school").rules[0].minutes
10.0
>>> load_catalogue(overrides={"primary_school": {"minutes": 12}}).entry(
...     "primary_school").rules[0].minutes
12.0
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from circle15.errors import InputError, InputErrors
from circle15.standards.model import (
    DOMAINS,
    LEVELS,
    MODES,
    QUOTA_BASES,
    Catalogue,
    Entry,
    Quota,
    Rule,
)

#: The bundled catalogue used when none is named.
DEFAULT_CATALOGUE = "national"

#: Keys an ``[[entry]]`` table may have.
ENTRY_KEYS = frozenset({"key", "name_zh", "name_en", "domain", "responsible", "rule", "group",
                        "quota", "osm", "source", "clause", "verified", "layer", "note",
                        "subtypes"})
#: Keys a ``[[entry.rule]]`` table may have.
RULE_KEYS = frozenset({"level", "minutes", "metres", "modes", "required"})
#: Keys an ``[entry.quota]`` table may have.
QUOTA_KEYS = frozenset({"value", "unit", "unit_en", "per", "basis"})
#: Override fields applied to every rule of the entry (besides the entry's own keys).
RULE_SHORTHANDS = frozenset({"minutes", "metres", "modes", "required"})

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

#: ``err(key, message, hint=None)``: collects one problem.
_Err = Callable[..., None]
#: ``where(field)`` -> the key an error about ``field`` names.
_Where = Callable[[str], str]


def _catalogue_dir() -> Path:
    return Path(str(resources.files("circle15.data") / "standards"))


def available_catalogues() -> list[str]:
    """Names of the bundled catalogues (``circle15/data/standards/*.toml``), sorted."""
    return sorted(p.stem for p in _catalogue_dir().glob("*.toml"))


def _resolve(name_or_path: str | Path | None, key: str) -> Path:
    text = str(name_or_path or DEFAULT_CATALOGUE)
    path = Path(text).expanduser()
    if not (path.suffix.lower() == ".toml" or path.is_file() or "/" in text or "\\" in text):
        path = _catalogue_dir() / f"{text}.toml"
        if not path.is_file():
            raise InputError(f"unknown standards catalogue {text!r}", key=key,
                             hint=f"available catalogues: {', '.join(available_catalogues())}, "
                             "or a path to a catalogue .toml file")
    if not path.is_file():
        raise InputError("standards catalogue file not found", file=path, key=key)
    return path


def load_catalogue(name_or_path: str | Path | None = None,
                   overrides: Mapping[str, Mapping[str, Any]] | None = None, *,
                   key: str = "standards.catalogue",
                   overrides_key: str = "standards.overrides",
                   overrides_file: str | Path | None = None) -> Catalogue:
    """Load a standards catalogue, bundled (``"national"``) or a county's own TOML file.

    Parameters
    ----------
    name_or_path : str or Path, optional
        A bundled catalogue name (see :func:`available_catalogues`) or a path to a
        catalogue ``.toml``; default :data:`DEFAULT_CATALOGUE`.
    overrides : mapping, optional
        Entry key -> ``{field: value}`` replacing the file's values for this run. Fields
        are the keys of an ``[[entry]]`` table; ``minutes``, ``metres``, ``modes`` and
        ``required`` set every rule of the entry. Validated like the file.
    key : str, default "standards.catalogue"
        Config key named when the catalogue itself cannot be found.
    overrides_key : str, default "standards.overrides"
        Key prefix named in errors about overrides.
    overrides_file : str or Path, optional
        The file the overrides came from (a run's config), named in their errors.

    Returns
    -------
    Catalogue

    Raises
    ------
    InputError
        Unknown name, missing file, not UTF-8 TOML, or (:class:`InputErrors`) every problem
        of the entries and overrides, each naming file and key.
    """
    path = _resolve(name_or_path, key)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the standards catalogue must be UTF-8 text", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    return catalogue_from_dict(raw, path, overrides=overrides, overrides_key=overrides_key,
                               overrides_file=overrides_file)


def catalogue_from_dict(raw: Mapping[str, Any], path: Path | None = None, *,
                        overrides: Mapping[str, Mapping[str, Any]] | None = None,
                        overrides_key: str = "standards.overrides",
                        overrides_file: str | Path | None = None) -> Catalogue:
    """Validate a parsed catalogue mapping (see :func:`load_catalogue`).

    Parameters
    ----------
    raw : mapping
        ``[catalogue]``, ``[sources.<key>]``, ``[responsible]`` and ``[[entry]]`` tables.
    path : Path, optional
        The file it came from (named in errors, kept as :attr:`Catalogue.path`).
    overrides, overrides_key, overrides_file
        As for :func:`load_catalogue`.

    Returns
    -------
    Catalogue

    Raises
    ------
    InputErrors
        Every problem found, each naming its file and key.
    """
    file = path or Path("<catalogue>")
    ofile = overrides_file if overrides_file is not None else "<overrides>"
    errors: list[InputError] = []

    def err_in(where: str | Path) -> _Err:
        def err(k: str, msg: str, hint: str | None = None) -> None:
            errors.append(InputError(msg, file=where, key=k, hint=hint))
        return err

    err, oerr = err_in(file), err_in(ofile)
    meta = raw.get("catalogue", {})
    if not isinstance(meta, dict):
        raise InputError("expected a [catalogue] table", file=file, key="catalogue")
    sources = {str(k): (str(v.get("zh", k)), str(v.get("en", v.get("zh", k))))
               for k, v in raw.get("sources", {}).items() if isinstance(v, dict)}
    resp_en = {str(k): str(v) for k, v in raw.get("responsible", {}).items()}
    items = raw.get("entry", [])
    if not isinstance(items, list) or not items:
        err("entry", "no [[entry]] tables")
        items = []
    merged = _apply_overrides(items, overrides or {}, overrides_key, oerr)
    entries = _entries(merged, sources, resp_en, err, oerr, overrides_key)
    if errors:
        raise InputErrors(errors)
    name = str(meta.get("name") or (path.stem if path else "catalogue"))
    return Catalogue(name=name, title=str(meta.get("title", name)),
                     title_en=str(meta.get("title_en", meta.get("title", name))),
                     entries=tuple(entries), sources=sources, path=path)


# --------------------------------------------------------------------------- overrides


def _apply_overrides(items: list[Any], overrides: Mapping[str, Any], okey: str, oerr: _Err
                     ) -> list[tuple[dict[str, Any], set[str]]]:
    """Each entry table with its overrides merged in, and the set of overridden fields."""
    by_key = {str(it.get("key")): i for i, it in enumerate(items) if isinstance(it, dict)}
    merged: list[tuple[dict[str, Any], set[str]]] = [
        (dict(it) if isinstance(it, dict) else it, set()) for it in items]
    for ek, fields in overrides.items():
        if ek not in by_key:
            oerr(f"{okey}.{ek}", f"no catalogue entry {ek!r}",
                 hint=f"entries: {', '.join(k for k in by_key)}")
            continue
        if not isinstance(fields, Mapping):
            oerr(f"{okey}.{ek}", "expected a table of fields")
            continue
        it, done = merged[by_key[ek]]
        for f, v in fields.items():
            if f == "key" or f not in ENTRY_KEYS | RULE_SHORTHANDS:
                oerr(f"{okey}.{ek}.{f}", "unknown or fixed field",
                     hint=f"fields: {', '.join(sorted((ENTRY_KEYS | RULE_SHORTHANDS) - {'key'}))}")
            elif f in RULE_SHORTHANDS:
                rules = it.get("rule")
                rules = rules if isinstance(rules, list) else []
                it["rule"] = [{**r, f: v} if isinstance(r, dict) else r for r in rules]
                done.add(f)
            else:
                it[f] = v
                done.add(f)
    return merged


# --------------------------------------------------------------------------- entries


def _entries(merged: list[tuple[Any, set[str]]], sources: dict[str, tuple[str, str]],
             resp_en: dict[str, str], err: _Err, oerr: _Err, okey: str) -> list[Entry]:
    """The ``[[entry]]`` tables, each checked; problems go to ``err`` (or ``oerr`` for
    overridden fields)."""
    out: list[Entry] = []
    seen: set[str] = set()
    for i, (it, done) in enumerate(merged):
        if not isinstance(it, dict):
            err(f"entry[{i}]", "expected a table")
            continue
        ek = str(it.get("key", ""))
        pre = f"entry[{i}] ({ek})" if ek else f"entry[{i}]"

        def report(k: str, msg: str, hint: str | None = None, *, _pre: str = pre,
                   _done: set[str] = done, _ek: str = ek) -> None:
            where = _override_key(k, _pre, _done, f"{okey}.{_ek}")
            (oerr if where else err)(where or k, msg, hint)

        if ek in seen:
            report(f"{pre}.key", f"duplicate entry key {ek!r}")
        seen.add(ek)
        entry = _entry(it, pre, sources, resp_en, report)
        if entry is not None:
            out.append(entry)
    return out


def _override_key(k: str, pre: str, done: set[str], opre: str) -> str | None:
    """The override key an error about entry key ``k`` names, if the value was overridden.

    ``entry[2] (x).quota.value`` -> ``<opre>.quota.value`` when ``quota`` was overridden;
    ``entry[2] (x).rule[0].minutes`` -> ``<opre>.minutes`` when ``minutes`` was set for
    every rule; ``None`` for values from the file.
    """
    if not k.startswith(pre + "."):
        return None
    rest = k[len(pre):]
    fld = rest[1:].split(".")[0].split("[")[0]
    if fld in done:
        return opre + rest
    last = rest.rsplit(".", 1)[-1]
    if fld == "rule" and last in done:
        return f"{opre}.{last}"
    return None


def _entry(it: dict[str, Any], pre: str, sources: dict[str, tuple[str, str]],
           resp_en: dict[str, str], err: _Err) -> Entry | None:
    """One ``[[entry]]`` table (``None`` when its key is unusable)."""
    for k in it:
        if k not in ENTRY_KEYS:
            err(f"{pre}.{k}", "unknown key", hint=f"known keys: {', '.join(sorted(ENTRY_KEYS))}")
    ek = str(it.get("key", ""))
    if not _ID.fullmatch(ek):
        err(f"{pre}.key", f"missing or bad entry key {ek!r}",
            hint="letters, digits and _, starting with a letter")
        return None
    for k in ("name_zh", "name_en"):
        if not isinstance(it.get(k), str) or not it[k].strip():
            err(f"{pre}.{k}", "missing name")
    dom = str(it.get("domain", ""))
    if dom not in DOMAINS:
        err(f"{pre}.domain", f"unknown domain {dom!r}", hint=", ".join(DOMAINS))
    src = str(it.get("source", ""))
    if src not in sources:
        err(f"{pre}.source", f"undeclared source {src!r}",
            hint=f"declare it under [sources.{src}]" if src else "name a [sources] key")
    group = str(it.get("group", "total"))
    if not _ID.fullmatch(group):
        err(f"{pre}.group", f"bad population group {group!r}")
    verified = it.get("verified")
    if not isinstance(verified, bool):
        err(f"{pre}.verified", "expected true or false",
            hint="false unless checked against the standard's text")
    layer = str(it.get("layer", ek))
    if not _ID.fullmatch(layer):
        err(f"{pre}.layer", f"bad layer key {layer!r}")
    resp = str(it.get("responsible", ""))
    subtypes = it.get("subtypes", [])
    if not isinstance(subtypes, list) or not all(isinstance(x, str) and x.strip()
                                                  for x in subtypes):
        err(f"{pre}.subtypes", "expected a list of facility types (类型 values)")
        subtypes = []
    return Entry(key=ek, name_zh=str(it.get("name_zh", ek)), name_en=str(it.get("name_en", ek)),
                 domain=dom, rules=_rules(it.get("rule"), pre, err), group=group,
                 responsible=resp, responsible_en=resp_en.get(resp, resp),
                 quota=_quota(it.get("quota"), f"{pre}.quota", err),
                 osm=_osm(it.get("osm", []), f"{pre}.osm", err), source=src,
                 clause=" ".join(str(it.get("clause", "")).split()),
                 verified=verified is True, layer=layer,
                 note=" ".join(str(it.get("note", "")).split()),
                 subtypes=tuple(x.strip() for x in subtypes))


def _positive(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


def _pos(v: Any) -> float | None:
    """``v`` as a float if it is a positive number, else ``None``."""
    return float(v) if _positive(v) else None


def _rules(items: Any, pre: str, err: _Err) -> tuple[Rule, ...]:
    """The ``[[entry.rule]]`` tables: level, threshold, modes, ▲/△."""
    if not isinstance(items, list) or not items:
        err(f"{pre}.rule", "no [[entry.rule]] tables", hint="one per circle level")
        return ()
    rules: list[Rule] = []
    for j, r in enumerate(items):
        key = f"{pre}.rule[{j}]"
        if not isinstance(r, dict):
            err(key, "expected a table")
            continue
        for k in r:
            if k not in RULE_KEYS:
                err(f"{key}.{k}", "unknown key", hint=f"known keys: {', '.join(sorted(RULE_KEYS))}")
        level = str(r.get("level", ""))
        if level not in LEVELS:
            err(f"{key}.level", f"unknown circle level {level!r}", hint=", ".join(LEVELS))
        minutes, metres = r.get("minutes"), r.get("metres")
        for k, v in (("minutes", minutes), ("metres", metres)):
            if v is not None and not _positive(v):
                err(f"{key}.{k}", f"expected a positive number, not {v!r}")
        if minutes is None and metres is None:
            err(f"{key}.minutes", "a rule needs minutes and/or metres")
        modes = r.get("modes", ["walk"])
        if not isinstance(modes, list) or not modes or any(m not in MODES for m in modes):
            err(f"{key}.modes", f"expected a list of travel modes, not {modes!r}",
                hint=", ".join(MODES))
            modes = ["walk"]
        required = r.get("required", True)
        if not isinstance(required, bool):
            err(f"{key}.required", "expected true (▲ required) or false (△ recommended)")
        rules.append(Rule(level=level, minutes=_pos(minutes), metres=_pos(metres),
                          modes=tuple(str(m) for m in modes), required=required is not False))
    return tuple(rules)


def _quota(q: Any, key: str, err: _Err) -> Quota | None:
    """The optional ``[entry.quota]`` table."""
    if q is None:
        return None
    if not isinstance(q, dict):
        err(key, "expected a table: value, unit, unit_en, per, basis")
        return None
    for k in q:
        if k not in QUOTA_KEYS:
            err(f"{key}.{k}", "unknown key", hint=f"known keys: {', '.join(sorted(QUOTA_KEYS))}")
    value, per = q.get("value"), q.get("per", 1)
    if not _positive(value):
        err(f"{key}.value", f"expected a positive number, not {value!r}")
    if not _positive(per):
        err(f"{key}.per", f"expected a positive number, not {per!r}")
    unit = str(q.get("unit", ""))
    if not unit:
        err(f"{key}.unit", "missing unit (托位, m², 床位 ...)")
    basis = str(q.get("basis", "people"))
    if basis not in QUOTA_BASES:
        err(f"{key}.basis", f"unknown basis {basis!r}", hint=", ".join(QUOTA_BASES))
    fvalue, fper = _pos(value), _pos(per)
    if fvalue is None or fper is None:
        return None
    return Quota(value=fvalue, unit=unit, unit_en=str(q.get("unit_en", unit)),
                 per=fper, basis=basis)


def _osm(items: Any, key: str, err: _Err) -> tuple[dict[str, tuple[str, ...]], ...]:
    """OSM tag sets: a list of ``{tag = [values]}`` tables (``"*"``: any value)."""
    if not isinstance(items, list):
        err(key, "expected a list of tag tables, e.g. [{ amenity = [\"kindergarten\"] }]")
        return ()
    out: list[dict[str, tuple[str, ...]]] = []
    for j, tags in enumerate(items):
        if not isinstance(tags, dict) or not tags:
            err(f"{key}[{j}]", "expected a table of tags, e.g. { amenity = [\"school\"] }")
            continue
        clean: dict[str, tuple[str, ...]] = {}
        for k, v in tags.items():
            vals = [v] if isinstance(v, str) else v
            if not isinstance(vals, list) or not vals or not all(isinstance(x, str) for x in vals):
                err(f"{key}[{j}].{k}", "tag values must be a string or a list of strings")
                continue
            clean[str(k)] = tuple(x.strip() for x in vals)
        out.append(clean)
    return tuple(out)
