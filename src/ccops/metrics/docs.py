"""The catalog's own definitions page: Markdown for docs/metrics.md and an HTML fragment."""

from __future__ import annotations

from html import escape

from ccops.metrics.catalog import CATALOG, MEASURES, REQUIREMENTS, Metric
from ccops.metrics.dimensions import DIMENSIONS

UNITS = {
    "contacts": "contacts",
    "ratio": "% (ratio 0–1)",
    "seconds": "seconds",
    "hours": "hours",
    "contacts_per_hour": "contacts per hour",
    "currency_per_contact": "currency per contact",
    "score": "score",
}

HEADER = """# Metric definitions

<!-- Generated from the metric catalog (src/ccops/metrics/catalog.py) by
     `ccops metrics docs --write docs/metrics.md`. Do not edit by hand: a test fails when stale. -->

Every figure in ccops — screens, reports, exports, the API — comes from these definitions, computed
by one set of Ibis expressions on SQLite, PostgreSQL and DuckDB (over Parquet exports).

How figures are formed:

- **Ratios are sums over sums.** A ratio metric is sum(numerator) ÷ sum(denominator) over the row's
  contacts or agent-state seconds — never an average of smaller ratios — so intervals roll up into
  days, and two halves of a data set combine, to exactly the figure computed directly. A ratio with
  nothing in its denominator is empty (null), not zero.
- **Contacts count in the interval they were offered in** (`offered_at`); contacts whose offer has
  not arrived yet are not counted.
- **Queue parameters come from the queue's configuration**: the service-level threshold T
  (`queues.sl_threshold_seconds`, default 20 s) and the short-abandon threshold S
  (`queues.short_abandon_seconds`, default 5 s). Short abandons (abandoned with wait < S) are left
  out of the service-level and abandonment denominators.
- **Agent-state metrics** (occupancy, utilization, productivity, cost) split each state at the
  time grain's boundaries, so an 08:10–09:20 talking state counts 50 minutes in the 08:00 hour and
  20 in the 09:00 hour. States: talking, holding, after_call_work = handle time; available,
  ringing = idle; away, break, lunch, training, meeting = logged in but not available; offline = not
  logged in. A state still open counts up to the report's as-of time (now). Durations are counted
  in whole seconds.
- **Time buckets** are in the report's time zone (`--tz`, default UTC): 15- or 30-minute
  intervals, hours, days, ISO weeks (starting Monday) and months. An agent state crossing a
  daylight-saving change keeps its true length.
- **Traceable**: `ccops report ... --explain` lists the contacts behind every row.
"""


def target_text(metric: Metric, zh: bool = False) -> str:
    """A metric's default target in words ("80% (per queue: …)"); "—" when it has none."""
    if metric.target is None:
        return "—"
    value = f"{metric.target:.0%}" if metric.unit == "ratio" else f"{metric.target:g}"
    if metric.unit == "seconds":
        value += " 秒" if zh else " s"
    note = metric.target_note_zh if zh else metric.target_note
    if not note:
        return value
    return f"{value}（{note}）" if zh else f"{value} ({note})"


def _better(metric: Metric) -> str:
    if metric.unit == "contacts":
        return "—"
    return {"higher": "higher is better", "lower": "lower is better"}.get(
        metric.better or "", "neither extreme"
    )


def _dims(metric: Metric) -> str:
    return ", ".join(d for d in DIMENSIONS if d in metric.dimensions)


