/* circle15 一张图 over time: inlined after map.js only in pages drawn with a history
   (D.hist, see circle15/maps/timeline.py). It swaps the run's tables (D.views, D.county,
   D.rows, D.overview) for the selected period's, which map.js reads on every draw, and
   extends the API:
     show({period})  select a recorded period ("2025Q3") or "run" (the run itself, when it
                     is not recorded); the year follows the period's plan year unless
                     given too
     state()         -> also {period, problems: {zone_id: open problems}, open_problems:
                        [problem ids]}
     trend(zone_id)  -> {indicator_id: [[period, value, target text, status], ...]}
   and state() also has {facilities: {layer: count in the period's register},
   closed: {layer: count closed since the previous period}, fac_changes: [[kind, name,
   zone_id, layer], ...]}. A period's facilities (D.hist.fac[period]) are differences
   from the run's: see circle15/maps/timeline.py period_facilities.
   ES5 only, like map.js. */
(function () {
  "use strict";
  var API = window.circle15, D = API.data, H = D.hist, T = D.t, M = D.meta;
  if (!H) { return; }
  var byId = function (id) { return document.getElementById(id); };
  var esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  };
  var fill = function (s, o) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return o[k] == null ? m : o[k]; });
  };
  var TABLES = ["views", "county", "rows", "overview"];
  var BASE = {};
  TABLES.forEach(function (k) { BASE[k] = D[k]; });
  var zoneById = {};
  D.zones.forEach(function (z) { zoneById[z.id] = z; });
  var periodInfo = {};
  H.periods.forEach(function (p) { periodInfo[p[0]] = {year: p[1], label: p[2]}; });
  var S = {period: H.default, unit: ""};
  var map = API.maps[0];

  // ------------------------------------------------------------------ period tables
  function isObj(x) { return x !== null && typeof x === "object" && !(x instanceof Array); }
  function patch(base, diff) {
    var out = {}, k;
    for (k in base) { if (base.hasOwnProperty(k)) { out[k] = base[k]; } }
    for (k in diff) {
      if (!diff.hasOwnProperty(k)) { continue; }
      if (diff[k] === null) { delete out[k]; }
      else if (isObj(diff[k]) && diff[k]["~"] && base[k] instanceof Array) { out[k] = patchList(base[k], diff[k]["~"]); }
      else if (isObj(diff[k])) { out[k] = patch(isObj(base[k]) ? base[k] : {}, diff[k]); }
      else { out[k] = diff[k]; }
    }
    return out;
  }
  function patchList(base, items) {
    var out = base.slice();
    items.forEach(function (it) { out[it[0]] = it[1]; });
    return out;
  }
  var cache = {};
  function tablesOf(p) {
    if (p === "run" || !H.data[p]) { return BASE; }
    if (!cache[p]) {
      cache[p] = {};
      TABLES.forEach(function (k) { cache[p][k] = patch(BASE[k], H.data[p][k] || {}); });
    }
    return cache[p];
  }
  function use(p) {
    var tb = tablesOf(p);
    TABLES.forEach(function (k) { D[k] = tb[k]; });
  }
  function year() { return baseState().year; }
  function plabel(k) { return periodInfo[k] ? periodInfo[k].label : k; }
  function label(p) { return p === "run" ? T.period_run : periodInfo[p].label; }

  // ------------------------------------------------------------------ problems
  var STATUS = [T.ps_0, T.ps_1, T.ps_2, T.ps_3];
  function unitOf(pr) { return pr[1] >= 0 && D.ind[pr[1]] && D.ind[pr[1]].resp ? D.ind[pr[1]].resp : pr[5]; }
  function nameOf(pr) { return pr[1] >= 0 && D.ind[pr[1]] ? D.ind[pr[1]].name : (pr[3] || pr[2]); }
  function villageOf(pr) { return pr[7] || ""; }
  function statesOf(p) { return p === "run" ? [] : (H.pstate[p] || []); }
  function openOf(p) { return statesOf(p).filter(function (s) { return s[1] !== 3; }); }
  function counts(p) {
    var c = {};
    D.zones.forEach(function (z) { c[z.id] = 0; });
    openOf(p).forEach(function (s) { var z = H.problems[s[0]][4]; if (z) { c[z] += 1; } });
    return c;
  }

  // badges: the number of open problems per township, beside its name
  var badges = L.layerGroup();
  API.layers.problems = badges;
  function drawBadges() {
    badges.clearLayers();
    var c = counts(S.period);
    D.zones.forEach(function (z) {
      if (!c[z.id]) { return; }
      var tip = z.name + ": " + fill(T.problems_n, {n: c[z.id]});
      var m = L.marker(z.lab, {pane: "c15sites", keyboard: true, title: tip, alt: tip,
        zIndexOffset: 500, icon: L.divIcon({className: "c15-pb", iconSize: [22, 22],
          iconAnchor: [-10, 30], html: "<span>" + c[z.id] + "</span>"})});
      m.zid = z.id;
      m.on("click", function () { API.open(z.id); });
      badges.addLayer(m);
    });
  }

  // the list of open problems, filterable by 责任单位
  var ui = {period: byId("c15-period"), card: byId("c15-pcard"), toggle: byId("c15-problems"),
            unit: byId("c15-punit"), list: byId("c15-plist"), fchanges: byId("c15-fchanges")};
  function fillUnits() {
    var seen = {}, units = [];
    H.problems.forEach(function (pr) { var u = unitOf(pr); if (u && !seen[u]) { seen[u] = 1; units.push(u); } });
    units.sort();
    units.forEach(function (u) {
      var o = document.createElement("option");
      o.value = u; o.textContent = u;
      ui.unit.appendChild(o);
    });
  }
  function drawList() {
    var rows = openOf(S.period).filter(function (s) { return !S.unit || unitOf(H.problems[s[0]]) === S.unit; });
    byId("c15-ptitle").textContent = fill(T.problems_title, {period: label(S.period)}) + " " + rows.length;
    ui.list.innerHTML = "";
    if (!rows.length) {
      var none = document.createElement("li");
      none.className = "none"; none.textContent = T.no_problems;
      ui.list.appendChild(none);
      return;
    }
    rows.forEach(function (s) {
      var pr = H.problems[s[0]], z = pr[4] ? zoneById[pr[4]] : null;
      var li = document.createElement("li"), b = document.createElement("button");
      b.type = "button";
      b.setAttribute("data-problem", pr[0]);
      b.setAttribute("data-zone", pr[4]);
      if (villageOf(pr)) { b.setAttribute("data-village", villageOf(pr)); }
      b.innerHTML = "<b>" + esc(z ? z.name : M.county_label) + (villageOf(pr) ? " " + esc(villageOf(pr)) : "") +
        "</b> " + esc(nameOf(pr)) +
        "<small>" + esc(STATUS[s[1]]) + T.sep + esc(unitOf(pr)) + T.sep + esc(T.found) + " " +
        esc(plabel(pr[6])) + "</small>";
      b.onclick = function () { go(pr[4]); };
      li.appendChild(b);
      ui.list.appendChild(li);
    });
  }
  function go(zid) {
    if (!zid || !zoneById[zid]) { API.fit(); return; }
    var p = null;
    API.layers.zones.eachLayer(function (l) { if (l.zid === zid) { p = l; } });
    API.open(zid);
    if (!p) { return; }
    // the township in the part of the map that the cards and the open panel leave free
    var top = byId("c15-top"), panel = byId("c15-panel"), pad;
    if (window.innerWidth < 768) {
      pad = {paddingTopLeft: [8, top.offsetTop + top.offsetHeight + 8],
             paddingBottomRight: [8, panel.offsetHeight + 8]};
    } else {
      pad = {paddingTopLeft: [top.offsetLeft + top.offsetWidth + 16, 16],
             paddingBottomRight: [panel.offsetWidth + 26, 24]};
    }
    pad.maxZoom = 14;
    map.fitBounds(p.getBounds(), pad);
  }
  function showProblems(on) {
    if (on && !map.hasLayer(badges)) { map.addLayer(badges); }
    if (!on && map.hasLayer(badges)) { map.removeLayer(badges); }
    if (ui.card) { ui.card.hidden = !on; }
    drawPeriod();
  }

  // ------------------------------------------------------------------ facilities of the period
  var FK = ["added", "closed", "moved", "capacity"];
  var facCache = {}, shownFac = null;
  function prevOf(p) {
    for (var i = 1; i < H.periods.length; i++) { if (H.periods[i][0] === p) { return H.periods[i - 1][0]; } }
    return null;
  }
  function hasFac(p) { return p !== "run" && !!(H.fac && H.fac[p]); }
  function regRow(r) { return [r[0], r[1], r[2], r[3], r[4], "", r[5], null, r[6], ""]; }
  function capText(x) { return x == null ? T.na : String(x); }
  function noteOf(kind, c, r, p, prev) {
    var o = {period: label(p), prev: prev ? label(prev) : "", m: c[3], a: capText(c[2]), b: capText(r[4])};
    return fill(T["fac_note_" + kind], o);
  }
  function facOf(p) {
    if (!hasFac(p)) { return {rows: D.fac, closed: [], changes: [], prev: null}; }
    if (facCache[p]) { return facCache[p]; }
    var F = H.fac[p], drop = {}, mod = {}, byRef = {}, rows = [];
    (F.drop || []).forEach(function (k) { drop[k] = 1; });
    (F.mod || []).forEach(function (m) { mod[m[0]] = m; });
    D.fac.forEach(function (f, k) {
      if (drop[k]) { return; }
      var r = f.slice(0, 10), m = mod[k];
      if (m) { r[0] = m[1]; r[1] = m[2]; r[4] = m[3]; r[3] = m[4]; r[6] = m[5]; }
      byRef[k] = r;
      rows.push(r);
    });
    (F.add || []).forEach(function (a, n) { var r = regRow(a); byRef[-1 - n] = r; rows.push(r); });
    var prev = prevOf(p), closed = [], changes = [];
    (F.chg || []).forEach(function (c) {
      var kind = FK[c[0]], r = kind === "closed" ? regRow(c[1]) : byRef[c[1]];
      if (!r) { return; }
      r[10] = (r[10] || []).concat([noteOf(kind, c, r, p, prev)]);
      if (kind === "closed") { closed.push(r); } else if (kind === "added" || !r[11]) { r[11] = kind; }
      changes.push({kind: kind, row: r, capA: c[2], moved: c[3]});
    });
    facCache[p] = {rows: rows, closed: closed, changes: changes, prev: prev};
    return facCache[p];
  }
  function marksOn() { return !ui.fchanges || ui.fchanges.checked; }
  function drawFacilities() {
    if (shownFac !== S.period) {
      var F = facOf(S.period);
      API.setFacilities(F.rows, F.closed);
      shownFac = S.period;
    }
    document.body.className = document.body.className.replace(/\s*c15-nomarks/g, "") + (marksOn() ? "" : " c15-nomarks");
    API.showClosed(marksOn());
  }
  function perLayer(rows) {
    var o = {};
    D.layers.forEach(function (l) { o[l.key] = 0; });
    rows.forEach(function (f) { o[D.layers[f[2]].key] += 1; });
    return o;
  }
  function facLegend() {
    if (!hasFac(S.period) || !marksOn()) { return ""; }
    var F = facOf(S.period);
    if (!F.prev) { return "<div class='row'>" + esc(fill(T.fac_first, {period: label(S.period)})) + "</div>"; }
    var n = {added: 0, closed: 0, moved: 0, capacity: 0};
    F.changes.forEach(function (c) { n[c.kind] += 1; });
    return "<div class='row'><span class='lg-fac c15-added'><i></i><b>" + esc(T.fac_added_mark) + "</b></span>" +
      esc(fill(T.fac_legend_added, {prev: label(F.prev)})) + " <span class='n'>(" + n.added + ")</span></div>" +
      "<div class='row'><span class='lg-fac c15-closed'><i></i>" + "<svg viewBox='0 0 12 12' width='12' height='12'><path d='M2 2L10 10M10 2L2 10' stroke='#b71c1c' stroke-width='2'/></svg></span>" +
      esc(fill(T.fac_legend_closed, {prev: label(F.prev)})) + " <span class='n'>(" + n.closed + ")</span></div>" +
      (n.moved || n.capacity ? "<div class='sub'>" + esc(fill(T.fac_legend_other, {moved: n.moved, capacity: n.capacity})) + "</div>" : "");
  }
  function facChangesHtml(zid) {
    if (!hasFac(S.period)) { return ""; }
    var F = facOf(S.period);
    if (!F.prev) { return "<h4 class='sec'>" + esc(T.fac_changes_title0) + "</h4><div class='sub'>" + esc(fill(T.fac_first, {period: label(S.period)})) + "</div>"; }
    var mine = F.changes.filter(function (c) { return c.row[6] === zid; });
    var h = "<h4 class='sec' id='c15-fchanges-h'>" + esc(fill(T.fac_changes_title, {period: label(S.period), prev: label(F.prev)})) + "</h4>";
    if (!mine.length) { return h + "<div class='sub'>" + esc(T.no_fac_changes) + "</div>"; }
    D.layers.forEach(function (l, i) {
      var cs = mine.filter(function (c) { return c.row[2] === i; });
      if (!cs.length) { return; }
      h += "<h4><span class='lg-pin' style='background:" + l.color + "'>" + l.svg + "</span>" + esc(l.label) + "</h4><ul class='fl fch'>";
      cs.forEach(function (c) {
        var extra = c.kind === "moved" ? fill(T.fac_moved_m, {m: c.moved}) :
          c.kind === "capacity" ? capText(c.capA) + " " + T.fac_arrow + " " + capText(c.row[4]) : "";
        h += "<li class='ch-" + c.kind + "' data-change='" + c.kind + "' data-layer='" + esc(l.key) + "'><span class='ch'>" +
          esc(T["fac_ch_" + c.kind]) + "</span> " + esc(c.row[3]) + (extra ? T.sep + esc(extra) : "") + "</li>";
      });
      h += "</ul>";
    });
    return h;
  }

  // ------------------------------------------------------------------ drill-down trend
  var COLORS = {met: "#1a9850", not_met: "#d73027"};
  function fmtVal(x, unit) {
    if (x == null) { return T.na; }
    var a = Math.abs(x), d = a >= 100 ? 0 : a >= 10 ? 1 : 2;
    return x.toFixed(d).replace(/\.0+$/, "") + (unit === "%" ? "%" : "");
  }
  function rowOf(p, zid, idx) {
    var rs = ((tablesOf(p).rows[year()] || {})[zid]) || [];
    for (var i = 0; i < rs.length; i++) { if (rs[i][0] === idx) { return rs[i]; } }
    return null;
  }
  function trendOf(zid) {
    var out = {};
    D.ind.forEach(function (ind, idx) {
      var pts = H.periods.map(function (p) {
        var r = rowOf(p[0], zid, idx);
        return r ? [p[0], r[1], r[2], r[3]] : [p[0], null, "/", ""];
      });
      if (pts.some(function (q) { return q[1] != null || q[3] === "met" || q[3] === "not_met"; })) { out[ind.id] = pts; }
    });
    return out;
  }
  function spark(ind, pts) {
    var w = 132, h = 30, pad = 4, vals = [];
    pts.forEach(function (q) { if (q[1] != null) { vals.push(q[1]); } var t = parseFloat(q[2]); if (!isNaN(t)) { vals.push(t); } });
    var lo = Math.min.apply(null, vals.concat([0])), hi = Math.max.apply(null, vals.concat([lo + 1e-9]));
    var n = pts.length, x = function (i) { return n < 2 ? w / 2 : pad + i * (w - 2 * pad) / (n - 1); };
    var y = function (v) { return h - pad - (v - lo) / (hi - lo || 1) * (h - 2 * pad); };
    var s = "<svg class='c15-spark' viewBox='0 0 " + w + " " + h + "' width='" + w + "' height='" + h + "' role='img' aria-label='" + esc(ind.name) + "'>";
    var tline = "", line = "";
    pts.forEach(function (q, i) {
      var t = parseFloat(q[2]);
      if (!isNaN(t)) { tline += (tline ? " L" : "M") + x(i).toFixed(1) + " " + y(t).toFixed(1); }
      if (q[1] != null) { line += (line ? " L" : "M") + x(i).toFixed(1) + " " + y(q[1]).toFixed(1); }
    });
    if (tline) { s += "<path d='" + tline + "' class='tgt'/>"; }
    if (line) { s += "<path d='" + line + "' class='val'/>"; }
    pts.forEach(function (q, i) {
      if (q[1] == null) { return; }
      var tip = label(q[0]) + ": " + fmtVal(q[1], ind.unit) + " / " + T.target + " " + q[2] +
        (q[2] !== "/" && ind.unit === "%" ? "%" : "") + T.sep + (T["csv_" + q[3]] || q[3]);
      s += "<circle cx='" + x(i).toFixed(1) + "' cy='" + y(q[1]).toFixed(1) + "' r='3.2' fill='" +
        (COLORS[q[3]] || "#999") + "' data-p='" + esc(q[0]) + "' data-v='" + esc(q[1]) + "' data-s='" + esc(q[3]) +
        "'><title>" + esc(tip) + "</title></circle>";
    });
    return s + "</svg>";
  }
  function trendHtml(zid) {
    var tr = trendOf(zid), judged = "", other = "", nOther = 0;
    D.ind.forEach(function (ind) {
      var pts = tr[ind.id];
      if (!pts) { return; }
      var row = "<tr data-trend='" + esc(ind.id) + "'><td>" + esc(ind.name) + "</td><td>" + spark(ind, pts) +
        "</td><td>" + pts.map(function (q) { return q[1] == null ? esc(T.not_recorded) : fmtVal(q[1], ind.unit); }).join(" / ") +
        "</td></tr>";
      var isJudged = pts.some(function (q) { return q[3] === "met" || q[3] === "not_met"; });
      if (isJudged) { judged += row; } else { other += row; nOther += 1; }
    });
    if (!judged && !other) { return ""; }
    var first = H.periods[0], lastP = H.periods[H.periods.length - 1];
    var head = "<tr><th>" + esc(T.indicator) + "</th><th>" + esc(first[0]) + (H.periods.length > 1 ? " &ndash; " + esc(lastP[0]) : "") +
      "</th><th>" + esc(T.values) + "</th></tr>";
    var h = "<h4 class='sec' id='c15-trend'>" + esc(fill(T.trend, {year: year()})) + "</h4><div class='sub'>" + esc(T.trend_rule) +
      "</div><div class='tw'><table class='ind trend'>" + head + judged + "</table></div>";
    if (other) {
      h += "<details><summary>" + esc(fill(T.trend_more, {n: nOther})) + "</summary><div class='tw'><table class='ind trend'>" +
        head + other + "</table></div></details>";
    }
    return h;
  }
  function zoneProblemsHtml(zid) {
    if (S.period === "run") { return ""; }
    var mine = statesOf(S.period).filter(function (s) { return H.problems[s[0]][4] === zid; });
    var h = "<h4 class='sec'>" + esc(fill(T.problems_zone, {period: label(S.period)})) + "</h4>";
    if (!mine.length) { return h + "<div class='sub'>" + esc(T.no_zone_problems) + "</div>"; }
    var villages = mine.some(function (s) { return villageOf(H.problems[s[0]]); });
    h += "<div class='tw'><table class='ind prob'><tr><th>" + [T.indicator].concat(villages ? [T.village] : [],
      [T.pstatus, T.responsible, T.found, T.closed_in]).map(esc).join("</th><th>") + "</th></tr>";
    mine.forEach(function (s) {
      var pr = H.problems[s[0]];
      h += "<tr class='ps-" + s[1] + "' data-problem='" + esc(pr[0]) + "'><td>" + esc(nameOf(pr)) + "</td>" +
        (villages ? "<td>" + esc(villageOf(pr) || T.na) + "</td>" : "") + "<td>" + esc(STATUS[s[1]]) +
        "</td><td>" + esc(unitOf(pr)) + "</td><td>" + esc(plabel(pr[6])) + "</td><td>" +
        esc(s[2] ? plabel(s[2]) : T.na) + "</td></tr>";
    });
    return h + "</table></div>";
  }

  // ------------------------------------------------------------------ the period on the page
  function drawPeriod() {
    var text = S.period === "run" ? fill(T.period_line_run, {year: year()}) :
      fill(T.period_line, {period: label(S.period), year: year()});
    byId("c15-period-line").textContent = text;
    byId("c15-legend-period").textContent = text;
    var on = map.hasLayer(badges) && S.period !== "run";
    byId("c15-legend-time").innerHTML = (on ? "<div class='row'><span class='c15-pb lg'><span>n</span></span>" +
      esc(fill(T.badge_legend, {period: label(S.period)})) + "</div>" : "") + facLegend();
    if (ui.period) { ui.period.value = S.period; }
    drawFacilities();
    drawBadges();
    drawList();
  }

  // ------------------------------------------------------------------ the API, extended
  var baseShow = API.show, baseState = API.state, baseOpen = API.open;
  var known = H.periods.map(function (p) { return p[0]; }).concat(H.run == null ? ["run"] : []);
  API.show = function (o) {
    o = o || {};
    var rest = {}, k;
    for (k in o) { if (o.hasOwnProperty(k) && k !== "period") { rest[k] = o[k]; } }
    if (o.period != null) {
      var p = String(o.period);
      if (known.indexOf(p) < 0) { throw new Error("unknown period " + o.period); }
      S.period = p;
      use(p);
      drawFacilities();  // before the base draw: the open panel lists the period's facilities
      var y = p === "run" ? null : periodInfo[p].year;
      if (rest.year == null && y != null && D.years.indexOf(y) >= 0) { rest.year = y; }
    }
        baseShow(rest);
    drawPeriod();
    return API.state();
  };
  API.state = function () {
    var s = baseState();
    s.period = S.period;
    s.problems = counts(S.period);
    s.open_problems = openOf(S.period).map(function (x) { return H.problems[x[0]][0]; });
    var F = facOf(S.period);
    s.facilities = perLayer(F.rows);
    s.closed = perLayer(F.closed);
    s.fac_changes = F.changes.map(function (c) { return [c.kind, c.row[3], c.row[6], D.layers[c.row[2]].key]; });
    return s;
  };
  API.open = function (id) {
    baseOpen(id);
    if (!zoneById[id]) { return; }
    // after the indicators of the year, before the facilities
    var body = byId("c15-panel-body"), at = body.querySelector("h4.sec");
    var box = document.createElement("div");
    box.className = "c15-time";
    box.innerHTML = trendHtml(id) + zoneProblemsHtml(id) + facChangesHtml(id);
    body.insertBefore(box, at);
  };
  API.isoNote = function () {
    var mine = H.run == null ? "run" : H.run;
    return S.period === mine ? "" : fill(T.iso_run_only, {run: H.run == null ? T.period_run : label(H.run)});
  };
  API.trend = trendOf;

  // ------------------------------------------------------------------ controls
  if (ui.period) { ui.period.onchange = function () { API.show({period: ui.period.value}); }; }
  fillUnits();
  ui.unit.onchange = function () { S.unit = ui.unit.value; drawList(); };
  if (ui.toggle) { ui.toggle.onchange = function () { showProblems(ui.toggle.checked); }; }
  if (ui.fchanges) { ui.fchanges.onchange = function () { drawPeriod(); }; }
  byId("c15-ptoggle").onclick = function () {
    var open = ui.card.getAttribute("data-open") !== "1";
    ui.card.setAttribute("data-open", open ? "1" : "0");
    byId("c15-ptoggle").setAttribute("aria-expanded", open ? "true" : "false");
  };
  if (window.innerWidth < 768) {
    ui.card.setAttribute("data-open", "0");
    byId("c15-ptoggle").setAttribute("aria-expanded", "false");
  }

  // ------------------------------------------------------------------ start
  use(S.period);
  showProblems(ui.toggle ? ui.toggle.checked : false);
  API.show({});
  API.timeReady = true;
})();
