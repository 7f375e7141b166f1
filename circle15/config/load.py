"""Reading a run's TOML config: parse, coerce each value to its field's type, validate.

Relative paths resolve against the directory of the config file. Every problem (unknown
keys, wrong types, non-finite numbers, missing files, out-of-range values) is collected and
raised at once as one :class:`~circle15.errors.InputErrors`, each naming the file and key.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from circle15.config.sections import SECTIONS, Config, LayerConfig
from circle15.config.validate import Collector, validate
from circle15.errors import InputError, InputErrors

#: Fields without a usable default: (section, key).
_REQUIRED = {("layers", "key")}

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a table", Path: "a file path", tuple: "a list"}


def _type_name(tp: Any) -> str:
    args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
    return " or ".join(_TYPE_NAMES.get(typing.get_origin(a) or a, str(a)) for a in args)


def _path(value: str, base: Path) -> Path | None:
    if value == "":
        return None
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _number(value: Any, as_float: bool) -> Any:
    """``value`` as an int/float when it is one (never a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if as_float:
        return float(value)
    return value if isinstance(value, int) else None


class _NotThisType(Exception):
    """The value does not fit one alternative of a union."""


def _coerce_one(value: Any, tp: Any, base: Path) -> Any:
    origin = typing.get_origin(tp)
    if tp is Path and isinstance(value, str):
        return _path(value, base)
    if tp is bool and isinstance(value, bool):
        return value
    if tp in (int, float):
        num = _number(value, tp is float)
        if num is None:
            raise _NotThisType
        return num
    if tp is str and isinstance(value, str):
        return value
    if origin is tuple and isinstance(value, list):
        (item,) = typing.get_args(tp)[:1]
        if item is float:  # minutes as written (5 stays 5 in every table)
            nums = [_number(v, False) if isinstance(v, int) else _number(v, True)
                    for v in value]
            if any(n is None for n in nums):
                raise _NotThisType
            return tuple(nums)
        return tuple(_coerce_one(v, item, base) for v in value)
    if (origin is dict or tp is dict) and isinstance(value, dict):
        return dict(value)
    raise _NotThisType


def _coerce(value: Any, tp: Any, key: str, base: Path, col: Collector) -> tuple[bool, Any]:
    """``(ok, converted)`` for ``value`` against the annotation ``tp``."""
    union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    options = [a for a in typing.get_args(tp) if a is not type(None)] if union else [tp]
    for option in options:
        try:
            out = _coerce_one(value, option, base)
        except _NotThisType:
            continue
        if isinstance(out, float) and not math.isfinite(out):
            col.add(key, f"{value!r} is not a finite number")
            return False, None
        if isinstance(out, tuple) and any(isinstance(v, float) and not math.isfinite(v)
                                          for v in out):
            col.add(key, f"{value!r} holds a number that is not finite")
            return False, None
        return True, out
    col.add(key, f"expected {_type_name(tp)}, got {type(value).__name__} {value!r}")
    return False, None


def _build(cls: type, data: Any, prefix: str, section: str, base: Path,
           col: Collector) -> Any:
    """One section's dataclass from its TOML table (``None`` when unusable)."""
    if not isinstance(data, dict):
        col.add(prefix, f"expected a table ([{prefix}]), got {type(data).__name__}")
        return None
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}.{k}"
        if k not in names:
            col.add(key, "unknown key", hint=f"known keys: {', '.join(names)}")
            continue
        ok, value = _coerce(v, hints[k], key, base, col)
        if ok:
            kwargs[k] = value
    missing = [n for n in names if (section, n) in _REQUIRED and n not in kwargs]
    for name in missing:
        col.add(f"{prefix}.{name}", "missing required key")
    return None if missing else cls(**kwargs)


def _read_toml(path: Path) -> dict[str, Any]:
    if path.is_dir():
        raise InputError("is a folder, not a config file", file=path,
                         hint="pass the path of the .toml file")
    if not path.is_file():
        raise InputError("config file not found", file=path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the config must be UTF-8 text", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read and validate a TOML config.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    overrides : dict, optional
        Dotted keys set after reading (``{"output.dir": Path("out"), "targets.year": 2025}``),
        as the CLI options do. ``None`` values are ignored.

    Returns
    -------
    Config

    Raises
    ------
    InputErrors
        Listing every problem found, each naming the file and key.

    Examples
    --------
    >>> cfg = load_config("config.toml", {"targets.year": 2025})  # doctest: +SKIP
    >>> cfg.network.mode  # doctest: +SKIP
    'walk'
    """
    path = Path(path).resolve()
    raw = _read_toml(path)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        raw.setdefault(section, {})[key] = str(value) if isinstance(value, Path) else value
    return config_from_dict(raw, path)


def load_section(path: str | Path, name: str) -> Any:
    """One section of a TOML config, validated alone (its defaults where absent).

    For commands that need one section only (``circle15 history --config`` needs
    ``[history]``): the rest of the file is not checked, so a config whose inputs have
    moved still names its history database.

    Raises
    ------
    InputErrors
        If the file cannot be read or the section is not valid.
    """
    path = Path(path).resolve()
    data = _read_toml(path).get(name, {})
    col = Collector(path)
    value = _build(SECTIONS[name], data, name, name, path.parent, col)
    if col.errors:
        raise InputErrors(col.errors)
    return value


def _layers(data: Any, base: Path, col: Collector) -> tuple[LayerConfig, ...] | None:
    if not isinstance(data, list):
        col.add("layers", "expected an array of tables ([[layers]])")
        return None
    built = (_build(LayerConfig, item, f"layers[{i}]", "layers", base, col)
             for i, item in enumerate(data))
    return tuple(lay for lay in built if lay is not None)


def config_from_dict(raw: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a parsed config mapping (see :func:`load_config`)."""
    file = path or Path("<config>")
    base = path.parent if path else Path.cwd()
    col = Collector(file)
    kwargs: dict[str, Any] = {"path": path}
    for name, data in raw.items():
        if name == "layers":
            value = _layers(data, base, col)
        elif name in SECTIONS:
            value = _build(SECTIONS[name], data, name, name, base, col)
        else:
            col.add(name, "unknown section",
                    hint=f"known sections: {', '.join([*SECTIONS, 'layers'])}")
            continue
        if value is not None:
            kwargs[name] = value
    cfg = validate(Config(**kwargs), col)
    if col.errors:
        raise InputErrors(col.errors)
    return cfg
