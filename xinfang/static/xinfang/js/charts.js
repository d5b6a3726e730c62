/* Hand-written SVG charts for the statistics pages (no library, no CDN).
 * Each <div class="chart" data-chart="bar|line|treemap" data-source="id-of-json-script"
 * data-label="label" data-value="count"> is filled from the JSON in the <script type="application/json">. */
(function () {
  "use strict";
  // Translations come from Django's JavaScript catalogue (base.html); Chinese when it is absent.
  var gettext = window.gettext || function (s) { return s; };
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(w, h, title) {
    var s = el("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", role: "img", "aria-label": title || "" });
    return s;
  }
  function colour(ratio) {  // light → dark blue by volume
    var l = Math.round(92 - 55 * ratio);
    return "hsl(212, 70%, " + l + "%)";
  }
  function bar(box, rows, labelKey, valueKey) {
    var w = 520, rowH = 24, h = Math.max(rowH * rows.length + 10, 40);
    var s = svg(w, h, box.dataset.title);
    var max = Math.max.apply(null, rows.map(function (r) { return r[valueKey] || 0; }).concat([1]));
    rows.forEach(function (r, i) {
      var y = 5 + i * rowH, len = Math.round(((r[valueKey] || 0) / max) * 300);
      s.appendChild(el("text", { x: 150, y: y + 16, "text-anchor": "end", "font-size": 13 }, String(r[labelKey]).slice(0, 14)));
      s.appendChild(el("rect", { x: 158, y: y + 3, width: Math.max(len, 1), height: rowH - 8, fill: "#2f6fb5" }));
      s.appendChild(el("text", { x: 164 + len, y: y + 16, "font-size": 12 }, String(r[valueKey])));
    });
    box.appendChild(s);
  }
  function line(box, rows) {
    var w = 620, h = 220, pad = 34;
    var s = svg(w, h, box.dataset.title);
    var keys = ["received", "concluded"], colours = ["#2f6fb5", "#d9822b"];
    var max = 1;
    rows.forEach(function (r) { keys.forEach(function (k) { max = Math.max(max, r[k] || 0); }); });
    var step = rows.length > 1 ? (w - 2 * pad) / (rows.length - 1) : 0;
    s.appendChild(el("line", { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: "#999" }));
    s.appendChild(el("text", { x: 2, y: pad, "font-size": 11 }, String(max)));
    keys.forEach(function (k, j) {
      var pts = rows.map(function (r, i) {
        return (pad + i * step).toFixed(1) + "," + (h - pad - ((r[k] || 0) / max) * (h - 2 * pad)).toFixed(1);
      }).join(" ");
      s.appendChild(el("polyline", { points: pts, fill: "none", stroke: colours[j], "stroke-width": 2 }));
      s.appendChild(el("text", { x: w - pad - 90 + j * 50, y: 14, fill: colours[j], "font-size": 12 }, k === "received" ? gettext("收件") : gettext("办结")));
    });
    if (rows.length) {
      s.appendChild(el("text", { x: pad, y: h - 8, "font-size": 11 }, rows[0].date));
      s.appendChild(el("text", { x: w - pad, y: h - 8, "font-size": 11, "text-anchor": "end" }, rows[rows.length - 1].date));
    }
    box.appendChild(s);
  }
  function treemap(box, rows) {
    /* A schematic map: one tile per town/street, area ∝ volume (slice-and-dice), colour by volume. */
    var w = 620, h = 260;
    var s = svg(w, h, box.dataset.title);
    var total = rows.reduce(function (a, r) { return a + (r.count || 0); }, 0);
    var max = Math.max.apply(null, rows.map(function (r) { return r.count || 0; }).concat([1]));
    var n = rows.length || 1, cols = Math.ceil(Math.sqrt(n)), tileW = w / cols, tileH = h / Math.ceil(n / cols);
    rows.forEach(function (r, i) {
      var x = (i % cols) * tileW, y = Math.floor(i / cols) * tileH;
      var g = el("g", {});
      g.appendChild(el("rect", { x: x + 1, y: y + 1, width: tileW - 2, height: tileH - 2, fill: colour((r.count || 0) / max), stroke: "#fff" }));
      g.appendChild(el("text", { x: x + 6, y: y + 18, "font-size": 12, fill: (r.count / max) > 0.5 ? "#fff" : "#123" }, r.name));
      g.appendChild(el("text", { x: x + 6, y: y + 34, "font-size": 12, fill: (r.count / max) > 0.5 ? "#fff" : "#123" },
        r.count + gettext("件") + (total ? gettext("（") + Math.round((100 * r.count) / total) + gettext("%）") : "")));
      g.appendChild(el("title", {}, r.name + gettext("：") + r.count + gettext("件")));
      s.appendChild(g);
    });
    box.appendChild(s);
  }
  function render() {
    document.querySelectorAll("div.chart[data-source]").forEach(function (box) {
      var source = document.getElementById(box.dataset.source);
      if (!source) return;
      var rows = JSON.parse(source.textContent);
      var kind = box.dataset.chart;
      if (kind === "line") line(box, rows);
      else if (kind === "treemap") treemap(box, rows);
      else bar(box, rows, box.dataset.label || "label", box.dataset.value || "count");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
