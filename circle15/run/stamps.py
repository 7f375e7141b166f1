"""One recorded time stamp per run: documents get the run's ``generated_at``, not "now".

Office files (zip members' dates and ``docProps/core.xml``), the briefing PDF's creation and
modification dates and the GeoPackages' ``last_change`` all carry the run's own time stamp,
so two runs of the same config give files that differ in that one recorded time only
(CSV, GeoJSON, PNG, HTML and Markdown outputs are byte-identical).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from circle15.io import atomic_file

_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")


def run_time(generated_at: str) -> _dt.datetime:
    """The run's time stamp (``params["generated_at"]``) in UTC."""
    return _dt.datetime.fromisoformat(generated_at).astimezone(_dt.UTC)


def stamp_office(path: Path, when: _dt.datetime) -> None:
    """Give an .xlsx/.docx the date ``when`` on every zip member and in its core properties."""
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as src, atomic_file(path) as tmp, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            out = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = info.external_attr
            dst.writestr(out, data)


def stamp_pdf(path: Path, when: _dt.datetime) -> None:
    """Give a PDF the creation and modification date ``when`` (same length: offsets hold)."""
    stamp = when.strftime("D:%Y%m%d%H%M%S+00'00'").encode()
    data = path.read_bytes()
    new = _PDF_DATES.sub(lambda m: b"/" + m.group(1) + b" (" + stamp + b")", data)
    if len(new) == len(data):
        path.write_bytes(new)


@contextlib.contextmanager
def gdal_time(when: _dt.datetime) -> Iterator[None]:
    """GeoPackages written in this block record ``when`` as their last change."""
    import pyogrio

    key = "OGR_CURRENT_DATE"
    old = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: when.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: old})


def stamp_documents(folder: Path, when: _dt.datetime) -> None:
    """Stamp every office file and PDF directly in ``folder``."""
    for p in sorted(folder.iterdir()):
        if p.suffix in (".xlsx", ".docx"):
            stamp_office(p, when)
        elif p.suffix == ".pdf":
            stamp_pdf(p, when)
