// An agent's last two weeks: contacts handled per day and AHT.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  if (typeof Plotly === "undefined") return;
  const x = data.trend.map(function (d) { return d.day; });
  Plotly.newPlot("chart-trend", [
    { x: x, y: data.trend.map(function (d) { return d.handled; }), name: data.labels.handled, type: "bar" },
    { x: x, y: data.trend.map(function (d) { return d.aht_seconds; }), name: data.labels.aht + " (s)",
      type: "scatter", mode: "lines+markers", yaxis: "y2" },
  ], { margin: { t: 20, r: 50, b: 40, l: 50 }, height: 280, legend: { orientation: "h" },
       xaxis: { type: "category" }, yaxis2: { overlaying: "y", side: "right" } }, { responsive: true, displaylogo: false });
})();
