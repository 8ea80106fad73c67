(function () {
  "use strict";
  // The report's data (strings, number format, theme labels, counts, comments): JSON from build.py.
  var page = null;
  var FILTERABLE = "[data-theme]";

  function say(key, values) {
    return page.strings[key].replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  // Same output as strings.NumberFormat.number: grouped thousands, the language's decimal mark, a real minus.
  function number(value, digits, signed) {
    var parts = Math.abs(value).toFixed(digits || 0).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, page.number.thousands);
    var sign = value < 0 ? "\u2212" : (signed ? "+" : "");
    return sign + parts.join(page.number.decimal);
  }
  function percent(share) { return number(100 * share, 0) + "%"; }
  function shownValue(value) { return value === page.unknown ? page.strings.unknown : value; }

  function chosenFilters() {
    var chosen = {};
    var selects = document.querySelectorAll("select[data-filter]");
    for (var i = 0; i < selects.length; i++) {
      if (selects[i].value !== "") { chosen[selects[i].getAttribute("data-filter")] = selects[i].value; }
    }
    return chosen;
  }
  function matches(record, columns, chosen) {
    for (var name in chosen) {
      if (record[columns.indexOf(name)] !== chosen[name]) { return false; }
    }
    return true;
  }
  // Comments per theme among those matching `chosen`: {theme id: {n, negative, scoreSum, scored}}.
  function tally(chosen) {
    var columns = page.counts.columns, out = {};
    var at = {n: columns.indexOf("n"), negative: columns.indexOf("negative"),
              scoreSum: columns.indexOf("score_sum"), scored: columns.indexOf("scored")};
    page.counts.rows.forEach(function (row) {
      if (!matches(row, columns, chosen)) { return; }
      var id = String(row[0]);
      var t = out[id] || (out[id] = {n: 0, negative: 0, scoreSum: 0, scored: 0});
      for (var key in at) { t[key] += row[at[key]]; }
    });
    return out;
  }

  function setCell(cell, active, text, value) {
    if (!cell.hasAttribute("data-orig-v")) {
      cell.setAttribute("data-orig-v", cell.getAttribute("data-v"));
      cell.setAttribute("data-orig-text", cell.textContent);
    }
    cell.textContent = active ? text : cell.getAttribute("data-orig-text");
    cell.setAttribute("data-v", active ? value : cell.getAttribute("data-orig-v"));
  }
  function updateThemeRow(row, active, c) {
    var n = c ? c.n : 0;
    var share = n ? c.negative / n : 0;
    var mean = c && c.scored ? c.scoreSum / c.scored : null;
    var cells = row.querySelectorAll("[data-cell]");
    for (var i = 0; i < cells.length; i++) {
      var name = cells[i].getAttribute("data-cell");
      if (name === "size") { setCell(cells[i], active, number(n), n); }
      if (name === "share_negative") { setCell(cells[i], active, percent(share), share); }
      if (name === "mean_sentiment") {
        setCell(cells[i], active, mean === null ? "–" : number(mean, 2, true), mean === null ? "" : mean);
      }
    }
  }

  function applyFilters() {
    var chosen = chosenFilters();
    var active = Object.keys(chosen).length > 0;
    var counts = tally(chosen), totals = tally({});
    var nodes = document.querySelectorAll(FILTERABLE);
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i], c = counts[el.getAttribute("data-theme")];
      el.hidden = active && !(c && c.n > 0);
      if (el.tagName === "TR" && el.closest("#themes-table")) { updateThemeRow(el, active, c); }
      var badge = el.querySelector("[data-match]");
      if (badge) {
        var all = totals[el.getAttribute("data-theme")];
        badge.hidden = !active;
        badge.textContent = say("filter_match", {n: number(c ? c.n : 0), size: number(all ? all.n : 0)});
      }
    }
    var silos = document.querySelectorAll("[data-audience]");
    for (var j = 0; j < silos.length; j++) {
      silos[j].hidden = "audience" in chosen && silos[j].getAttribute("data-audience") !== chosen.audience;
    }
    var notes = document.querySelectorAll("[data-nothing]");
    for (var k = 0; k < notes.length; k++) {
      var items = notes[k].parentNode.querySelectorAll(FILTERABLE);
      var shown = Array.prototype.filter.call(items, function (item) { return !item.hidden; });
      notes[k].hidden = !(active && items.length && !shown.length);
    }
    var themes = 0, comments = 0;
    Object.keys(counts).forEach(function (id) {
      comments += counts[id].n;
      if (id !== "-1" && counts[id].n > 0) { themes += 1; }
    });
    var status = document.getElementById("filter-status");
    if (status) { status.textContent = say("filter_status", {themes: number(themes), comments: number(comments)}); }
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }
  // The comments of one theme that match the filters; every field is written as text, never as HTML.
  function openTheme(id) {
    var chosen = chosenFilters();
    var theme = page.comments.themes[id] || {total: 0, rows: []};
    var columns = page.comments.columns;
    var rows = theme.rows.filter(function (r) { return matches(r, columns, chosen); });
    var total = (tally(chosen)[id] || {n: 0}).n;
    var at = function (r, name) { return r[columns.indexOf(name)]; };
    document.getElementById("comments-title").textContent = page.labels[id] || id;
    var body = document.getElementById("comments-table").tBodies[0];
    body.textContent = "";
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-comment", at(r, "id"));
      cell(tr, at(r, "id"));
      cell(tr, at(r, "lang"));
      cell(tr, shownValue(at(r, "audience")));
      cell(tr, shownValue(at(r, "channel")));
      cell(tr, page.strings[at(r, "sentiment")] || at(r, "sentiment"));
      cell(tr, at(r, "text"));
      body.appendChild(tr);
    });
    var note = rows.length ? say("comments_shown", {shown: number(rows.length), total: number(total)})
                           : say("comments_none");
    if (theme.total > theme.rows.length) { note += " " + say("comments_capped", {cap: number(page.cap)}); }
    document.getElementById("comments-count").textContent = note;
    var dialog = document.getElementById("comments-dialog");
    if (dialog.open) { dialog.close(); }
    dialog.showModal();
  }

  function setUpFilters() {
    var form = document.getElementById("filters");
    if (form) {
      form.hidden = false;
      form.addEventListener("change", applyFilters);
      form.addEventListener("reset", function () { window.setTimeout(applyFilters, 0); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    }
    document.addEventListener("click", function (event) {
      var opener = event.target.closest("[data-open-theme]");
      if (opener) { openTheme(opener.getAttribute("data-open-theme")); }
    });
    var dialog = document.getElementById("comments-dialog");
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
    applyFilters();
  }

  function drawCharts() {
    var nodes = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var spec = JSON.parse(document.getElementById(el.getAttribute("data-chart")).textContent);
      var layout = spec.layout || {};
      layout.autosize = true;
      Plotly.newPlot(el, spec.data, layout, {displayModeBar: false, responsive: true});
    }
  }
  function cellValue(row, index) {
    var cell = row.cells[index];
    var v = cell.getAttribute("data-v");
    if (v === null) { v = cell.textContent.trim(); }
    var num = Number(v);
    return v !== "" && !isNaN(num) ? num : v.toLowerCase();
  }
  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    for (var i = 0; i < headers.length; i++) {
      (function (th, index) {
        th.addEventListener("click", function () {
          var asc = !th.classList.contains("asc");
          for (var j = 0; j < headers.length; j++) { headers[j].classList.remove("asc", "desc"); }
          th.classList.add(asc ? "asc" : "desc");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = cellValue(a, index), y = cellValue(b, index);
            if (x === y) { return 0; }
            if (typeof x !== typeof y) { return (typeof x === "number" ? -1 : 1) * (asc ? 1 : -1); }
            return (x < y ? -1 : 1) * (asc ? 1 : -1);
          });
          for (var k = 0; k < rows.length; k++) { body.appendChild(rows[k]); }
        });
      })(headers[i], i);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    page = JSON.parse(document.getElementById("report-data").textContent);
    var tables = document.querySelectorAll("table.sortable");
    for (var i = 0; i < tables.length; i++) { makeSortable(tables[i]); }
    setUpFilters();
    if (window.Plotly) { drawCharts(); }
    window.addEventListener("beforeprint", function () {
      var nodes = document.querySelectorAll("[data-chart]");
      for (var i = 0; i < nodes.length; i++) { Plotly.Plots.resize(nodes[i]); }
    });
  });
})();
