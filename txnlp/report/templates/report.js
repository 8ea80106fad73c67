(function () {
  "use strict";
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
    var tables = document.querySelectorAll("table.sortable");
    for (var i = 0; i < tables.length; i++) { makeSortable(tables[i]); }
    if (window.Plotly) { drawCharts(); }
    window.addEventListener("beforeprint", function () {
      var nodes = document.querySelectorAll("[data-chart]");
      for (var i = 0; i < nodes.length; i++) { Plotly.Plots.resize(nodes[i]); }
    });
  });
})();
