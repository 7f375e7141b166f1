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
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
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
        raise InputError(f"not a valid CSV table: {_parser_reason(exc)}", file=path,
                         row=_parser_row(exc)) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["encoding"] = enc
    return df


_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parser_row(exc: Exception) -> int | None:
    """The data row (header excluded) of a pandas field-count error."""
    m = _FIELDS_RE.search(str(exc))
    return int(m.group(2)) - 1 if m else None


def _parser_reason(exc: Exception) -> str:
    """A pandas parser error in words, with both the file line and the data row."""
    m = _FIELDS_RE.search(str(exc))
    if not m:
        return str(exc).replace("Error tokenizing data. C error: ", "")
    want, line, saw = m.groups()
    return (f"line {line} of the file (data row {int(line) - 1}) has {saw} fields, the header "
            f"has {want}; check for an unquoted comma or a missing separator")


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


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read by setting, then restore at once
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a new file under the user's umask (``0o644`` with the usual ``022``)."""
    return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds.

    Write the whole file to the yielded path (keeping ``path``'s suffix, so writers that
    infer the format from it work); on success it gets the user's normal file mode (not
    the private mode of a temporary file) and is renamed over ``path`` with
    :func:`os.replace`, on failure removed. Readers never see a half-written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_npz(path: str | Path, arrays: dict[str, Any],
              header: dict[str, Any] | None = None) -> Path:
    """Write numpy arrays as one ``.npz`` file atomically (see :func:`atomic_file`);
    ``header`` (JSON-able, with its ``format``) is kept as the array ``header``, read
    back by :func:`npz_header`."""
    if header is not None:
        arrays = {**arrays, "header": np.array(json.dumps(header, ensure_ascii=False,
                                                          default=str))}
    with atomic_file(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    return Path(path)


def npz_header(npz: Any, fmt: int) -> dict[str, Any]:
    """The header :func:`write_npz` kept in an open ``.npz`` (``numpy.load``).

    Raises
    ------
    ValueError
        If its ``format`` is not ``fmt`` (a file of another layout).
    """
    header = json.loads(str(npz["header"]))
    if header.get("format") != fmt:
        raise ValueError(f"cache format {header.get('format')} is not {fmt}")
    return header


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


#: Tags of the hidden sibling folders of an output folder: new files, and the files they replace.
_TMP_TAG, _OLD_TAG = ".tmp-", ".old-"


def _sibling(final: Path, tag: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{final.name}{tag}{os.getpid()}-", dir=final.parent))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def clean_stale(final: str | Path) -> list[Path]:
    """Remove hidden temporary folders that earlier, killed runs left beside ``final``.

    Only folders of processes no longer running are touched. Files that a killed swap had
    already moved aside are put back where ``final`` lacks them.

    Returns
    -------
    list of Path
        The folders removed.
    """
    final = Path(final)
    removed = []
    for tag in (_OLD_TAG, _TMP_TAG):
        for d in sorted(final.parent.glob(f".{final.name}{tag}*")):
            pid = d.name[len(final.name) + 1 + len(tag):].split("-", 1)[0]
            if not d.is_dir() or not pid.isdigit() or _alive(int(pid)):
                continue
            if tag == _OLD_TAG and final.is_dir():
                for rel in _files(d):
                    if not (final / rel).exists():
                        (final / rel).parent.mkdir(parents=True, exist_ok=True)
                        os.replace(d / rel, final / rel)
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _swap(tmp: Path, final: Path, retire: Iterable[str]) -> None:
    """Move every file of ``tmp`` into ``final``, all or nothing.

    The files replaced, and those named in ``retire`` (an earlier run's outputs that this
    one does not write), are first moved into a hidden sibling; if anything fails (an error,
    Ctrl-C) every move is undone and ``final`` is as it was.
    """
    final.mkdir(parents=True, exist_ok=True)
    new = _files(tmp)
    old_dir = _sibling(final, _OLD_TAG)
    moved_old: list[Path] = []
    moved_new: list[Path] = []
    try:
        for rel in sorted({*new, *(Path(r) for r in retire)}):
            if (final / rel).is_file():
                (old_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(final / rel, old_dir / rel)
                moved_old.append(rel)
        for rel in new:
            (final / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, final / rel)
            moved_new.append(rel)
    except BaseException:
        for rel in moved_new:
            os.replace(final / rel, tmp / rel)
        for rel in moved_old:
            os.replace(old_dir / rel, final / rel)
        raise
    finally:
        shutil.rmtree(old_dir, ignore_errors=True)


@contextlib.contextmanager
def atomic_output_dir(final: str | Path, *, retire: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a temporary directory whose files replace those in ``final`` only if the block
    succeeds.

    Files are written into a hidden sibling folder; on success they are moved into
    ``final`` (created if needed) all or nothing (:func:`_swap`), together with removing the
    files named in ``retire``; other files in ``final`` (the user's own) are left alone.
    On failure — an exception, Ctrl-C, or SIGTERM turned into an exception by the CLI — the
    temporary folder is removed and ``final`` is untouched. Folders left by killed runs are
    cleaned up first (:func:`clean_stale`).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(final)
    tmp = _sibling(final, _TMP_TAG)
    try:
        yield tmp
        _swap(tmp, final, retire)
    finally:
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
    """Write ``obj`` as indented UTF-8 strict JSON (see :func:`to_json_safe`), atomically."""
    return write_text(path, json.dumps(to_json_safe(obj), ensure_ascii=False, indent=2))
