// The schedule page: agents scheduled against staffed (and required) per interval, and a grid of
// each agent's day.
(function () {
  "use strict";
  const node = document.getElementById("schedule-data");
  if (!node || typeof Plotly === "undefined") return;
  const payload = JSON.parse(node.textContent);
  const data = payload.data;
  const labels = payload.labels;
  const config = { responsive: true, displaylogo: false };
  const x = data.intervals.map(function (i) { return i.start; });
  Plotly.newPlot("chart-staffing", [
    { x: x, y: data.intervals.map(function (i) { return i.scheduled; }), name: labels.scheduled,
      type: "scatter", mode: "lines", line: { shape: "hv" } },
    { x: x, y: data.intervals.map(function (i) { return i.staffed; }), name: labels.staffed,
      type: "scatter", mode: "lines", line: { shape: "hv" } },
  ].concat(data.required_queues && data.required_queues.length ? [
    { x: x, y: data.intervals.map(function (i) { return i.required; }), name: labels.required,
      type: "scatter", mode: "lines", line: { shape: "hv", dash: "dash", color: "#c62828" } },
  ] : []), { margin: { t: 20, r: 20, b: 40, l: 50 }, height: 300, legend: { orientation: "h" },
       xaxis: { tickformat: "%H:%M" }, yaxis: { title: { text: labels.agents } } }, config);
  // One horizontal bar per activity: base = start, length = duration in milliseconds.
  const colours = { work: "#2e7d32", break: "#f9a825", lunch: "#ef6c00", training: "#1565c0",
                    meeting: "#6a1b9a", off_phone: "#757575" };
  const traces = {};
  data.agents.forEach(function (a) {
    a.activities.forEach(function (act) {
      const kind = act.activity;
      if (!traces[kind]) {
        traces[kind] = { type: "bar", orientation: "h", name: labels[kind] || kind, y: [], x: [],
                         base: [], marker: { color: colours[kind] || "#999" },
                         hovertemplate: "%{y}<br>%{base|%H:%M} + %{customdata}<extra>" + (labels[kind] || kind) + "</extra>",
                         customdata: [] };
      }
      const ms = new Date(act.end) - new Date(act.start);
      traces[kind].y.push(a.name);
      traces[kind].x.push(ms);
      traces[kind].base.push(act.start);
      traces[kind].customdata.push(Math.round(ms / 60000) + " min");
    });
  });
  Plotly.newPlot("chart-grid", Object.values(traces), {
    barmode: "overlay", margin: { t: 20, r: 20, b: 40, l: 110 },
    height: Math.max(240, 18 * data.agents.length + 80), legend: { orientation: "h" },
    xaxis: { type: "date", tickformat: "%H:%M" },
    yaxis: { autorange: "reversed", type: "category", categoryorder: "array",
             categoryarray: data.agents.map(function (a) { return a.name; }) },
  }, config);
})();
