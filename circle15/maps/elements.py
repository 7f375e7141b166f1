"""Small folium elements of our own: clustered facility markers, info boxes, zone search.

Each registers what it draws in ``window.circle15.layers`` so that tests (and curious
officials with a browser console) can inspect the map.
"""

from __future__ import annotations

import html
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

#: Font stack for Chinese text: Windows, macOS and Linux (Noto CJK) names.
CJK_FONTS = ('"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", '
             '"WenQuanYi Micro Hei", sans-serif')

PAGE_CSS = """
<style>
html, body, .leaflet-container { font-family: __FONTS__; }
.leaflet-container { background: #f2efe9; }
.c15-box { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font-size: 13px; line-height: 1.45;
  color: #222; max-width: 360px; }
.c15-title h1 { font-size: 17px; margin: 0 0 4px 0; font-weight: 700; }
.c15-title table { border-collapse: collapse; }
.c15-title td { padding: 0 8px 0 0; vertical-align: top; }
.c15-title td.k { color: #666; white-space: nowrap; }
.c15-synthetic { display: inline-block; margin-top: 4px; padding: 1px 6px;
  background: #fff3cd; border: 1px solid #e0a800; color: #7a5a00; font-weight: 700;
  border-radius: 3px; }
.c15-warning { margin-top: 4px; color: #a94442; font-size: 12px; }
.c15-legend h2 { font-size: 14px; margin: 0 0 2px 0; }
.c15-legend .sub { color: #555; margin-bottom: 4px; }
.c15-legend .row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.c15-legend .sw { width: 18px; height: 12px; border: 1px solid #777; display: inline-block; }
.c15-legend .heat { background: linear-gradient(90deg, #e0ecf4, #9ebcda, #8856a7, #4d004b); }
.c15-pin { width: 26px; height: 26px; border-radius: 50%; border: 2px solid #fff;
  box-shadow: 0 1px 4px rgba(0,0,0,0.5); color: #fff; display: flex; align-items: center;
  justify-content: center; font-size: 13px; box-sizing: border-box; }
.c15-pin.off { opacity: 0.75; border: 2px dashed #333; }
.c15-pin.site { border-radius: 4px; transform: rotate(45deg); border-color: #111; }
.c15-pin.site i { transform: rotate(-45deg); }
.c15-cluster { border-radius: 50%; color: #fff; font-weight: 700; display: flex;
  align-items: center; justify-content: center; border: 3px solid rgba(255,255,255,0.8);
  box-shadow: 0 1px 4px rgba(0,0,0,0.5); box-sizing: border-box; }
.c15-swatch { display: inline-flex; width: 18px; height: 18px; border-radius: 50%;
  color: #fff; align-items: center; justify-content: center; font-size: 10px;
  vertical-align: middle; margin-right: 2px; }
.c15-search input { width: 190px; font-size: 13px; padding: 3px 5px; }
.c15-search .msg { color: #a94442; font-size: 12px; }
.leaflet-heatmap-layer { pointer-events: none; }
.leaflet-control-layers { font-size: 13px; }
.c15-label { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  text-align: center; font-size: 12px; font-weight: 700; color: #222; line-height: 1.2;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }
.c15-label small { font-weight: 400; }
.leaflet-control-layers-expanded { max-height: 60vh; overflow-y: auto; }
.leaflet-popup-content table td { padding: 0 6px 0 0; vertical-align: top; }
.leaflet-popup-content table td.k, .leaflet-tooltip table td.k { color: #666; }
</style>
""".replace("__FONTS__", CJK_FONTS)

_REGISTER = """
window.circle15 = window.circle15 || {layers: {}, maps: []};
"""


class PageStyle(MacroElement):
    """Page-wide CSS (fonts, boxes, markers) placed in the document head."""

    def render(self, **kwargs: Any) -> None:
        from branca.element import Element
        self.get_root().header.add_child(Element(PAGE_CSS), name="circle15_css")
        super().render(**kwargs)


