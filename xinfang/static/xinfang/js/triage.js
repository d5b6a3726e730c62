// Registration desk: triage panel (suggestions, flags, history, similar matters) while the registrar types.
// Vanilla JS; the desk works without it and the petition page shows the stored triage after registering.
(function () {
  "use strict";
  // Translations come from Django's JavaScript catalogue (base.html); Chinese when it is absent.
  var gettext = window.gettext || function (s) { return s; };

  var LABELS = { category: gettext("分类"), petition_class: gettext("类别"), claim_route: gettext("处理途径"), unit: gettext("承办单位") };
  var FLAG_LABELS = { repeat: gettext("重复访"), collective: gettext("集体访"), skip_level: gettext("越级访") };
  var SOURCES = { model: "", catalogue: gettext("（派单目录）"), rule: gettext("（规则）") };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function pct(x) { return Math.round((x || 0) * 100) + "%"; }

  function link(row) {
    var a = el("a", row.case_number);
    a.href = row.url;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function applyTo(form, field, value) {
    var select = form.querySelector("select[name=" + field + "]");
    if (!select) return false;
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    return select.value === value;
  }

  // Fields the registrar has not touched take the suggestion at once (no 采用 click);
  // a field the registrar chose is never overwritten.
  var PREFILL = { category: "category", petition_class: "petition_class", unit: "route_unit" };

  function prefill(form, key, s) {
    var select = form.querySelector("select[name=" + PREFILL[key] + "]");
    if (!select || select.dataset.userSet) return false;
    if (select.value && !select.dataset.suggested) return false;
    if (!applyTo(form, PREFILL[key], String(s.value))) return false;
    select.dataset.suggested = "1";
    var note = document.getElementById(PREFILL[key] + "_note");
    if (note) note.hidden = false;
    return true;
  }

  function render(panel, form, data) {
    var body = panel.querySelector(".triage-body");
    body.textContent = "";
    (data.flags || []).forEach(function (f) {
      var box = el("div", "", "triage-flag flag-" + f.kind);
      box.appendChild(el("strong", (FLAG_LABELS[f.kind] || f.kind) + " "));
      box.appendChild(document.createTextNode(f.message + (f.article ? "（" + f.article + "）" : "")));
      if (f.evidence && f.evidence.length) {
        var list = el("ul");
        f.evidence.forEach(function (e) {
          var item = el("li");
          if (e.petition_id) {
            item.appendChild(link({ case_number: e.case_number, url: "/petitions/" + e.petition_id + "/" }));
            item.appendChild(document.createTextNode(" " + e.title + " · " + e.status_label + " · " + e.received));
          } else {
            item.textContent = e.text;
          }
          list.appendChild(item);
        });
        box.appendChild(list);
      }
      body.appendChild(box);
    });
    var sugg = data.suggestions || {};
    Object.keys(LABELS).forEach(function (key) {
      var s = sugg[key];
      if (!s) return;
      var row = el("p", "", "sugg");
      row.appendChild(el("strong", LABELS[key] + "："));
      row.appendChild(document.createTextNode(s.label + " "));
      row.appendChild(el("span", pct(s.confidence) + (SOURCES[s.source] || ""), "conf muted"));
      if (s.evidence && s.evidence.length) row.appendChild(el("span", " " + gettext("依据：") + s.evidence.join("、"), "muted"));
      if (PREFILL[key] && prefill(form, key, s)) {
        row.appendChild(el("span", " " + gettext("已填入"), "tag"));
      } else if (key === "category" || key === "petition_class") {
        var use = el("button", gettext("采用"), "btn secondary");
        use.type = "button";
        use.addEventListener("click", function () {
          use.textContent = applyTo(form, key, s.value) ? gettext("已采用") : gettext("无法采用");
        });
        row.appendChild(document.createTextNode(" "));
        row.appendChild(use);
      }
      body.appendChild(row);
    });
    function listOf(title, rows, extra) {
      if (!rows || !rows.length) return;
      body.appendChild(el("h3", title));
      var list = el("ol");
      rows.forEach(function (r) {
        var item = el("li");
        item.appendChild(link(r));
        item.appendChild(document.createTextNode(" " + r.title + " · " + (r.received || "") + extra(r)));
        list.appendChild(item);
      });
      body.appendChild(list);
    }
    listOf(gettext("以往信访"), data.history, function (r) { return " · " + r.status_label; });
    listOf(gettext("相似事项"), data.similar, function (r) {
      return " · " + gettext("相似度") + " " + r.score.toFixed(2) + (r.reason && r.reason.length ? gettext("（") + r.reason.join("、") + gettext("）") : "");
    });
  }

  function setup() {
    var panel = document.getElementById("triage-panel");
    var form = document.getElementById("desk-form");
    if (!panel || !form) return;
    var status = panel.querySelector(".triage-status");
    var timer = null;
    var last = "";
    var seq = 0;
    function run() {
      var data = new FormData(form);
      data.delete("attachments");
      var text = (data.get("title") || "") + (data.get("content") || "") + (data.get("facts_reasons") || "");
      if (text.replace(/\s/g, "").length < 6) return;
      var key = new URLSearchParams(data).toString();
      if (key === last) return;
      last = key;
      var mine = ++seq;
      status.textContent = gettext("正在研判……");
      fetch(panel.dataset.url, {
        method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (mine !== seq) return;
        if (!result.ok) { status.textContent = result.body.message || gettext("研判失败"); return; }
        status.textContent = result.body.model_version ? gettext("模型版本 v") + result.body.model_version : gettext("派单目录模式（尚无训练模型）");
        render(panel, form, result.body);
      }).catch(function () { status.textContent = gettext("研判失败，请稍后再试"); });
    }
    form.addEventListener("change", function (event) {
      if (event.isTrusted && event.target.tagName === "SELECT") event.target.dataset.userSet = "1";
    });
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 700); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(run, 300); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
