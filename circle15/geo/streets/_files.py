"""Opening street files that may be gzip- or bzip2-compressed."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from circle15.errors import InputError

#: What to tell a user whose file is not a street network circle15 reads.
HINT_FORMATS = "use an OpenStreetMap extract (.osm, .osm.gz, .osm.bz2, .osm.pbf), an OSMnx " \
               "GraphML file (.graphml, .graphml.gz), or place:<name>"


def open_text(path: Path) -> io.BufferedReader | gzip.GzipFile | bz2.BZ2File:
    """``path`` opened for reading bytes, decompressed when it is gzip or bzip2."""
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic == b"BZh":
        return bz2.open(path, "rb")
    return open(path, "rb")


def head_text(path: Path, n: int = 2048) -> str:
    """The first ``n`` bytes of the (decompressed) file as text; "" if unreadable."""
    try:
        with open_text(path) as fh:
            return fh.read(n).decode("utf-8", "replace")
    except (OSError, EOFError, ValueError):
        return ""


@contextlib.contextmanager
def plain_file(path: Path) -> Iterator[Path]:
    """Yield a plain-text path for ``path``, decompressing gzip/bz2 to a temporary file."""
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic[:2] != b"\x1f\x8b" and magic != b"BZh":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="circle15-graphml-") as tmp:
        out = Path(tmp) / "graph.graphml"
        try:
            with open_text(path) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (OSError, EOFError) as exc:
            raise InputError(f"cannot decompress the file ({exc})", file=path,
                             key="network.source") from None
        yield out
