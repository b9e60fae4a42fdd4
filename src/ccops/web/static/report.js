// Interval report charts (Plotly, served from the installed plotly package).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const L = data.labels, rows = data.rows;
  if (!rows.length || typeof Plotly === "undefined") return;
  const x = rows.map(function (r) { return r.interval; });
  const layout = function (title) {
    return { title: { text: title }, margin: { t: 40, r: 50, b: 40, l: 50 }, barmode: "stack",
             legend: { orientation: "h" }, height: 320,
             xaxis: { type: "category" } };
  };
  Plotly.newPlot("chart-volume", [
    { x: x, y: rows.map(function (r) { return r.answered; }), name: L.answered, type: "bar" },
    { x: x, y: rows.map(function (r) { return r.abandoned; }), name: L.abandoned, type: "bar" },
  ], layout(L.volume), { responsive: true, displaylogo: false });
  Plotly.newPlot("chart-sl", [
    { x: x, y: rows.map(function (r) { return r.service_level === null ? null : r.service_level * 100; }),
      name: L.sl + " %", type: "scatter", mode: "lines+markers" },
    { x: x, y: rows.map(function (r) { return r.aht_seconds; }), name: L.aht + " (s)", type: "scatter",
      mode: "lines", yaxis: "y2" },
  ], Object.assign(layout(L.quality), { yaxis2: { overlaying: "y", side: "right" } }),
  { responsive: true, displaylogo: false });
})();
