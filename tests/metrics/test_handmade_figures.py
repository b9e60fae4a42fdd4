"""Hand-computed figures for the handmade center, the same on SQLite, PostgreSQL and DuckDB.

Working (day 1, 2026-11-02; sales T=20 S=5, support T=30 S=10):
- sales: offered s1–s9 = 9 (s13 contained in IVR is apart); short abandon s4 (3 s < 5); long
  abandons s5 (40 s) and s8 (5 s, not < S); answered s1 s2 s3 s6 s7 s9 = 6; within T: s1 (10),
  s2 (20 = T), s6 (5), s7 (0) = 4 → SL 4/(9−1) = 0.5; ASA (10+20+25+5+0+30)/6 = 15;
  abandonment 2/8; handle 120+240+180+60+120+120 = 840 → AHT 140; transferred s6 → 1/6.
  FCR: eligible s1 s2 s3 s6 s9 (s7 has no customer); s1 repeated by s6 (k1, billing), s2 by s11
  next day (k2, billing, a short abandon still counts), s9 by s10 (no reasons, same queue); s3's
  repeat s12 comes 7 days + 1 minute later → resolved s3, s6 → 2/5.
- support: offered 5; short p2 (8 < 10); long p4; answered p1 p3 p5, within 30 s: p1 (28) →
  SL 1/4; ASA (28+45+31)/3; AHT (400+300+200)/3 = 300; FCR 3/3 (p5 is another reason; p6 is
  outbound).
- agents: a1 handle 08:10–08:50 = 2400 s, idle 600+600+900 = 2100 s, break 900 s; a2 handle
  08:05–09:05 = 3600 s, idle 300+1500 = 1800 s, lunch 1800 s.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ccops.metrics import MetricUnavailableError, explain_contacts, run_report

D1 = date(2026, 11, 2)
CONTACT_METRICS = (
    "offered,answered,handled,abandoned,short_abandoned,ivr_contained,service_level,asa_seconds,"
    "abandon_rate,aht_seconds,talk_seconds,hold_seconds,acw_seconds,transfer_rate,fcr_rate"
)


def _by(rows: list[dict], *keys: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_day_by_queue_gives_the_hand_computed_figures(center: str) -> None:
    rows = _by(run_report(center, CONTACT_METRICS, "day,queue", D1, D1).rows, "queue")
    assert set(rows) == {"sales", "support"}
    sales, support = rows["sales"], rows["support"]
    assert sales["day"] == D1
    assert (sales["offered"], sales["answered"], sales["handled"]) == (9, 6, 6)
    assert (sales["abandoned"], sales["short_abandoned"], sales["ivr_contained"]) == (2, 1, 1)
    assert sales["service_level"] == 0.5
    assert sales["asa_seconds"] == 15.0
    assert sales["abandon_rate"] == 0.25
    assert sales["aht_seconds"] == 140.0
    assert sales["talk_seconds"] == 720 / 6
    assert sales["hold_seconds"] == 40 / 6
    assert sales["acw_seconds"] == 80 / 6
    assert sales["transfer_rate"] == 1 / 6
    assert sales["fcr_rate"] == 2 / 5
    assert (support["offered"], support["answered"], support["short_abandoned"]) == (5, 3, 1)
    assert support["service_level"] == 0.25
    assert support["asa_seconds"] == 104 / 3
    assert support["abandon_rate"] == 0.25
    assert support["aht_seconds"] == 300.0
    assert support["transfer_rate"] == 0.0
    assert support["fcr_rate"] == 1.0


def test_the_whole_day_is_sums_over_sums_not_an_average_of_queues(center: str) -> None:
    (row,) = run_report(center, CONTACT_METRICS, "day", D1, D1).rows
    assert row["offered"] == 14
    assert row["service_level"] == 5 / 12
    assert row["asa_seconds"] == 194 / 9
    assert row["abandon_rate"] == 3 / 12
    assert row["aht_seconds"] == 1740 / 9
    assert row["fcr_rate"] == 5 / 8


def test_half_hour_intervals_count_contacts_where_they_were_offered(center: str) -> None:
    report = run_report(
        center, "offered,service_level,asa_seconds,abandon_rate,aht_seconds", "interval30,queue",
        D1, D1,
    )  # fmt: skip
    rows = _by(report.rows, "interval30", "queue")
    first = rows[(datetime(2026, 11, 2, 8, 0), "sales")]
    second = rows[(datetime(2026, 11, 2, 8, 30), "sales")]
    assert (first["offered"], first["service_level"], first["asa_seconds"]) == (6, 0.6, 15.0)
    assert (first["abandon_rate"], first["aht_seconds"]) == (0.2, 150.0)
    assert (second["offered"], second["service_level"], second["asa_seconds"]) == (3, 1 / 3, 15.0)
    assert (second["abandon_rate"], second["aht_seconds"]) == (1 / 3, 120.0)


def test_occupancy_utilization_and_productivity_come_from_agent_states(center: str) -> None:
    report = run_report(center, "occupancy,utilization,productivity", "day,agent", D1, D1)
    rows = _by(report.rows, "agent")
    assert rows["a1"]["occupancy"] == 2400 / 4500
    assert rows["a1"]["utilization"] == 4500 / 5400
    assert rows["a1"]["productivity"] == 3 / 1.25
    assert rows["a2"]["occupancy"] == 3600 / 5400
    assert rows["a2"]["utilization"] == 5400 / 7200
    assert rows["a2"]["productivity"] == 3 / 1.5
    assert rows["a3"]["occupancy"] is None  # handled contacts but no states: nothing to divide by


def test_agent_states_are_split_at_interval_boundaries(center: str) -> None:
    report = run_report(center, "occupancy,utilization", "hour,team", D1, D1)
    rows = _by(report.rows, "hour")
    eight, nine = rows[datetime(2026, 11, 2, 8)], rows[datetime(2026, 11, 2, 9)]
    # 08:00: a1 handle 2400, idle 1200; a2 handle 55 min = 3300, idle 300
    assert eight["team"] == "t1"
    assert eight["occupancy"] == (2400 + 3300) / (3600 + 3600)
    assert eight["utilization"] == 1.0
    # 09:00: a1 idle 900 (+ 900 break); a2 handle 300, idle 1500 (+ 1800 lunch)
    assert nine["occupancy"] == 300 / (900 + 1800)
    assert nine["utilization"] == (900 + 1800) / (1800 + 3600)


def test_cost_per_contact_uses_the_agents_cost_rates(center: str) -> None:
    rows = _by(run_report(center, "cost_per_contact", "day,agent", D1, D1).rows, "agent")
    assert rows["a1"]["cost_per_contact"] == 1.5 * 20 / 3
    assert rows["a2"]["cost_per_contact"] is None  # a2 has no cost rate


def test_the_contacts_behind_a_row_can_be_listed(center: str) -> None:
    report = run_report(center, "service_level", "interval30,queue", D1, D1, explain=True)
    rows = _by(report.rows, "interval30", "queue")
    assert rows[(datetime(2026, 11, 2, 8, 30), "sales")]["contacts"] == ["s7", "s8", "s9"]
    detail = _by(explain_contacts(center, "service_level", "queue", D1, D1), "contact")
    assert detail["s4"]["sl_offered"] == 0  # the short abandon is out of the denominator
    assert detail["s2"]["sl_answered"] == 1
    assert detail["s13"]["sl_offered"] == 0  # contained in IVR: listed, counted nowhere
    assert "s4" not in rows[(datetime(2026, 11, 2, 8, 0), "sales")]["contacts"]


def test_a_time_zone_moves_the_buckets(center: str) -> None:
    report = run_report(center, "offered", "day", time_zone="Asia/Shanghai")
    days = {r["day"]: r["offered"] for r in report.rows}
    # 08:00 UTC is 16:00 in Shanghai: every day's contacts stay on the same local date
    assert days[D1] == 14
    report = run_report(center, "offered", "hour", D1, D1, time_zone="Asia/Shanghai")
    assert {r["hour"].hour for r in report.rows} == {16}


def test_months_and_weeks_are_calendar_buckets(center: str) -> None:
    months = run_report(center, "offered", "month").rows
    assert months == [{"month": date(2026, 11, 1), "offered": 18}]
    weeks = {r["week"]: r["offered"] for r in run_report(center, "offered", "week").rows}
    assert weeks == {date(2026, 11, 2): 17, date(2026, 11, 9): 1}


def test_metrics_without_their_data_say_what_is_missing(center: str) -> None:
    # shrinkage is measured against published schedules: none here, so no figure (not zero)
    assert all(r["shrinkage"] is None for r in run_report(center, "shrinkage", "day").rows)
    with pytest.raises(MetricUnavailableError, match="survey"):
        run_report(center, "csat", "day")


def test_sub_second_state_times_count_whole_seconds_on_every_engine(center: str) -> None:
    day2 = date(2026, 11, 3)
    rows = _by(run_report(center, "occupancy,utilization", "day,agent", day2, day2).rows, "agent")
    assert rows["a5"]["occupancy"] == 600 / 1200
    assert rows["a5"]["utilization"] == 1.0
