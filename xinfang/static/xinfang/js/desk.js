// Registration desk and petition page enhancements (vanilla JS; the pages work without it).
(function () {
  "use strict";
  // Translations come from Django's JavaScript catalogue (base.html); Chinese when it is absent.
  var gettext = window.gettext || function (s) { return s; };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // ---- Printing -------------------------------------------------------
  function setupPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // ---- Petitioner rows --------------------------------------------------
  function renumber(container) {
    container.querySelectorAll(".petitioner-row").forEach(function (row, i) {
      var no = row.querySelector(".row-no");
      if (no) no.textContent = String(i + 1);
    });
  }

  function nextIndex(container) {
    var max = -1;
    container.querySelectorAll(".petitioner-row").forEach(function (row) {
      var n = parseInt(row.dataset.row, 10);
      if (!isNaN(n) && n > max) max = n;
    });
    return max + 1;
  }

  function setupRows(form) {
    var container = document.getElementById("petitioner-rows");
    var template = document.getElementById("petitioner-template");
    var add = document.getElementById("add-petitioner");
    if (!container || !template || !add) return;
    add.addEventListener("click", function () {
      var i = nextIndex(container);
      var html = template.innerHTML.split("__i__").join(String(i));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      container.appendChild(row);
      renumber(container);
      var name = row.querySelector("input[name$='-name']");
      if (name) name.focus();
    });
    container.addEventListener("click", function (event) {
      var button = event.target.closest(".remove-row");
      if (!button) return;
      var rows = container.querySelectorAll(".petitioner-row");
      var row = button.closest(".petitioner-row");
      if (rows.length <= 1) {
        row.querySelectorAll("input[type=text], input[type=tel]").forEach(function (input) { input.value = ""; });
        row.querySelectorAll("input[type=checkbox]").forEach(function (input) { input.checked = false; });
        row.querySelector(".lookup-result").textContent = "";
        return;
      }
      row.remove();
      renumber(container);
      add.focus();
    });
    setupLookup(form, container);
  }

  // ---- Lookup as you type -------------------------------------------------
  var ID_RE = /^\d{17}[\dX]$/;
  var PHONE_RE = /^(1[3-9]\d{9}|0\d{9,11})$/;

  function normalise(value) {
    return (value || "").replace(/[\s\-－—_]/g, "").toUpperCase();
  }

  function renderResults(row, data) {
    var box = row.querySelector(".lookup-result");
    box.textContent = "";
    var results = data.results || [];
    if (!results.length) {
      box.appendChild(el("p", gettext("未找到以往登记记录，将作为新信访人登记。")));
      return;
    }
    results.forEach(function (person) {
      var block = el("div", "", "lookup-person");
      var head = el("p");
      head.appendChild(el("strong", person.name));
      head.appendChild(document.createTextNode(
        "  " + gettext("证件") + " " + (person.id_number_masked || "—") + "  " + gettext("电话") + " " + (person.phone_masked || "—") +
        "  " + gettext("以往信访") + " " + person.petition_count + " " + gettext("件")));
      block.appendChild(head);
      if (person.petitions.length) {
        var list = el("ul");
        person.petitions.forEach(function (p) {
          var item = el("li");
          var link = el("a", p.case_number);
          link.href = p.url;
          link.target = "_blank";
          link.rel = "noopener";
          item.appendChild(link);
          item.appendChild(document.createTextNode(" " + p.title + " · " + p.status_label + " · " + p.received));
          list.appendChild(item);
        });
        block.appendChild(list);
      }
      var use = el("button", gettext("使用此信访人：") + person.name, "btn secondary");
      use.type = "button";
      use.addEventListener("click", function () { fillRow(row, person); });
      block.appendChild(use);
      box.appendChild(block);
    });
    var nameInput = row.querySelector("input[name$='-name']");
    if (results.length === 1 && nameInput && !nameInput.value) fillRow(row, results[0]);
  }

  function fillRow(row, person) {
    var nameInput = row.querySelector("input[name$='-name']");
    var kind = row.querySelector("select[name$='-kind']");
    if (nameInput) nameInput.value = person.name;
    if (kind && person.kind) kind.value = person.kind;
  }

  function setupLookup(form, container) {
    var url = form.dataset.lookupUrl;
    var timers = new WeakMap();
    var last = new WeakMap();
    container.addEventListener("input", function (event) {
      var input = event.target;
      var kind = input.dataset && input.dataset.lookup;
      if (!kind) return;
      var value = normalise(input.value);
      var valid = kind === "id_number" ? ID_RE.test(value) : PHONE_RE.test(value);
      clearTimeout(timers.get(input));
      if (!valid || last.get(input) === value) return;
      timers.set(input, setTimeout(function () {
        last.set(input, value);
        var row = input.closest(".petitioner-row");
        var box = row.querySelector(".lookup-result");
        box.textContent = gettext("正在查询……");
        fetch(url + "?" + kind + "=" + encodeURIComponent(value), {
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          if (!result.ok) { box.textContent = result.data.message || gettext("查询失败"); return; }
          renderResults(row, result.data);
        }).catch(function () { box.textContent = gettext("查询失败，请稍后再试"); });
      }, 300));
    });
  }

  // ---- Channel: the source select only matters for online petitions ------
  function setupChannel(form) {
    var channel = form.querySelector("select[name=channel]");
    var source = form.querySelector(".source-field");
    if (!channel || !source) return;
    function sync() { source.hidden = channel.value !== "online"; }
    channel.addEventListener("change", sync);
    sync();
  }

  // ---- Type-ahead filter for long unit lists --------------------------------
  // Typing narrows the select to matching units and picks the first match;
  // ArrowDown moves into the list, Enter keeps the choice (no form submit).
  function setupUnitFilters() {
    document.querySelectorAll("input.unit-filter[data-filters]").forEach(function (input) {
      var select = document.getElementById(input.dataset.filters);
      if (!select) return;
      input.addEventListener("input", function () {
        var query = input.value.trim();
        var first = null;
        select.querySelectorAll("option").forEach(function (option) {
          var match = !query || !option.value || option.textContent.indexOf(query) >= 0;
          option.hidden = !match;
          if (match && option.value && !first) first = option;
        });
        select.querySelectorAll("optgroup").forEach(function (group) {
          group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
        });
        if (query && first) {
          select.value = first.value;
          select.dataset.userSet = "1";
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
        if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      });
      select.addEventListener("change", function (event) {
        if (event.isTrusted) select.dataset.userSet = "1";
      });
    });
  }

  // ---- Keyboard: Alt+S 登记, Alt+T 登记并转送 from any field ------------------
  // (accesskeys differ between browsers and are not delivered in every one).
  function setupShortcuts(form) {
    var keys = { s: "button[value=register]", t: "button[value=transfer]" };
    form.addEventListener("keydown", function (event) {
      var selector = event.altKey && !event.ctrlKey && keys[event.key.toLowerCase()];
      var button = selector && form.querySelector(selector);
      if (!button) return;
      event.preventDefault();
      if (form.dataset.submitting) return;  // one registration per key press
      form.dataset.submitting = "1";
      setTimeout(function () { delete form.dataset.submitting; }, 3000);
      form.requestSubmit(button);
    });
  }

  // ---- Reveal personal data (audited on the server) -----------------------
  function setupReveal() {
    document.querySelectorAll(".reveal-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var target = form.parentElement.querySelector(".reveal-value");
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
          if (result.ok) {
            target.textContent = result.data.value || "—";
            form.hidden = true;
          } else {
            target.textContent = result.data.message || gettext("无权查看");
          }
        }).catch(function () { target.textContent = gettext("查询失败"); });
      });
    });
  }

  onReady(function () {
    setupPrint();
    setupReveal();
    setupUnitFilters();
    var form = document.getElementById("desk-form");
    if (form) {
      setupRows(form);
      setupChannel(form);
      setupShortcuts(form);
    }
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
