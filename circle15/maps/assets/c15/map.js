/* circle15 一张图: the map page of a run. Data: the JSON in #c15-data (see
   circle15/maps/page.py). Public API (window.circle15):
     show({layer, minutes, year, view})  switch what the townships are coloured by;
                                         view "layer" (one indicator) or "overview" (达标总览)
     state()  -> {layer, minutes, year, view, zones: {zone_id: {rate, target, status,
                 gap_people}}} exactly as drawn (fractions; null where not measurable)
     open(zone_id) / close()   the township drill-down panel
     preparePrint()            lay the page out for printing (window.print() follows)
     setFacilities(rows, closed)  draw these facility rows (D.fac's form, optionally with
                               [10] notes for the popup and [11] a mark: "added",
                               "moved", "capacity") and these closed ones greyed (in
                               layer groups "closed:<layer>", shown with their layer while
                               showClosed(true)); facilities() -> the rows drawn
   ES5 only, so the dual-core browsers' webkit engines run it too. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("c15-data").textContent);
  var T = D.t, M = D.meta;
  var S = {layer: M.layer, minutes: M.minutes, year: M.year, view: "layer"};
  var API = window.circle15 = {maps: [], layers: {}, data: D};
  var byId = function (id) { return document.getElementById(id); };
  var esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  };
  var fmtPct = function (x) { return x == null ? T.na : (100 * x).toFixed(1) + "%"; };
  var fmtInt = function (x) {
    if (x == null) { return T.na; }
    return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  };
  var fill = function (s, o) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return o[k] == null ? m : o[k]; });
  };
  var vkey = function () { return S.layer + "|" + S.minutes + "|" + S.year; };
  var layerIndex = {};
  D.layers.forEach(function (l, i) { layerIndex[l.key] = i; });
  var zoneById = {};
  D.zones.forEach(function (z) { zoneById[z.id] = z; });
  var phone = function () { return window.innerWidth < 768; };

  // ------------------------------------------------------------------ map and panes
  var map = L.map("c15-map", {zoomControl: false, minZoom: 5, maxZoom: 18,
                              zoomSnap: 0.25, attributionControl: true});
  API.maps.push(map);
  map.attributionControl.setPrefix(false);
  L.control.zoom({position: "bottomleft", zoomInTitle: T.zoom_in,
                  zoomOutTitle: T.zoom_out}).addTo(map);
  L.control.scale({position: "bottomleft", imperial: false, maxWidth: 140}).addTo(map);
  [["c15zones", 350], ["c15iso", 420], ["c15streets", 430], ["c15heat", 440],
   ["c15labels", 650], ["c15sites", 640]].forEach(function (p) {
    var pane = map.createPane(p[0]);
    pane.style.zIndex = p[1];
    if (p[0] !== "c15zones") { pane.style.pointerEvents = "none"; }
  });
  map.getPane("c15sites").style.pointerEvents = "auto";
  var canvasIso = L.canvas({pane: "c15iso"}), canvasStreets = L.canvas({pane: "c15streets"});

  if (M.basemap && M.basemap.url) {
    var tl = L.tileLayer(M.basemap.url, {subdomains: M.basemap.subdomains || "abc",
                                         attribution: M.basemap.attr || "", maxZoom: 18});
    tl.addTo(map);
    API.layers.basemap = tl;
    if (M.basemap.labels) { L.tileLayer(M.basemap.labels, {subdomains: M.basemap.subdomains,
                                                           maxZoom: 18}).addTo(map); }
  }

  // ------------------------------------------------------------------ townships
  var zonesGroup = L.featureGroup().addTo(map);
  var polys = {};
  D.zones.forEach(function (z) {
    var p = L.polygon(z.rings, {pane: "c15zones", color: "#444", weight: 1.2,
                                fillOpacity: 0.8, fillColor: "#bdbdbd"});
    p.zid = z.id;
    p.feature = {properties: {zone_id: z.id, zone_name: z.name}};
    if (!window.matchMedia || !window.matchMedia("(hover: none)").matches) {
      p.bindTooltip(function () { return tipHtml(z.id); }, {sticky: true});
    }
    p.on("click", function () { p.closeTooltip(); API.open(z.id); });
    p.on("mouseover", function () { p.setStyle({weight: 3, color: "#000"}); });
    p.on("mouseout", function () { p.setStyle({weight: 1.2, color: "#444"}); });
    polys[z.id] = p;
    zonesGroup.addLayer(p);
  });
  API.layers.zones = zonesGroup;
  var bounds = zonesGroup.getBounds();

  // township names with a halo, above the markers
  var labels = L.layerGroup().addTo(map);
  var labelMarkers = {};
  D.zones.forEach(function (z) {
    var m = L.marker(z.lab, {pane: "c15labels", interactive: false, keyboard: false,
      icon: L.divIcon({className: "c15-label", iconSize: null, html: ""})});
    labelMarkers[z.id] = m;
    labels.addLayer(m);
  });
  API.layers.labels = labels;

  // ------------------------------------------------------------------ facilities
  var capUnit = function (key) { return (T.cap_units[key] || T.capacity); };
  var CROSS = '<svg class="x" viewBox="0 0 26 32" width="26" height="32"><path d="M6 5L20 19M20 5L6 19" ' +
    'stroke="#b71c1c" stroke-width="3" stroke-linecap="round"/></svg>';
  var pin = function (l, cls, closed, mark) {
    return L.divIcon({className: "c15-pin " + cls, iconSize: [26, 32], iconAnchor: [13, 31],
      popupAnchor: [0, -28], html: '<svg viewBox="0 0 26 32" width="26" height="32">' +
      '<path d="M13 31C13 31 2 19 2 12a11 11 0 0 1 22 0c0 7-11 19-11 19z" fill="' + (closed ? "#9e9e9e" : l.color) +
      '" stroke="#fff" stroke-width="1.5"/></svg><span class="g">' + l.svg + "</span>" + (closed ? CROSS : "") +
      (mark ? '<span class="mk">' + esc(mark) + "</span>" : "")});
  };
  var facGroups = {}, closedGroups = {}, FAC = D.fac, closedOn = true;
  D.layers.forEach(function (l) {
    facGroups[l.key] = L.layerGroup();
    closedGroups[l.key] = L.layerGroup();
    API.layers["fac:" + l.key] = facGroups[l.key];
    API.layers["closed:" + l.key] = closedGroups[l.key];
  });
  function facMarker(f, closed) {
    var l = D.layers[f[2]], st = closed ? "closed" : (f[11] || "");
    var cls = "c15-m-" + l.key + (f[7] === false ? " unlinked" : "") + (st ? " c15-" + st : "");
    var mark = closed ? T.fac_closed_mark : st === "added" ? T.fac_added_mark : "";
    var m = L.marker([f[0], f[1]], {icon: pin(l, cls, closed, mark),
                                    title: f[3] + (mark ? " (" + mark + ")" : ""), alt: f[3],
                                    riseOnHover: true, zIndexOffset: closed ? -200 : st === "added" ? 200 : 0});
    m.bindPopup(function () { return facHtml(f, closed); }, {maxWidth: 300});
    m.c15 = f;
    (closed ? closedGroups : facGroups)[l.key].addLayer(m);
  }
  API.setFacilities = function (rows, closed) {
    FAC = rows;
    D.layers.forEach(function (l) { facGroups[l.key].clearLayers(); closedGroups[l.key].clearLayers(); });
    rows.forEach(function (f) { facMarker(f, false); });
    (closed || []).forEach(function (f) { facMarker(f, true); });
    searchIndex();
    D.layers.forEach(function (l) { syncFac(l.key); });
    if (ui) { drawLegend(); }
  };
  API.facilities = function () { return FAC; };
  API.showClosed = function (on) {
    closedOn = !!on;
    D.layers.forEach(function (l) { syncFac(l.key); });
    drawLegend();
  };
  function syncFac(key) {
    var box = byId("c15-fac-" + key), on = box ? box.checked : false;
    toggle(facGroups[key], on);
    toggle(closedGroups[key], on && closedOn);
  }
  function facHtml(f, closed) {
    var l = D.layers[f[2]];
    var rows = [[T.layer_name, l.label], [T.subtype, f[8]], [capUnit(l.key), f[4]],
                [T.zone, (zoneById[f[6]] || {}).name], [T.village, f[5]], [T.address, f[9]]];
    var h = "<b>" + esc(f[3]) + "</b><table class='kv'>";
    rows.forEach(function (r) {
      if (r[1] !== "" && r[1] != null) { h += "<tr><td>" + esc(r[0]) + "</td><td>" + esc(r[1]) + "</td></tr>"; }
    });
    h += "</table>";
    (f[10] || []).forEach(function (n) { h += "<div class='note" + (closed ? " closed" : "") + "'>" + esc(n) + "</div>"; });
    if (f[7] === false && !closed) { h += "<div class='warn'>" + esc(T.unlinked) + "</div>"; }
    return h;
  }

  // proposed sites: a star per site, one group per layer
  var siteGroups = {};
  D.prop.forEach(function (s) {
    var l = D.layers[s[2]];
    var g = siteGroups[l.key] || (siteGroups[l.key] = L.layerGroup());
    API.layers["prop:" + l.key] = g;
    var m = L.marker([s[0], s[1]], {pane: "c15sites", icon: L.divIcon({
      className: "c15-site c15-s-" + l.key, iconSize: [22, 22], iconAnchor: [11, 11],
      html: '<span style="background:' + l.color + '">' + D.star + "</span>"})});
    m.bindPopup("<b>" + esc(fill(T.proposed_one, {layer: l.label})) + " #" + esc(s[3]) +
      "</b><table class='kv'><tr><td>" + esc(T.zone) + "</td><td>" +
      esc((zoneById[s[4]] || {}).name || s[4]) + "</td></tr><tr><td>" + esc(T.new_covered) +
      "</td><td>" + fmtInt(s[5]) + "</td></tr><tr><td>" + esc(T.cumulative_rate) +
      "</td><td>" + fmtPct(s[6]) + "</td></tr></table>");
    g.addLayer(m);
  });

  // villages with a known location
  var villageGroup = L.layerGroup();
  API.layers.villages = villageGroup;
  D.villages.forEach(function (v) {
    if (v[3] == null) { return; }
    var m = L.circleMarker([v[3], v[4]], {radius: 4, color: "#333", weight: 1,
                                           fillColor: "#fff", fillOpacity: 1});
    m.bindPopup(function () { return villageHtml(v); });
    m.c15 = v;
    villageGroup.addLayer(m);
  });
  function villageHtml(v) {
    var h = "<b>" + esc(v[1]) + "</b> <small>" + esc((zoneById[v[2]] || {}).name) + "</small><ul class='vl'>";
    D.layers.forEach(function (l, i) {
      var yes = v[5].indexOf(i) >= 0;
      h += "<li class='" + (yes ? "yes" : "no") + "'>" + (yes ? "\u2713 " : "\u2717 ") + esc(l.label) + "</li>";
    });
    return h + "</ul>";
  }

  // isochrones (off until asked for), drawn on a canvas
  var isoGroups = {};
  Object.keys(D.iso).forEach(function (k) {
    var l = D.layers[layerIndex[k]] || {color: "#555"};
    var g = L.layerGroup();
    var bands = D.iso[k];
    bands.slice().reverse().forEach(function (b) {
      var i = bands.indexOf(b);
      g.addLayer(L.polygon(b[1], {renderer: canvasIso, interactive: false, color: l.color,
        weight: 0.8, opacity: 0.7, fillColor: l.color, fillOpacity: [0.35, 0.2, 0.1, 0.06][Math.min(i, 3)]}));
    });
    isoGroups[k] = g;
    API.layers["iso:" + k] = g;
  });

  // streets: main roads zoomed out, every street close up
  var streetsMain = L.layerGroup(), streetsAll = L.layerGroup();
  D.streets.main.forEach(function (ln) {
    streetsMain.addLayer(L.polyline(ln, {renderer: canvasStreets, interactive: false,
                                         color: "#7a7a7a", weight: 1.2, opacity: 0.8}));
  });
  D.streets.all.forEach(function (ln) {
    streetsAll.addLayer(L.polyline(ln, {renderer: canvasStreets, interactive: false,
                                        color: "#8a8a8a", weight: 1, opacity: 0.8}));
  });
  var streets = L.layerGroup();
  API.layers.streets = streets;
  function streetDetail() {
    if (!map.hasLayer(streets)) { return; }
    var close = map.getZoom() >= 13;
    streets.clearLayers();
    streets.addLayer(close || !D.streets.main.length ? streetsAll : streetsMain);
  }
  map.on("zoomend", streetDetail);

  // uncovered people (heat map, off until asked for)
  var heat = null;
  function heatLayer() {
    var k = S.layer + "|" + S.minutes, pts = D.heat[k] || [], max = 1;
    pts.forEach(function (p) { max = Math.max(max, p[1]); });
    var ll = pts.map(function (p) { var c = D.heat.cells[p[0]]; return [c[0], c[1], p[1] / max]; });
    if (!L.heatLayer) { return L.layerGroup(); }
    return L.heatLayer(ll, {pane: "c15heat", radius: 10, blur: 10, minOpacity: 0.05, max: 1,
      gradient: {0.3: "#9ebcda", 0.6: "#8856a7", 1.0: "#4d004b"}});
  }

  // ------------------------------------------------------------------ views
  function viewData() {
    return S.view === "overview" ? (D.overview[S.year] || {}) : (D.views[vkey()] || {});
  }
  function draw() {
    var v = viewData(), soft = ui.heat.checked || ui.iso.checked;
    Object.keys(polys).forEach(function (id) {
      var r = v[id], color = r ? (S.view === "overview" ? r[2] : r[4]) : "#bdbdbd";
      polys[id].setStyle({fillColor: color, fillOpacity: soft ? 0.18 : 0.8});
      var sub = "";
      if (S.view === "overview") { sub = r && r[1] ? fill(T.missed_short, {n: r[0], m: r[1]}) : ""; }
      else if (r) { sub = fmtPct(r[0]); }
      labelMarkers[id].setIcon(L.divIcon({className: "c15-label", iconSize: null,
        html: "<span>" + esc(zoneById[id].name) + (sub ? "<br><small>" + esc(sub) + "</small>" : "") + "</span>"}));
    });
    drawLegend();
    drawTitle();
    if (map.hasLayer(heatHolder)) { heatHolder.clearLayers(); heat = heatLayer(); heatHolder.addLayer(heat); }
    if (openZone) { API.open(openZone); }
  }
  var heatHolder = L.layerGroup();
  API.layers.uncovered = heatHolder;

  function tipHtml(id) {
    var z = zoneById[id], r = viewData()[id];
    var h = "<b>" + esc(z.name) + "</b>";
    if (S.view === "overview") {
      return h + "<br>" + (r && r[1] ? esc(fill(T.missed_long, {n: r[0], m: r[1]})) : esc(T.no_measurable));
    }
    var l = selector(S.layer);
    h += "<br>" + esc(l.label) + " " + esc(fill(T.minutes_unit, {minutes: S.minutes})) +
         "<table class='kv'><tr><td>" + esc(T.rate) + "</td><td>" + fmtPct(r && r[0]) + "</td></tr>" +
         "<tr><td>" + esc(T.target) + "</td><td>" + (r && r[1] != null ? fmtPct(r[1]) : esc(T.no_target)) + "</td></tr>" +
         "<tr><td>" + esc(fill(T.group_people, {group: l.groupLabel})) + "</td><td>" + fmtInt(r && r[5]) + "</td></tr>";
    if (r && r[3] != null) { h += "<tr><td>" + esc(T.gap) + "</td><td>" + fmtInt(r[3]) + "</td></tr>"; }
    return h + "<tr><td>" + esc(T.status) + "</td><td>" + esc(T["st_" + (r ? r[2] : "no_target")]) + "</td></tr></table>";
  }
  function selector(k) {
    for (var i = 0; i < D.selectors.length; i++) { if (D.selectors[i].key === k) { return D.selectors[i]; } }
    return D.selectors[0];
  }

  function swatch(c) { return "<i class='sw' style='background:" + c + "'></i>"; }
  function drawLegend() {
    var v = viewData(), counts = {}, h = "";
    Object.keys(v).forEach(function (id) {
      var c = S.view === "overview" ? v[id][2] : v[id][4];
      counts[c] = (counts[c] || 0) + 1;
    });
    var n = function (c) { return " <span class='n'>(" + (counts[c] || 0) + ")</span>"; };
    if (S.view === "overview") {
      h += "<h2>" + esc(fill(T.overview_title, {year: S.year})) + "</h2><div class='rule'>" + esc(T.overview_rule) + "</div>";
      D.legend.overview.forEach(function (e) { h += "<div class='row'>" + swatch(e[0]) + esc(e[1]) + n(e[0]) + "</div>"; });
    } else {
      var l = selector(S.layer), anyTarget = false;
      Object.keys(v).forEach(function (id) { if (v[id][1] != null) { anyTarget = true; } });
      h += "<h2>" + esc(fill(T.legend_title, {layer: l.label, minutes: S.minutes})) + "</h2>";
      h += "<div class='sub'>" + esc(fill(T.legend_group, {group: l.groupLabel, year: S.year})) + "</div>";
      if (anyTarget) {
        h += "<div class='rule'>" + esc(T.status_rule) + "</div>";
        D.legend.status.forEach(function (e) { h += "<div class='row'>" + swatch(e[0]) + esc(e[1]) + n(e[0]) + "</div>"; });
      } else {
        h += "<div class='rule'>" + esc(T.no_target_note) + "</div>";
        D.legend.neutral.forEach(function (e) { h += "<div class='row'>" + swatch(e[0]) + esc(e[1]) + n(e[0]) + "</div>"; });
      }
      var c = (D.county[S.layer + "|" + S.minutes + "|" + S.year]);
      if (c) {
        h += "<div class='county'>" + esc(M.county_label) + ": " + esc(T.rate) + " " + fmtPct(c[0]) +
          (c[1] != null ? ", " + esc(T.target) + " " + fmtPct(c[1]) : "") +
          (c[5] != null && c[6] != null ? "; " + esc(fill(T.uncovered_n, {n: fmtInt(c[5] - c[6])})) : "") + "</div>";
      }
    }
    var fac = "";
    D.layers.forEach(function (l) {
      if (map.hasLayer(facGroups[l.key])) {
        fac += "<div class='row'><span class='lg-pin' style='background:" + l.color + "'>" + l.svg + "</span>" +
          esc(l.label) + " <span class='n'>(" + facGroups[l.key].getLayers().length + ")</span></div>";
      }
      if (siteGroups[l.key] && map.hasLayer(siteGroups[l.key])) {
        fac += "<div class='row'><span class='lg-pin star' style='background:" + l.color + "'>" + D.star + "</span>" +
          esc(fill(T.proposed_one, {layer: l.label})) + "</div>";
      }
    });
    if (map.hasLayer(villageGroup)) {
      fac += "<div class='row'><i class='sw' style='border-radius:50%;width:9px;height:9px;background:#fff;opacity:1'></i>" +
        esc(fill(T.village_legend, {k: villageGroup.getLayers().length, n: D.villages.length})) + "</div>";
    }
    if (ui.iso.checked) {
      fac += "<div class='rule'>" + esc(fill(T.iso_rule, {list: D.thresholds.join("/")})) + "</div>";
      var note = API.isoNote ? API.isoNote() : "";
      if (note) { fac += "<div class='rule iso-note' id='c15-iso-note'>" + esc(note) + "</div>"; }
    }
    if (ui.heat.checked) {
      fac += "<div class='row'><i class='sw heat'></i>" + esc(fill(T.heat_rule, {group: selector(S.layer).groupLabel, minutes: S.minutes})) + "</div>";
    }
    if (ui.heat.checked || ui.iso.checked) { fac += "<div class='rule'>" + esc(T.soft_note) + "</div>"; }
    byId("c15-legend-body").innerHTML = h + (fac ? "<div class='fac'>" + fac + "</div>" : "");
  }
  function drawTitle() {
    byId("c15-view-line").textContent = S.view === "overview" ? fill(T.overview_title, {year: S.year}) :
      fill(T.legend_title, {layer: selector(S.layer).label, minutes: S.minutes}) + T.sep + fill(T.year_n, {year: S.year});
  }

  // ------------------------------------------------------------------ drill-down panel
  var openZone = null;
  API.open = function (id) {
    var z = zoneById[id];
    if (!z) { return; }
    openZone = id;
    if (!/c15-panel-open/.test(document.body.className)) { document.body.className += " c15-panel-open"; }
    var h = "<h3>" + esc(z.name) + "</h3>";
    if (M.report) { h += "<a class='rep' href='" + esc(M.report) + "#zone-" + encodeURIComponent(id) + "'>" + esc(T.report_link) + "</a>"; }
    h += "<h4>" + esc(T.population) + "</h4><table class='kv'>";
    Object.keys(z.pop).forEach(function (g) {
      h += "<tr><td>" + esc(T.groups[g] || g) + "</td><td>" + fmtInt(z.pop[g]) + "</td></tr>";
    });
    h += "</table>" + indicatorsHtml(id) + facilitiesHtml(id) + villagesHtml(id);
    byId("c15-panel-body").innerHTML = h;
    var p = byId("c15-panel");
    p.hidden = false;
    p.setAttribute("data-zone", id);
  };
  API.close = function () {
    openZone = null; byId("c15-panel").hidden = true;
    document.body.className = document.body.className.replace(/\s*c15-panel-open/g, "");
  };
  function statusText(s) { return T["csv_" + s] || s; }
  function fmtVal(x, unit) {
    if (x == null) { return T.na; }
    var a = Math.abs(x), d = a >= 100 ? 0 : a >= 10 ? 1 : 2;
    return x.toFixed(d).replace(/\.0+$/, "") + (unit === "%" ? "%" : "");
  }
  function indicatorsHtml(id) {
    var rows = ((D.rows[S.year] || {})[id]) || [];
    if (!rows.length) { return ""; }
    var judged = rows.filter(function (r) { return r[3] === "met" || r[3] === "not_met"; });
    var other = rows.filter(function (r) { return !(r[3] === "met" || r[3] === "not_met"); });
    var head = "<tr><th>" + [T.indicator, T.value, T.target, T.status, T.gap, T.responsible].map(esc).join("</th><th>") + "</th></tr>";
    var tr = function (r) {
      var ind = D.ind[r[0]], gap = r[3] !== "not_met" ? T.na : r[5] != null ? fmtInt(r[5]) + " " + T.people_unit :
        (r[4] != null && r[3] === "not_met" ? fmtVal(r[4], ind.unit) + (ind.unit === "%" ? "" : " " + ind.unit) : T.na);
      if (ind.unit === "%" && r[4] != null && r[3] === "not_met") { gap = fmtVal(r[4], "") + " " + T.points_unit + (r[5] != null ? " / " + fmtInt(r[5]) + " " + T.people_unit : ""); }
      return "<tr class='s-" + r[3] + "' data-ind='" + esc(ind.id) + "'><td>" + esc(ind.name) + "</td><td>" + fmtVal(r[1], ind.unit) +
        "</td><td>" + esc(r[2]) + (r[2] !== "/" && ind.unit && ind.unit !== "%" ? " " + esc(ind.unit) : (r[2] !== "/" && ind.unit === "%" ? "%" : "")) +
        "</td><td>" + esc(statusText(r[3])) + "</td><td>" + esc(gap) + "</td><td>" + esc(ind.resp) + "</td></tr>";
    };
    var missed = judged.filter(function (r) { return r[3] === "not_met"; }).length;
    var h = "<h4>" + esc(fill(T.indicators_year, {year: S.year})) + "</h4><div class='sub'>" +
      esc(fill(T.missed_long, {n: missed, m: judged.length})) + "</div><div class='tw'><table class='ind'>" + head +
      judged.map(tr).join("") + "</table></div>";
    if (other.length) {
      h += "<details><summary>" + esc(fill(T.unjudged, {n: other.length})) + "</summary><div class='tw'><table class='ind'>" +
        head + other.map(tr).join("") + "</table></div></details>";
    }
    return h;
  }
  function facilitiesHtml(id) {
    var h = "";
    D.layers.forEach(function (l, i) {
      var fs = FAC.filter(function (f) { return f[2] === i && f[6] === id; });
      var ss = D.prop.filter(function (s) { return s[2] === i && s[4] === id; });
      if (!fs.length && !ss.length) { return; }
      h += "<h4><span class='lg-pin' style='background:" + l.color + "'>" + l.svg + "</span>" + esc(l.label) + " (" + fs.length + ")</h4><ul class='fl'>";
      fs.forEach(function (f) {
        h += "<li>" + esc(f[3]) + (f[4] != null ? T.sep + esc(capUnit(l.key)) + " " + fmtInt(f[4]) : "") +
          (f[5] ? T.sep + esc(f[5]) : "") + (f[7] === false ? T.sep + "<em>" + esc(T.unlinked_short) + "</em>" : "") +
          (f[11] === "added" ? T.sep + "<em class='new'>" + esc(T.fac_added_mark) + "</em>" : "") + "</li>";
      });
      ss.forEach(function (s) {
        h += "<li class='site'>" + D.star.replace('fill="#fff"', 'fill="' + l.color + '"') + " " + esc(fill(T.proposed_one, {layer: l.label})) +
          " #" + esc(s[3]) + T.sep + esc(T.new_covered) + " " + fmtInt(s[5]) + "</li>";
      });
      h += "</ul>";
    });
    return h ? "<h4 class='sec'>" + esc(T.facilities) + "</h4>" + h : "";
  }
  function villagesHtml(id) {
    var vs = D.villages.filter(function (v) { return v[2] === id; });
    if (!vs.length) { return ""; }
    var h = "<h4 class='sec'>" + esc(fill(T.villages_n, {n: vs.length})) + "</h4><div class='sub'>";
    D.layers.forEach(function (l, i) {
      var k = vs.filter(function (v) { return v[5].indexOf(i) >= 0; }).length;
      h += esc(fill(T.village_has, {layer: l.label, k: k, n: vs.length, pct: (100 * k / vs.length).toFixed(0)})) + "<br>";
    });
    h += "</div><details><summary>" + esc(T.village_list) + "</summary><ul class='vl'>";
    vs.forEach(function (v) {
      h += "<li>" + esc(v[1]) + ": " + (v[5].length ? v[5].map(function (i) { return esc(D.layers[i].label); }).join(", ") : T.na) + "</li>";
    });
    return h + "</ul></details>";
  }
  byId("c15-panel-close").onclick = API.close;

  // ------------------------------------------------------------------ controls
  var ui = {view: byId("c15-view"), layer: byId("c15-layer"), minutes: byId("c15-minutes"),
            year: byId("c15-year"), heat: byId("c15-heat"), iso: byId("c15-iso"),
            streets: byId("c15-streets"), labels: byId("c15-labels"), sites: byId("c15-sites"),
            villages: byId("c15-villages"), base: byId("c15-base")};
  function syncControls() {
    ui.view.value = S.view; ui.layer.value = S.layer;
    ui.minutes.value = String(S.minutes); ui.year.value = String(S.year);
    ui.layer.disabled = ui.minutes.disabled = S.view === "overview";
  }
  function showFacilitiesOf(k) {
    D.layers.forEach(function (l) {
      var on = k === M.composite || l.key === k;
      var box = byId("c15-fac-" + l.key);
      if (box) { box.checked = on; }
      syncFac(l.key);
    });
    Object.keys(siteGroups).forEach(function (sk) { toggle(siteGroups[sk], ui.sites.checked && (k === M.composite || sk === k)); });
    Object.keys(isoGroups).forEach(function (ik) { toggle(isoGroups[ik], ui.iso.checked && (k === M.composite || ik === k)); });
  }
  function toggle(layer, on) {
    if (!layer) { return; }
    if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
    if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
  }
  API.show = function (o) {
    o = o || {};
    var layerChanged = false;
    if (o.view != null) {
      if (o.view !== "layer" && o.view !== "overview") { throw new Error("view must be 'layer' or 'overview'"); }
      S.view = o.view;
    }
    if (o.layer != null) {
      if (!D.selectors.some(function (s) { return s.key === o.layer; })) { throw new Error("unknown layer " + o.layer); }
      layerChanged = o.layer !== S.layer; S.layer = o.layer;
    }
    if (o.minutes != null) {
      if (D.thresholds.indexOf(Number(o.minutes)) < 0) { throw new Error("unknown minutes " + o.minutes); }
      S.minutes = Number(o.minutes);
    }
    if (o.year != null) {
      if (D.years.indexOf(Number(o.year)) < 0) { throw new Error("unknown year " + o.year); }
      S.year = Number(o.year);
    }
    syncControls();
    if (layerChanged) { showFacilitiesOf(S.layer); }
    draw();
    return API.state();
  };
  API.state = function () {
    var v = viewData(), zones = {};
    Object.keys(v).forEach(function (id) {
      var r = v[id];
      zones[id] = S.view === "overview" ?
        {rate: null, target: null, status: r[1] ? (r[0] ? "missed" : "met") : "no_target",
         gap_people: null, missed: r[0], measured: r[1], color: r[2]} :
        {rate: r[0], target: r[1], status: r[2], gap_people: r[3], color: r[4]};
    });
    return {layer: S.layer, minutes: S.minutes, year: S.year, view: S.view, zones: zones};
  };
  ui.view.onchange = function () { API.show({view: ui.view.value}); };
  ui.layer.onchange = function () { API.show({layer: ui.layer.value}); };
  ui.minutes.onchange = function () { API.show({minutes: Number(ui.minutes.value)}); };
  ui.year.onchange = function () { API.show({year: Number(ui.year.value)}); };
  D.layers.forEach(function (l) {
    var box = byId("c15-fac-" + l.key);
    box.onchange = function () { syncFac(l.key); drawLegend(); };
  });
  ui.sites.onchange = function () { showFacilitiesOf(S.layer); drawLegend(); };
  ui.iso.onchange = function () { showFacilitiesOf(S.layer); draw(); };
  ui.heat.onchange = function () {
    if (ui.heat.checked) { heatHolder.clearLayers(); heat = heatLayer(); heatHolder.addLayer(heat); map.addLayer(heatHolder); }
    else { map.removeLayer(heatHolder); }
    draw();
  };
  ui.streets.onchange = function () { toggle(streets, ui.streets.checked); streetDetail(); };
  ui.labels.onchange = function () { toggle(labels, ui.labels.checked); };
  if (ui.villages) { ui.villages.onchange = function () { toggle(villageGroup, ui.villages.checked); drawLegend(); }; }
  if (ui.base) { ui.base.onchange = function () { toggle(API.layers.basemap, ui.base.checked); }; }
  byId("c15-toggle").onclick = function () {
    var c = byId("c15-controls"), open = c.getAttribute("data-open") !== "1";
    c.setAttribute("data-open", open ? "1" : "0");
    byId("c15-toggle").setAttribute("aria-expanded", open ? "true" : "false");
    if (open && phone()) { byId("c15-legend").setAttribute("data-open", "0"); API.close(); }
  };
  byId("c15-legend-toggle").onclick = function () {
    var c = byId("c15-legend"), open = c.getAttribute("data-open") !== "1";
    c.setAttribute("data-open", open ? "1" : "0");
    if (open && phone()) { byId("c15-controls").setAttribute("data-open", "0"); }
  };

  // ------------------------------------------------------------------ search
  var index = [];
  function searchIndex() {
    index = [];
    D.zones.forEach(function (z) { index.push({t: "zone", name: z.name, id: z.id}); });
    D.villages.forEach(function (v, i) { index.push({t: "village", name: v[1], i: i, zone: v[2]}); });
    FAC.forEach(function (f, i) { index.push({t: "fac", name: f[3], i: i, zone: f[6]}); });
  }
  var sIn = byId("c15-search"), sOut = byId("c15-results");
  function results(q) {
    q = q.trim().toLowerCase();
    if (!q) { return []; }
    return index.filter(function (e) { return e.name.toLowerCase().indexOf(q) >= 0; }).slice(0, 12);
  }
  function go(e) {
    sOut.innerHTML = ""; sIn.blur();
    if (e.t === "zone") { map.fitBounds(polys[e.id].getBounds(), {maxZoom: 14}); API.open(e.id); return; }
    if (e.t === "village") {
      var v = D.villages[e.i];
      if (v[3] != null) {
        toggle(villageGroup, true); if (ui.villages) { ui.villages.checked = true; }
        map.setView([v[3], v[4]], 15);
        villageGroup.eachLayer(function (m) { if (m.c15 === v) { m.openPopup(); } });
      } else { map.fitBounds(polys[v[2]].getBounds(), {maxZoom: 14}); }
      API.open(v[2]);
      return;
    }
    var f = FAC[e.i], l = D.layers[f[2]];
    byId("c15-fac-" + l.key).checked = true; syncFac(l.key);
    map.setView([f[0], f[1]], 16);
    facGroups[l.key].eachLayer(function (m) { if (m.c15 === f) { m.openPopup(); } });
  }
  var kinds = {zone: T.zone, village: T.village, fac: T.facility};
  sIn.oninput = function () {
    var rs = results(sIn.value);
    sOut.innerHTML = rs.length ? "" : (sIn.value.trim() ? "<li class='none'>" + esc(T.search_none) + "</li>" : "");
    rs.forEach(function (e) {
      var li = document.createElement("li");
      li.innerHTML = esc(e.name) + " <small>" + esc(kinds[e.t]) + (e.zone && zoneById[e.zone] ? T.sep + esc(zoneById[e.zone].name) : "") + "</small>";
      li.onclick = function () { go(e); };
      sOut.appendChild(li);
    });
  };
  sIn.onkeydown = function (ev) {
    if (ev.key === "Enter") { var rs = results(sIn.value); if (rs.length) { go(rs[0]); } }
    if (ev.key === "Escape") { sOut.innerHTML = ""; }
  };

  // ------------------------------------------------------------------ layout and print
  function padding() {
    var top = byId("c15-top"), leg = byId("c15-legend");
    var t = phone() ? top.offsetHeight + 16 : 16, l = phone() ? 8 : top.offsetWidth + 16;
    var r = phone() ? 8 : leg.offsetWidth + 16;
    return {paddingTopLeft: [l, t], paddingBottomRight: [r, phone() ? 40 : 24]};
  }
  API.fit = function () { map.invalidateSize(); map.fitBounds(bounds, padding()); };
  API.preparePrint = function () {
    document.body.className += " c15-printing";
    API.close();
    map.invalidateSize();
    var leg = byId("c15-legend"), top = byId("c15-title");
    map.fitBounds(bounds, {paddingTopLeft: [12, top.offsetHeight + 20],
                           paddingBottomRight: [leg.offsetWidth + 20, 40], animate: false});
  };
  API.endPrint = function () {
    document.body.className = document.body.className.replace(/\s*c15-printing/g, "");
    API.fit();
  };
  byId("c15-print").onclick = function () { API.preparePrint(); setTimeout(function () { window.print(); }, 300); };
  window.addEventListener("afterprint", function () { if (/c15-printing/.test(document.body.className)) { API.endPrint(); } });
  window.addEventListener("beforeprint", function () { if (!/c15-printing/.test(document.body.className)) { API.preparePrint(); } });

  // ------------------------------------------------------------------ start
  API.setFacilities(D.fac, []);
  if (phone()) { byId("c15-controls").setAttribute("data-open", "0"); byId("c15-legend").setAttribute("data-open", "0"); }
  syncControls();
  showFacilitiesOf(S.layer);
  toggle(streets, ui.streets.checked);
  streetDetail();
  draw();
  API.fit();
  API.ready = true;
})();