def render_markdown() -> str:
    """The definitions page as Markdown (the content of docs/metrics.md)."""
    out = [HEADER]
    out.append("## Summary\n")
    out.append("| id | metric | 指标 | unit | direction | default target | status |")
    out.append("|---|---|---|---|---|---|---|")
    for m in CATALOG.values():
        status = f"requires {m.requires}" if m.requires else "available"
        out.append(
            f"| `{m.id}` | {m.name_en} | {m.name_zh} | {UNITS[m.unit]} | {_better(m)} | "
            f"{target_text(m)} | {status} |"
        )
    out.append("")
    out.append("## Definitions\n")
    for m in CATALOG.values():
        out.append(f"### `{m.id}` — {m.name_en} ({m.name_zh})\n")
        out.append(f"- **Formula:** {m.formula}")
        if m.is_ratio:
            scale = f" × {m.scale:g}" if m.scale != 1 else ""
            out.append(f"- **Computed as:** sum(`{m.numerator}`){scale} ÷ sum(`{m.denominator}`)")
        elif m.numerator:
            out.append(f"- **Computed as:** sum(`{m.numerator}`)")
        out.append(f"- **Unit:** {UNITS[m.unit]}; **direction:** {_better(m)}")
        out.append(f"- **Default target:** {target_text(m)}")
        if m.events:
            out.append(f"- **Fed by events:** {', '.join(f'`{e}`' for e in m.events)}")
        out.append(f"- **May be cut by:** {_dims(m)}")
        if m.requires:
            out.append(
                f"- **Requires:** {REQUIREMENTS[m.requires]} — not in the store yet; asking for "
                "this metric is an error that says so (no value is invented)."
            )
        if m.notes:
            out.append(f"- **Note:** {m.notes}")
        out.append("")
    out.append("## Measures\n")
    out.append("The additive quantities metrics are formed from (summed per row):\n")
    out.append("| measure | from | what one contact or state contributes |")
    out.append("|---|---|---|")
    for ms in MEASURES.values():
        out.append(f"| `{ms.id}` | {ms.source} | {ms.description} |")
    out.append("")
    out.append("## Dimensions\n")
    out.append("| id | name | 名称 | meaning |")
    out.append("|---|---|---|---|")
    for d in DIMENSIONS.values():
        out.append(f"| `{d.id}` | {d.name_en} | {d.name_zh} | {d.description} |")
    out.append("")
    out.append(
        "`interval` is short for `interval30`. Agent-state metrics (occupancy, utilization, "
        "productivity, cost) may be cut by time, agent and team only.\n"
    )
    out.append("## Notes on first-contact resolution\n")
    out.append(
        "A repeat is any later inbound contact of the same customer offered within 7 days "
        "(strictly after the first contact's offer, whatever its outcome) on the same reason; "
        "when neither contact has a reason, a repeat on the same queue counts. Contacts without "
        "a known customer are left out of both numerator and denominator. Repeats are looked "
        "for beyond the report's end date, so a report's FCR does not change as later days are "
        "added to it except for contacts within 7 days of the newest data.\n"
    )
    return "\n".join(out)


def render_html() -> str:
    """The definitions as an HTML fragment (a table per metric) for the web app's page."""
    parts = ['<section class="metric-definitions">', "<h2>Metric definitions</h2>"]
    parts.append("<table><thead><tr><th>id</th><th>metric</th><th>指标</th><th>formula</th>")
    parts.append("<th>unit</th><th>direction</th><th>target</th><th>events</th></tr></thead>")
    parts.append("<tbody>")
    for m in CATALOG.values():
        formula = escape(m.formula)
        if m.requires:
            formula += f" <em>(requires {escape(m.requires)})</em>"
        cells = [
            f"<code>{escape(m.id)}</code>",
            escape(m.name_en),
            escape(m.name_zh),
            formula,
            escape(UNITS[m.unit]),
            escape(_better(m)),
            escape(target_text(m)),
            escape(", ".join(m.events)),
        ]
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table></section>")
    return "\n".join(parts)


def catalog_json() -> list[dict[str, object]]:
    """The catalog as plain data (the API's GET /metrics and `ccops metrics list --json`)."""
    return [
        {
            "id": m.id,
            "name": {"en": m.name_en, "zh": m.name_zh},
            "formula": m.formula,
            "numerator": m.numerator,
            "denominator": m.denominator,
            "scale": m.scale,
            "unit": m.unit,
            "better": m.better,
            "target": m.target,
            "target_note": m.target_note or None,
            "dimensions": [d for d in DIMENSIONS if d in m.dimensions],
            "events": list(m.events),
            "requires": m.requires,
            "notes": m.notes or None,
        }
        for m in CATALOG.values()
    ]
