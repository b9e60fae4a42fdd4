// The wallboard: draws a snapshot, then redraws on every snapshot the server streams (SSE).
// Time in state ticks locally each second between snapshots.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("i18n").textContent);
  const L = cfg.labels;
  let snap = JSON.parse(document.getElementById("initial").textContent);
  let receivedAt = Date.now();

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(sec) {
    if (sec === null || sec === undefined) return "–";
    sec = Math.max(0, Math.round(sec));
    if (sec < 60) return sec + " s";
    const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(s).padStart(2, "0");
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }
  function pct(v) { return v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%"; }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function level(state, seconds) {
    const limit = cfg.limits[state];
    if (limit === undefined) return "ok";
    if (seconds > 2 * limit) return "alarm";
    return seconds > limit ? "warn" : "ok";
  }

  function drawQueues() {
    const box = document.getElementById("queues");
    box.replaceChildren();
    if (!snap.queues.length) box.appendChild(el("p", "muted", L.noqueues));
    const elapsed = (Date.now() - receivedAt) / 1000;
    snap.queues.forEach(function (q) {
      const bad = q.sl !== null && q.sl < q.sl_target;
      const tile = el("div", "tile" + (bad ? " bad" : "") + (q.vip_waiting ? " vip" : ""));
      tile.dataset.queue = q.key;
      tile.appendChild(el("h3", "", q.name));
      const dl = el("dl");
      [[L.waiting, String(q.waiting), "waiting"],
       [L.oldest, q.oldest_wait === null ? "–" : fmt(q.oldest_wait + elapsed), "oldest"],
       [L.sl, pct(q.sl) + " (" + L.target + " " + pct(q.sl_target) + ")", "sl"],
       [L.offered, String(q.offered), "offered"]].forEach(function (row) {
        dl.appendChild(el("dt", "", row[0]));
        const dd = el("dd", row[2], row[1]);
        dl.appendChild(dd);
      });
      tile.appendChild(dl);
      box.appendChild(tile);
    });
  }

  function drawAgents() {
    const box = document.getElementById("agents");
    box.replaceChildren();
    if (!snap.agents.length) box.appendChild(el("p", "muted", L.none));
    const elapsed = (Date.now() - receivedAt) / 1000;
    snap.agents.forEach(function (a) {
      const seconds = a.seconds + elapsed;
      const card = el("div", "agent " + a.state + " " + level(a.state, seconds));
      card.dataset.agent = a.key;
      card.dataset.state = a.state;
      card.appendChild(el("span", "name", a.name));
      card.appendChild(el("span", "state", cfg.states[a.state] || a.state));
      card.appendChild(el("span", "time", fmt(seconds)));
      box.appendChild(card);
    });
  }

  function drawAlerts() {
    const box = document.getElementById("alerts");
    box.replaceChildren();
    snap.alerts.forEach(function (a) {
      const values = Object.assign({}, a, {
        state: cfg.states[a.state] || a.state,
        activity: (cfg.activities || {})[a.activity] || a.activity,
      });
      box.appendChild(el("div", "alert " + a.kind, fill(L[a.kind] || a.kind, values)));
    });
  }

  function draw() { drawQueues(); drawAgents(); drawAlerts(); }

  function connect() {
    const live = document.getElementById("live");
    const source = new EventSource("/live/wallboard");
    source.addEventListener("snapshot", function (e) {
      snap = JSON.parse(e.data);
      receivedAt = Date.now();
      live.className = "live on";
      live.textContent = live.dataset.on;
      document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots || 0) + 1);
      draw();
    });
    source.onerror = function () {
      live.className = "live off";
      live.textContent = live.dataset.off;
    };
  }

  draw();
  connect();
  setInterval(draw, 1000);
})();
