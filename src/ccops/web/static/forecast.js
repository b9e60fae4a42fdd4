// Forecast against actuals: contacts and AHT per interval.
(function () {
  "use strict";
  const node = document.getElementById("forecast-data");
  if (!node || typeof Plotly === "undefined") return;
  const payload = JSON.parse(node.textContent);
  const rows = payload.data.intervals;
  const labels = payload.labels;
  const x = rows.map(function (r) { return r.start; });
  const layout = function (title) {
    return { margin: { t: 30, r: 20, b: 40, l: 50 }, height: 300, legend: { orientation: "h" },
             title: { text: title, font: { size: 14 } }, xaxis: { tickformat: "%m-%d %H:%M" } };
  };
  const config = { responsive: true, displaylogo: false };
  Plotly.newPlot("chart-volume", [
    { x: x, y: rows.map(function (r) { return r.forecast; }), name: labels.forecast, type: "scatter", mode: "lines" },
    { x: x, y: rows.map(function (r) { return r.actual; }), name: labels.actual, type: "scatter", mode: "lines" },
  ], layout(labels.contacts), config);
  Plotly.newPlot("chart-aht", [
    { x: x, y: rows.map(function (r) { return r.forecast_aht_seconds; }), name: labels.forecast, type: "scatter", mode: "lines" },
    { x: x, y: rows.map(function (r) { return r.actual_aht_seconds; }), name: labels.actual, type: "scatter", mode: "lines" },
  ], layout(labels.aht + " (s)"), config);
})();
