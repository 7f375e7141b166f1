"""The map page's HTML: head, title card, controls, legend, panel, embedded data, scripts.

Hand-written (no folium): every element id is fixed, so two renders of the same run are
byte-identical, and the page needs only Leaflet and Leaflet.heat, inlined from
``assets/`` together with ``assets/c15/map.js`` and ``map.css``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from circle15 import fonts
from circle15.maps.assets import asset_text

#: Scripts inlined in this order (Leaflet first).
SCRIPTS = ("leaflet/leaflet.js", "leaflet.heat/leaflet_heat.min.js", "c15/map.js")
STYLES = ("leaflet/leaflet.css", "c15/map.css")
#: Added after those for a page with a time dimension (``data["hist"]``) only.
TIME_SCRIPTS = ("c15/time.js",)
TIME_STYLES = ("c15/time.css",)

_NORTH = ('<svg viewBox="0 0 40 48" width="36" height="44" aria-hidden="true">'
          '<path d="M20 2 L32 40 L20 32 L8 40 Z" fill="#222"/>'
          '<path d="M20 2 L20 32 L8 40 Z" fill="#fff" stroke="#222" stroke-width="1.2"/>'
          '</svg>')


@dataclass(frozen=True)
class PageParts:
    """What the HTML needs besides the data: texts in the page's language."""

    lang: str
    title: str
    plan_line: str
    synthetic: bool
    warning: str
    foot: str


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _options(items: list[tuple[str, str]], selected: str) -> str:
    return "".join(f'<option value="{_e(v)}"{" selected" if v == selected else ""}>{_e(t)}'
                   f"</option>" for v, t in items)


def _select(id_: str, label: str, items: list[tuple[str, str]], selected: str) -> str:
    return (f'<label class="sel" for="{id_}">{_e(label)}<select id="{id_}">'
            f"{_options(items, selected)}</select></label>")


def _check(id_: str, label: str, checked: bool, icon: str = "") -> str:
    return (f'<label class="chk"><input type="checkbox" id="{id_}"'
            f'{" checked" if checked else ""}>{icon}{_e(label)}</label>')


def controls_html(data: dict) -> str:
    """The control card: view, layer, threshold and year selectors, layer switches,
    search and the print button."""
    t, m = data["t"], data["meta"]
    sel = "".join([
        _select("c15-view", t["view"], [("layer", t["view_layer"]),
                                        ("overview", t["view_overview"])], "layer"),
        _period_select(data),
        _select("c15-layer", t["domain"], [(s["key"], s["label"]) for s in data["selectors"]],
                m["layer"]),
        _select("c15-minutes", t["threshold"],
                [(f"{x:g}", t["minutes_unit"].format(minutes=f"{x:g}"))
                 for x in data["thresholds"]], f"{m['minutes']:g}"),
        _select("c15-year", t["year"], [(str(y), t["year_n"].format(year=y))
                                        for y in data["years"]], str(m["year"])),
    ])
    fac = "".join(_check(f"c15-fac-{lay['key']}", lay["label"], False,
                         f'<span class="lg-pin" style="background:{lay["color"]}">'
                         f'{lay["svg"]}</span>') for lay in data["layers"])
    over = [_check("c15-sites", t["sites"], True) if data["prop"] else "",
            _check("c15-iso", t["iso"], False), _check("c15-heat", t["heat"], False),
            _check("c15-streets", t["streets"], m["streets_on"]),
            _check("c15-labels", t["labels"], True)]
    if "hist" in data:
        over.append(_check("c15-problems", t["problem_badges"], bool(data["hist"]["problems"])))
        if data["hist"].get("fac"):
            over.append(_check("c15-fchanges", t["fac_marks"], True))
    if any(v[3] is not None for v in data["villages"]):
        over.append(_check("c15-villages", t["villages"], False))
    if m["basemap"].get("url"):
        over.append(_check("c15-base", t["basemap"] + ": " + m["basemap"]["name"], True))
    hidden = "" if data["prop"] else '<input type="checkbox" id="c15-sites" hidden>'
    return (f'<nav id="c15-controls" class="c15-card c15-controls" data-open="1">'
            f'<button id="c15-toggle" class="c15-btn" type="button" aria-expanded="true">'
            f'{_e(t["controls"])} &#9662;</button><div class="body">{sel}'
            f'<fieldset><legend>{_e(t["fac_layers"])}</legend>{fac}</fieldset>'
            f'<fieldset><legend>{_e(t["overlays"])}</legend>{"".join(over)}{hidden}'
            f'</fieldset><div class="c15-search"><input id="c15-search" type="search" '
            f'placeholder="{_e(t["search"])}" autocomplete="off"><ul id="c15-results"></ul>'
            f'</div><p><button id="c15-print" class="c15-btn" type="button">'
            f'{_e(t["print"])}</button></p></div></nav>')


