"""Offline assets: the scripts and stylesheets inlined into the map page.

Shipped as package data in ``circle15/maps/assets/`` (Leaflet and Leaflet.heat copied
from their npm packages with their licence files, see ``assets/README.md``; the page's
own ``c15/map.js`` and ``c15/map.css``). Images referenced from a stylesheet become
``data:`` URIs, so the page makes no request of its own.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources
from pathlib import PurePosixPath

_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".woff2": "font/woff2"}
_CSS_URL_RE = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")


def _root():
    return resources.files("circle15.maps") / "assets"


@functools.cache
def asset_text(relpath: str) -> str:
    """Text of one asset file, with CSS ``url()`` references turned into data URIs.

    Raises
    ------
    FileNotFoundError
        If the file, or an image a stylesheet references, is not shipped.
    """
    text = (_root() / relpath).read_text(encoding="utf-8")
    if relpath.endswith(".css"):
        text = _inline_css_urls(text, PurePosixPath(relpath).parent)
    return text


def _data_uri(relpath: str) -> str:
    data = (_root() / relpath).read_bytes()
    mime = _MIME[PurePosixPath(relpath).suffix]
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _inline_css_urls(css: str, folder: PurePosixPath) -> str:
    def repl(m: re.Match) -> str:
        ref = m.group("ref")
        if ref.startswith(("data:", "#")):
            return m.group(0)
        parts: list[str] = []
        for p in (folder / ref).parts:
            if p == "..":
                parts.pop()
            else:
                parts.append(p)
        rel = "/".join(parts)
        if not (_root() / rel).is_file():
            raise FileNotFoundError(f"circle15/maps/assets/{rel} (referenced from CSS)")
        return f'url("{_data_uri(rel)}")'

    return _CSS_URL_RE.sub(repl, css)