def popup_table(rows: list[tuple[str, str]], title: str = "") -> str:
    """HTML for a popup: an optional bold title and key/value rows (all escaped)."""
    head = f"<b>{html.escape(title)}</b>" if title else ""
    body = "".join(f'<tr><td class="k">{html.escape(k)}</td><td>{html.escape(v)}</td></tr>'
                   for k, v in rows if v not in ("", None))
    return f"{head}<table>{body}</table>"


def pin_html(icon: str, color: str, cls: str = "") -> str:
    """HTML of a round marker in ``color`` with Font Awesome ``icon``."""
    icon = html.escape(icon.removeprefix("fa-"))
    return (f'<div class="c15-pin {cls}" style="background:{html.escape(color)}">'
            f'<i class="fa-solid fa-{icon}"></i></div>')


def swatch_html(icon: str, color: str) -> str:
    """Small coloured icon used in the layer control."""
    icon = html.escape(icon.removeprefix("fa-"))
    return (f'<span class="c15-swatch" style="background:{html.escape(color)}">'
            f'<i class="fa-solid fa-{icon}"></i></span>')


class MarkerLayer(JSCSSMixin, Layer):
    """Clustered point markers with HTML popups, one overlay in the layer control.

    Parameters
    ----------
    points : list of (lat, lon, popup_html, variant)
        ``variant`` indexes ``icons``.
    icons : list of str
        Marker HTML for each variant.
    key : str
        Registry key (``window.circle15.layers[key]``) and CSS class suffix.
    color : str
        Cluster bubble colour.
    cluster : bool
        Cluster markers (MarkerCluster) or plain feature group.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        """ + _REGISTER + """
        var {{ this.get_name() }} = {% if this.cluster %}L.markerClusterGroup({
            showCoverageOnHover: false, maxClusterRadius: 45,
            iconCreateFunction: function(c) {
                var n = c.getChildCount(), s = n < 10 ? 30 : (n < 100 ? 36 : 44);
                return L.divIcon({html: '<div class="c15-cluster" style="width:' + s +
                    'px;height:' + s + 'px;background:' + {{ this.color|tojson }} + '">' + n +
                    '</div>', className: 'c15-cluster-icon c15-m-' + {{ this.key|tojson }},
                    iconSize: [s, s]});
            }
        }){% else %}L.featureGroup(){% endif %};
        (function() {
            var icons = {{ this.icons|tojson }}.map(function(h) {
                return L.divIcon({html: h, className: 'c15-m-' + {{ this.key|tojson }},
                                  iconSize: {{ this.icon_size|tojson }},
                                  iconAnchor: {{ this.icon_anchor|tojson }},
                                  popupAnchor: [0, -12]});
            });
            var pts = {{ this.points|tojson }};
            var ms = pts.map(function(p) {
                var m = L.marker([p[0], p[1]], {icon: icons[p[3]], interactive: !!p[2],
                                                  keyboard: !!p[2]});
                return p[2] ? m.bindPopup(p[2]) : m;
            });
            {% if this.cluster %}{{ this.get_name() }}.addLayers(ms);
            {% else %}ms.forEach(function(m) { {{ this.get_name() }}.addLayer(m); });{% endif %}
        })();
        window.circle15.layers[{{ this.key|tojson }}] = {{ this.get_name() }};
        {% endmacro %}
    """)

    default_js = [
        ("markerclusterjs", "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/"
                            "1.1.0/leaflet.markercluster.js"),
    ]
    default_css = [
        ("markerclustercss", "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/"
                             "1.1.0/MarkerCluster.css"),
    ]

    def __init__(self, points: list, icons: list[str], key: str, color: str, name: str,
                 cluster: bool = True, show: bool = True,
                 icon_size: tuple[int, int] = (26, 26)) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "MarkerLayer"
        self.icon_size = list(icon_size)
        self.icon_anchor = [icon_size[0] // 2, icon_size[1] // 2]
        self.points = points
        self.icons = icons
        self.key = key
        self.color = color
        self.cluster = cluster
        if not cluster:
            self.default_js = []
            self.default_css = []


class Register(MacroElement):
    """Register a folium element in ``window.circle15.layers`` under ``key``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        """ + _REGISTER + """
        window.circle15.layers[{{ this.key|tojson }}] = {{ this.target.get_name() }};
        {% endmacro %}
    """)

    def __init__(self, target: Any, key: str) -> None:
        super().__init__()
        self.target = target
        self.key = key


