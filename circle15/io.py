"""File input and output helpers: encodings, BOM CSV, atomic writes.

Chinese users exchange CSV files in UTF-8, UTF-8 with BOM, GBK or GB18030. Everything we
read goes through :func:`read_csv`; everything we write for people goes through
:func:`write_csv` (UTF-8 with BOM, which Excel opens correctly) inside an
:func:`atomic_output_dir` so that a failed run leaves no half-written files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from circle15.errors import InputError

log = logging.getLogger(__name__)

#: Encodings tried, in order. GB18030 is a superset of GBK, which is a superset of GB2312.
ENCODINGS = ("utf-8-sig", "gb18030")


def detect_encoding(path: str | Path) -> str:
    """Return the text encoding of a CSV file: ``"utf-8-sig"``, ``"utf-8"`` or ``"gb18030"``.

    UTF-8 (with or without BOM) is tried first; a file that is not valid UTF-8 is decoded
    as GB18030 (which covers GBK and GB2312).

    Raises
    ------
    InputError
        If the file is neither valid UTF-8 nor valid GB18030.
    """
    raw = Path(path).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot decode the file as UTF-8 or GBK/GB18030 (byte {exc.start})",
            file=path,
            hint="save it as UTF-8 or GBK text",
        ) from None


def read_csv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a CSV in UTF-8, UTF-8-BOM, GBK or GB18030, logging the detected encoding.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    **kwargs
        Passed to :func:`pandas.read_csv`.

    Returns
    -------
    pandas.DataFrame
        With ``attrs["encoding"]`` set to the detected encoding.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path, hint="check the path in the config")
    enc = detect_encoding(path)
    log.info("%s: read as %s", path, enc)
    try:
        df = pd.read_csv(path, encoding=enc, **kwargs)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"not a valid CSV table: {exc}", file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["encoding"] = enc
    return df


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 with BOM (opens correctly in Excel), without the index."""
    path = Path(path)
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file (for provenance in ``run.json``)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds.

    Write the whole file to the yielded path (keeping ``path``'s suffix, so writers that
    infer the format from it work); on success it is renamed over ``path`` with
    :func:`os.replace`, on failure removed. Readers never see a half-written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


@contextlib.contextmanager
def atomic_output_dir(final: str | Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``final`` only if the block succeeds.

    Files are written into a sibling temporary directory; on success every file in it is
    moved into ``final`` (created if needed) with :func:`os.replace`, so each output file
    appears whole or not at all, and files of an earlier run that this run does not
    produce are left alone. On failure the temporary directory is removed and ``final``
    is untouched.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final.mkdir(parents=True, exist_ok=True)
    for src in sorted(tmp.rglob("*")):
        rel = src.relative_to(tmp)
        dst = final / rel
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    shutil.rmtree(tmp, ignore_errors=True)


def to_json_safe(obj: Any) -> Any:
    """``obj`` as strict JSON data: NaN and infinities become ``None``, numpy scalars and
    arrays plain Python, paths strings, other unknown objects their ``str``."""
    if isinstance(obj, dict):
        return {str(k): to_json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [to_json_safe(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented UTF-8 strict JSON (see :func:`to_json_safe`)."""
    path = Path(path)
    path.write_text(json.dumps(to_json_safe(obj), ensure_ascii=False, indent=2),
                    encoding="utf-8")
    return path
