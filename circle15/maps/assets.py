"""Offline assets: inline every script, stylesheet, image and font into the map HTML.

folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">`` tags.
Officials open the map on an offline intranet, so :func:`inline_assets` replaces each tag
with the file's contents, shipped as package data in ``circle15/maps/assets/`` (copied
from the npm packages folium references, same versions, with their licence files; see
``assets/README.md``). Images and fonts referenced from the CSS become ``data:`` URIs.

A folium upgrade that references a URL not listed in :data:`URL_ASSETS` makes
:func:`inline_assets` raise, so a map can never silently depend on the network.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources
from pathlib import PurePosixPath

#: Resource URL (as folium writes it) -> file under ``assets/``.
URL_ASSETS: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
    "leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
    "MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
    "MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "leaflet.fullscreen/Control.FullScreen.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/"
    "leaflet_heat.min.js": "leaflet.heat/leaflet_heat.min.js",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "fontawesome/css/all.min.css",
}

#: The only resources the base map needs (folium's defaults also pull in jQuery,
#: Bootstrap 3/5 and awesome-markers, which our map does not use).
MAP_JS = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
MAP_CSS = [
    ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"),
    ("fontawesome",
     "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"),
]

_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".woff2": "font/woff2"}
_SCRIPT_RE = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_LINK_RE = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")
# Font Awesome: keep only the woff2 fonts (every current browser), drop the brand icons.
_TTF_RE = re.compile(r',\s*url\([^)]*\.ttf\)\s*format\("truetype"\)')
_BRANDS_RE = re.compile(r"@font-face\{[^}]*fa-brands-400[^}]*\}")


def _root():
    return resources.files("circle15.maps") / "assets"


@functools.cache
def asset_text(relpath: str) -> str:
    """Text of one asset file, with CSS ``url()`` references turned into data URIs."""
    text = (_root() / relpath).read_text(encoding="utf-8")
    if relpath.endswith(".css"):
        text = _inline_css_urls(text, PurePosixPath(relpath).parent)
    return text


def _data_uri(relpath: str) -> str:
    data = (_root() / relpath).read_bytes()
    mime = _MIME[PurePosixPath(relpath).suffix]
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _inline_css_urls(css: str, folder: PurePosixPath) -> str:
    css = _BRANDS_RE.sub("", _TTF_RE.sub("", css))

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


def _escape_script(js: str) -> str:
    # A literal "</script" inside inlined code would end the element early.
    return js.replace("</script", "<\\/script")


def inline_assets(html: str) -> str:
    """Replace every external ``<script src>`` / stylesheet ``<link>`` with inline code.

    Parameters
    ----------
    html : str
        A page rendered by folium.

    Returns
    -------
    str
        The same page with no external resource references.

    Raises
    ------
    RuntimeError
        If the page references a resource that is not shipped in ``assets/``.
    """
    missing: list[str] = []

    def script(m: re.Match) -> str:
        rel = URL_ASSETS.get(m.group("url"))
        if rel is None:
            missing.append(m.group("url"))
            return m.group(0)
        return f"<script>/* {rel} */\n{_escape_script(asset_text(rel))}\n</script>"

    def link(m: re.Match) -> str:
        rel = URL_ASSETS.get(m.group("url"))
        if rel is None:
            missing.append(m.group("url"))
            return m.group(0)
        return f"<style>/* {rel} */\n{asset_text(rel)}\n</style>"

    html = _LINK_RE.sub(link, _SCRIPT_RE.sub(script, html))
    if missing:
        raise RuntimeError(
            "the map references resources not shipped in circle15/maps/assets: "
            + ", ".join(missing) + " (add them to URL_ASSETS, see assets/README.md)")
    return html