class InfoBox(MacroElement):
    """A fixed box (Leaflet control) with trusted HTML, e.g. title block or legend."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var d = L.DomUtil.create('div', {{ this.css_class|tojson }});
                d.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(d);
                L.DomEvent.disableScrollPropagation(d);
                return d;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()
        self.html = html_text
        self.position = position
        self.css_class = "c15-box " + css_class


class ZoomControl(MacroElement):
    """Zoom buttons and metric scale bar (added after the title), and the initial view."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.zoom({position: 'topleft'}).addTo({{ this._parent.get_name() }});
        L.control.scale({imperial: false, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
        window.circle15 = window.circle15 || {layers: {}, maps: []};
        window.circle15.maps.push({{ this._parent.get_name() }});
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {animate: false});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self.bounds = bounds


class ZoneSearch(MacroElement):
    """Search box for township names: zooms to the township and shows its numbers."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }}, gj = {{ this.geojson.get_name() }};
            var ctl = L.control({position: 'topleft'}), last = null, pop = L.popup();
            function find(q) {
                var hit = null;
                q = q.trim();
                if (!q) return null;
                gj.eachLayer(function(l) { if (!hit && l.feature.properties.zone_name === q) hit = l; });
                gj.eachLayer(function(l) {
                    if (!hit && l.feature.properties.zone_name.indexOf(q) >= 0) hit = l; });
                return hit;
            }
            function go(input, msg) {
                var hit = find(input.value);
                msg.textContent = hit || !input.value.trim() ? '' : {{ this.none_text|tojson }};
                if (!hit) return;
                if (last) gj.resetStyle(last);
                hit.setStyle({weight: 4, color: '#000'});
                hit.bringToFront();
                last = hit;
                map.fitBounds(hit.getBounds(), {maxZoom: 14});
                var p = hit.feature.properties;
                pop.setLatLng(hit.getBounds().getCenter())
                    .setContent({{ this.popup_js }}).openOn(map);
            }
            ctl.onAdd = function() {
                var d = L.DomUtil.create('div', 'c15-box c15-search');
                var input = L.DomUtil.create('input', '', d);
                input.type = 'search';
                input.placeholder = {{ this.placeholder|tojson }};
                input.setAttribute('list', 'c15-zone-names');
                input.setAttribute('aria-label', {{ this.placeholder|tojson }});
                var list = L.DomUtil.create('datalist', '', d);
                list.id = 'c15-zone-names';
                var names = [];
                gj.eachLayer(function(l) { names.push(l.feature.properties.zone_name); });
                names.sort().forEach(function(n) {
                    var o = document.createElement('option'); o.value = n; list.appendChild(o); });
                var msg = L.DomUtil.create('div', 'msg', d);
                L.DomEvent.on(input, 'change', function() { go(input, msg); });
                L.DomEvent.on(input, 'keydown', function(e) {
                    if (e.key === 'Enter') go(input, msg); });
                L.DomEvent.disableClickPropagation(d);
                return d;
            };
            ctl.addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, geojson: Any, placeholder: str, none_text: str, popup_js: str) -> None:
        super().__init__()
        self.geojson = geojson
        self.placeholder = placeholder
        self.none_text = none_text
        self.popup_js = popup_js