def _period_select(data: dict) -> str:
    """The period selector of a page with a history ("" without one)."""
    h = data.get("hist")
    if not h:
        return ""
    items = [(p[0], p[2]) for p in h["periods"]]
    if h["run"] is None:
        items.append(("run", data["t"]["period_run"]))
    return _select("c15-period", data["t"]["period"], items, h["default"])


def problems_html(data: dict) -> str:
    """The open-problem list card of a page with a history ("" without one)."""
    if "hist" not in data:
        return ""
    t = data["t"]
    return (f'<section id="c15-pcard" class="c15-card c15-pcard" data-open="1" '
            f'aria-labelledby="c15-ptitle"><button id="c15-ptoggle" class="c15-btn" '
            f'type="button" aria-expanded="true" aria-controls="c15-pbody">'
            f'<span id="c15-ptitle">{_e(t["problem_badges"])}</span> &#9662;</button>'
            f'<div id="c15-pbody"><label class="sel" for="c15-punit">{_e(t["responsible"])}'
            f'<select id="c15-punit"><option value="">{_e(t["all_units"])}</option>'
            f'</select></label><ul id="c15-plist"></ul></div></section>')


def _script_text(relpath: str) -> str:
    # A literal "</script" inside inlined code would end the element early.
    return asset_text(relpath).replace("</script", "<\\/script")


def _json_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/")


def page_html(data: dict, parts: PageParts) -> str:
    """The whole page."""
    t = data["t"]
    badge = (f'<span class="c15-badge" id="c15-badge">{_e(t["synthetic"])}</span>'
             if parts.synthetic else "")
    warn = f'<div class="c15-warn">{_e(parts.warning)}</div>' if parts.warning else ""
    title_text = parts.title + (" - " + t["synthetic"] if parts.synthetic else "")
    timed = "hist" in data
    styles = "".join(f"<style>/* {s} */\n{asset_text(s)}\n</style>\n"
                     for s in STYLES + (TIME_STYLES if timed else ()))
    scripts = "".join(f"<script>/* {s} */\n{_script_text(s)}\n</script>\n"
                      for s in SCRIPTS + (TIME_SCRIPTS if timed else ()))
    lang = "zh-CN" if parts.lang == "zh" else "en"
    body = _body(data, parts, badge, warn, scripts)
    # the glyphs this page uses, from the bundled font: no system CJK font needed
    font = fonts.font_face_css(body + title_text)
    head = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="renderer" content="webkit">\n'
            f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title_text)}</title>\n<style>{font}</style>\n{styles}</head>\n")
    return head + body


def _body(data: dict, parts: PageParts, badge: str, warn: str, scripts: str) -> str:
    t = data["t"]
    timed = "hist" in data
    period_line = '<div class="view" id="c15-period-line"></div>' if timed else ""
    legend_period = '<div class="sub" id="c15-legend-period"></div>' if timed else ""
    legend_time = '<div id="c15-legend-time"></div>' if timed else ""
    return (
        "<body>\n"
        f'<div id="c15-oldie" class="c15-oldie" hidden>{_e(t["old_ie"])}</div>\n'
        f"<!--[if IE]><script>document.getElementById('c15-oldie').hidden=false;"
        f"</script><![endif]-->\n"
        f"<script>if(document.documentMode||/Trident\\//.test(navigator.userAgent))"
        f"{{document.getElementById('c15-oldie').removeAttribute('hidden');}}</script>\n"
        f'<div id="c15-map" role="application"></div>\n'
        f'<div id="c15-top"><header id="c15-title" class="c15-card c15-title">'
        f"<h1>{_e(parts.title)}</h1>{badge}"
        f'<div class="plan">{_e(parts.plan_line)}</div>'
        f'<div class="view" id="c15-view-line"></div>{period_line}{warn}</header>\n'
        f"{controls_html(data)}{problems_html(data)}</div>\n"
        f'<aside id="c15-legend" class="c15-card c15-legend" data-open="1">'
        f'<button id="c15-legend-toggle" class="c15-btn" type="button">{_e(t["legend"])}'
        f' &#9662;</button>{legend_period}<div id="c15-legend-body"></div>{legend_time}'
        f"</aside>\n"
        f'<aside id="c15-panel" class="c15-card c15-panel" hidden>'
        f'<button id="c15-panel-close" type="button" aria-label="{_e(t["close"])}" '
        f'title="{_e(t["close"])}">&times;</button><div id="c15-panel-body"></div></aside>\n'
        f'<div class="c15-north" id="c15-north">{_NORTH}<div>{_e(t["north"])}</div></div>\n'
        f'<div class="c15-print-only" id="c15-foot">{_e(parts.foot)}</div>\n'
        f'<script type="application/json" id="c15-data">{_json_script(data)}</script>\n'
        f"{scripts}</body>\n</html>\n")
