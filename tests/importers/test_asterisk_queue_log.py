"""Asterisk queue_log import: every event, every version's layout, known answers, follow."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ccops.events import AgentStateEvent, Event, parse_event
from ccops.ingest.asterisk import (
    ParseStats,
    Rejected,
    follow_queue_log,
    import_queue_log,
    load_checkpoint,
    parse_queue_log,
)
from tests.store_snapshot import snapshot

FIXTURES = Path(__file__).parent / "fixtures"
VERSIONS = ["1.4", "1.8", "11", "16", "22"]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _parse(path: Path) -> tuple[list[Event], list[Rejected], ParseStats]:
    stats = ParseStats()
    items = list(parse_queue_log(path.open("rb"), stats))
    events = [i for i in items if not isinstance(i, Rejected)]
    rejects = [i for i in items if isinstance(i, Rejected)]
    return events, rejects, stats  # type: ignore[return-value]


def _contacts(engine: Engine) -> dict[str, dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.key, q.key AS queue, a.key AS agent, cu.key AS customer, "
                "c.wait_seconds, c.talk_seconds, c.hold_seconds, c.outcome, c.transferred_to "
                "FROM contacts c LEFT JOIN queues q ON q.id = c.queue_id "
                "LEFT JOIN agents a ON a.id = c.agent_id "
                "LEFT JOIN customers cu ON cu.id = c.customer_id"
            )
        ).mappings()
        return {r["key"]: dict(r) for r in rows}


def _states(engine: Engine, agent: str) -> list[tuple[str, str | None, datetime, datetime | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.state, s.reason, s.start_at, s.end_at FROM agent_states s "
                "JOIN agents a ON a.id = s.agent_id WHERE a.key = :k ORDER BY s.start_at"
            ),
            {"k": agent},
        ).all()
    return [(r[0], r[1], _dt(r[2]), _dt(r[3]) if r[3] is not None else None) for r in rows]


def _dt(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=None)


@pytest.mark.parametrize("version", VERSIONS)
def test_each_versions_layout_parses_without_a_reject(version: str) -> None:
    events, rejects, stats = _parse(FIXTURES / f"queue_log.asterisk-{version}")
    assert rejects == []
    assert stats.lines > 0
    for event in events:  # every built event is a valid canonical event
        assert parse_event(event.model_dump_json(exclude_none=True)) == event


def test_the_fixtures_cover_every_event_asterisk_writes() -> None:
    seen: set[str] = set()
    for version in [*VERSIONS, "known_answers"]:
        name = (
            f"queue_log.asterisk-{version}"
            if version != "known_answers"
            else "queue_log.known_answers"
        )
        for line in (FIXTURES / name).read_text().splitlines():
            if line.strip():
                seen.add(line.split("|")[4])
    every = {
        "ENTERQUEUE", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT",
        "EXITWITHKEY", "EXITEMPTY", "WITHDRAW", "RINGNOANSWER", "RINGCANCELED", "TRANSFER",
        "BLINDTRANSFER", "ATTENDEDTRANSFER", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE",
        "PAUSEALL", "UNPAUSEALL", "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF", "QUEUESTART", "CONFIGRELOAD", "PENALTY", "RINGINUSE", "AGENTDUMP",
        "SYSCOMPAT", "DID",
    }  # fmt: skip
    assert every <= seen


def test_asterisk_1_4_lines_without_ringtime_or_positions_build_whole_contacts(
    store: Engine,
) -> None:
    result = import_queue_log(store, FIXTURES / "queue_log.asterisk-1.4")
    assert result.summary.rejected == 0
    got = _contacts(store)
    assert got["ast:1199174420.2"]["wait_seconds"] == 12
    assert got["ast:1199174420.2"]["talk_seconds"] == 68
    assert got["ast:1199174420.2"]["agent"] == "Agent/1001"
    assert got["ast:1199174420.2"]["customer"] == "5551234"
    assert got["ast:1199174520.4"]["outcome"] == "voicemail"
    assert got["ast:1199174600.5"]["outcome"] == "callback_requested"
    assert got["ast:1199174610.6"]["outcome"] == "abandoned"
    assert got["ast:1199174620.7"]["outcome"] == "transferred"
    assert got["ast:1199174620.7"]["talk_seconds"] == 77
    assert got["ast:1199174720.10"]["outcome"] == "handled"
    # Agent/1002 logged in by callback, rang 15 s without answer, logged off.
    states = [(s, r) for s, r, _, _ in _states(store, "Agent/1002")]
    assert states[0] == ("available", None) and states[-1] == ("offline", None)
    assert ("ringing", None) in states


def test_the_hand_written_queue_log_gives_the_hand_calculated_figures(store: Engine) -> None:
    result = import_queue_log(store, FIXTURES / "queue_log.known_answers", batch_size=7)
    assert result.summary.rejected == 0
    assert result.summary.blank == 1
    contacts = _contacts(store)
    want = {  # key suffix: (wait, talk, outcome)
        "1": (10, 120, "handled"),
        "3": (30, 180, "handled"),
        "5": (15, None, "abandoned"),
        "6": (5, 60, "transferred"),
        "8": (300, None, "voicemail"),
        "9": (25, 200, "handled"),
        "11": (2, 100, "transferred"),
        "13": (20, None, "callback_requested"),
        "14": (1, None, "voicemail"),
        "15": (30, None, "transferred"),
    }
    got = {
        key.rsplit(".", 1)[1]: (c["wait_seconds"], c["talk_seconds"], c["outcome"])
        for key, c in contacts.items()
    }
    assert got == want
    # The hand calculation (queue support, T = 20 s, the default for voice queues):
    offered = len(contacts)
    answered = [c for c in contacts.values() if c["agent"] is not None]
    abandoned = [c for c in contacts.values() if c["outcome"] == "abandoned"]
    within = [c for c in answered if c["wait_seconds"] <= 20]  # type: ignore[operator]
    asa = sum(c["wait_seconds"] for c in answered) / len(answered)  # type: ignore[misc]
    aht = sum(c["talk_seconds"] + c["hold_seconds"] for c in answered) / len(answered)  # type: ignore[operator]
    assert (offered, len(answered), len(abandoned), len(within)) == (10, 5, 1, 3)
    assert len(within) / offered == 0.3
    assert asa == 14.4
    assert aht == 132.0
    assert contacts["ast:1767603600.1"]["customer"] == "+15550001"


def test_the_hand_written_queue_log_matches_the_metric_catalog(store: Engine) -> None:
    from datetime import date

    from ccops.metrics import run_report

    import_queue_log(store, FIXTURES / "queue_log.known_answers")
    names = (
        "offered,answered,handled,abandoned,short_abandoned,service_level,asa_seconds,"
        "aht_seconds,abandon_rate,transfer_rate"
    )
    (row,) = run_report(store, names, "day", date(2026, 1, 5), date(2026, 1, 5)).rows
    # By hand (queue support, T = 20 s, S = 5 s): 10 offered; answered c1 (wait 10), c2 (30),
    # c4 (5), c6 (25), c7 (2); c3 abandoned after 15 s; c4 and c7 transferred.
    assert (row["offered"], row["answered"], row["handled"]) == (10, 5, 5)
    assert (row["abandoned"], row["short_abandoned"]) == (1, 0)
    assert row["service_level"] == 3 / 10
    assert row["asa_seconds"] == 72 / 5
    assert row["aht_seconds"] == (120 + 180 + 60 + 200 + 100) / 5
    assert row["abandon_rate"] == 1 / 10
    assert row["transfer_rate"] == 2 / 5


def test_importing_the_same_queue_log_twice_changes_nothing(store: Engine) -> None:
    path = FIXTURES / "queue_log.known_answers"
    first = import_queue_log(store, path)
    before = snapshot(store)
    second = import_queue_log(store, path, batch_size=3)
    assert second.summary.accepted == 0
    assert second.summary.duplicates == first.summary.accepted + first.summary.duplicates
    assert snapshot(store) == before


def test_lines_in_any_order_build_the_same_facts(store: Engine, tmp_path: Path) -> None:
    import random

    from ccops.store import make_engine, upgrade

    lines = (FIXTURES / "queue_log.known_answers").read_text().splitlines(keepends=True)
    member = [line for line in lines if "ADDMEMBER" in line]
    rest = [line for line in lines if "ADDMEMBER" not in line]
    random.Random(4).shuffle(rest)
    shuffled = tmp_path / "shuffled"
    shuffled.write_text("".join(member + rest))
    import_queue_log(store, shuffled, batch_size=5)
    other = make_engine(f"sqlite:///{tmp_path / 'ordered.db'}")
    upgrade(other)
    import_queue_log(other, FIXTURES / "queue_log.known_answers")
    assert _contacts(store) == _contacts(other)


def test_member_events_become_agent_state_intervals_with_reasons(store: Engine) -> None:
    import_queue_log(store, FIXTURES / "queue_log.asterisk-1.8")
    # SIP/2001 is in two queues: paused in both (one interval, per-queue lines collapse),
    # unpaused, removed from support (still in billing: not offline), then from billing.
    s2001 = [(s, r) for s, r, _, _ in _states(store, "SIP/2001")]
    assert s2001 == [
        ("available", None),
        ("ringing", None),
        ("talking", None),
        ("available", None),
        ("break", "Coffee break"),
        ("available", None),
        ("offline", None),
    ]
    offline_at = _states(store, "SIP/2001")[-1][2]
    assert offline_at == datetime(2012, 1, 1, 0, 10, 1)
    s2002 = _states(store, "SIP/2002")
    assert [(s, r) for s, r, _, _ in s2002] == [
        ("available", None),
        ("ringing", None),
        ("available", None),
        ("lunch", "Lunch"),
    ]
    ring = s2002[1]
    assert ring[3] is not None and (ring[3] - ring[2]).total_seconds() == 15.0  # 15000 ms


def test_pause_reasons_name_the_state_and_ringing_is_measured_in_milliseconds() -> None:
    events, _, _ = _parse(FIXTURES / "queue_log.asterisk-11")
    states = [(e.agent, e.state.value, e.reason) for e in events if isinstance(e, AgentStateEvent)]
    assert ("SIP/bob", "training", "Training") in states
    assert ("SIP/bob", "meeting", "Team meeting") in states
    ring = [e for e in events if isinstance(e, AgentStateEvent) and e.agent == "PJSIP/alice"]
    assert (ring[1].at - ring[0].at).total_seconds() == 5.0


def test_custom_events_ride_on_the_calls_next_event_as_attributes() -> None:
    events, _, stats = _parse(FIXTURES / "queue_log.asterisk-1.8")
    offer = next(
        e for e in events if e.type == "contact.offered" and e.contact == "ast:1325376010.1"
    )
    assert offer.attributes is not None and offer.attributes["did"] == "5550100"
    assert stats.ignored["DID (kept as attribute)"] == 1
    assert stats.ignored["QUEUESTART"] == 1 and stats.ignored["PENALTY"] == 1


def test_asterisk_16_and_22_layouts_keep_caller_name_withdraw_and_attended_transfers(
    store: Engine,
) -> None:
    import_queue_log(store, FIXTURES / "queue_log.asterisk-16")
    import_queue_log(store, FIXTURES / "queue_log.asterisk-22")
    got = _contacts(store)
    assert got["ast:1577836810.1"]["outcome"] == "transferred"
    assert got["ast:1577836910.3"]["talk_seconds"] == 100
    assert got["ast:1577837020.5"]["outcome"] == "transferred"  # WITHDRAW
    assert got["ast:1735689600.1"]["wait_seconds"] == 6
    assert got["ast:1735689800.3"]["outcome"] == "abandoned"
    events, _, _ = _parse(FIXTURES / "queue_log.asterisk-22")
    offer = events[0]
    assert offer.attributes == {"position": 1, "callerid_name": "Jane Doe"}
    # ADDMEMBER ... PAUSED starts the member paused.
    first = _states(store, "Local/100@agents")[0]
    assert first[0] == "away" and first[1] == "paused when added"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("garbage", "fields: 1 field(s)"),
        ("abc|1.1|q|NONE|ENTERQUEUE||555|1", "time: 'abc' is not a Unix epoch"),
        ("1700000000|1.1|q|NONE|ENTERQUEUE", "ENTERQUEUE: 0 data field(s), needs at least 2"),
        ("1700000000|1.1|q|SIP/1|CONNECT|x|1.2|3", "holdtime: 'x' is not a whole number"),
        ("1700000000|1.1|q|SIP/1|COMPLETECALLER|1", "COMPLETECALLER: 1 data field(s)"),
        ("1700000000|NONE|q|SIP/1|CONNECT|1|1.2|3", "callid: 'NONE' is not a call's uniqueid"),
        ("1700000000|1.1|NONE|NONE|ENTERQUEUE||555|1", "queue: 'NONE' is not a queue name"),
        ("1700000000|1.1|q|NONE|CONNECT|1|1.2|3", "agent: 'NONE' is not an agent"),
        ("1700000000|1.1|q|SIP/1|RINGNOANSWER|-5", "ringtime_ms: '-5' is not a whole number"),
        ("99999999999|1.1|q|NONE|ENTERQUEUE||555|1", "time: '99999999999' is outside 1970-2100"),
        ("1700000000|1.1|q|NONE|ENTER QUEUE||555|1", "event: 'ENTER QUEUE' is not an event name"),
    ],
)
def test_a_bad_line_is_rejected_with_its_number_and_the_field_named(line: str, reason: str) -> None:
    good = "1700000000|1.1|q|NONE|ENTERQUEUE||555|1"
    items = list(parse_queue_log([good + "\n", line + "\n", good + "\n"]))
    rejects = [i for i in items if isinstance(i, Rejected)]
    assert len(rejects) == 1
    assert rejects[0].position == 2 and rejects[0].raw == line
    assert rejects[0].reason.startswith(reason), rejects[0].reason
    assert len(items) - 1 == 2  # the lines around it still count


def test_rejected_lines_are_kept_in_the_store_with_line_and_reason(
    store: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "queue_log"
    good = (FIXTURES / "queue_log.asterisk-22").read_text()
    path.write_text(good + "not|a|line\n1735690000|9.9|sales|NONE|ENTERQUEUE\n")
    result = import_queue_log(store, path)
    assert result.summary.rejected == 2
    with store.connect() as conn:
        rows = conn.execute(text("SELECT position, reason FROM rejects ORDER BY position")).all()
    assert [r[0] for r in rows] == [8, 9]
    assert rows[0][1].startswith("fields: 3")


def test_the_real_asterisk2slack_queue_log_imports_with_duplicates_collapsed(
    store: Engine, shared_dir: Path
) -> None:
    path = shared_dir / "realdata" / "asterisk" / "queue_log.asterisk2slack-fixture"
    result = import_queue_log(store, path)
    s = result.summary
    assert (s.read, s.blank, s.rejected) == (21, 2, 0)
    contacts = _contacts(store)
    assert len(contacts) == 4
    first = contacts["ast:1546015415.757927"]
    assert (first["wait_seconds"], first["talk_seconds"], first["outcome"]) == (10, 122, "handled")
    # Six duplicated ENTERQUEUE lines and four COMPLETEAGENT lines each collapse to one event.
    with store.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM events WHERE type = 'contact.offered'")
        ).scalar()
        ends = conn.execute(
            text("SELECT count(*) FROM events WHERE contact_key = 'ast:1546023970.760296' "
                 "AND type = 'contact.ended'")
        ).scalar()  # fmt: skip
    assert n == 2 and ends == 1
    again = import_queue_log(store, path)
    assert again.summary.accepted == 0


def test_follow_reads_appended_lines_survives_rotation_and_resumes(tmp_path: Path) -> None:
    from ccops.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade(engine)
    log = tmp_path / "queue_log"
    lines = (FIXTURES / "queue_log.known_answers").read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:10]))
    stop = threading.Event()
    results = []

    def run() -> None:
        results.append(follow_queue_log(engine, log, stop=stop.is_set, poll_seconds=0.05))

    worker = threading.Thread(target=run)
    worker.start()
    try:
        time.sleep(0.3)
        with log.open("a") as fh:
            fh.write("".join(lines[10:20]))
            fh.write(lines[20].rstrip("\n"))  # a half-written line waits for its end
        time.sleep(0.3)
        with log.open("a") as fh:
            fh.write("\n")
        time.sleep(0.3)
        log.rename(tmp_path / "queue_log.1")  # rotation: a new file at the same path
        log.write_text("".join(lines[21:]))
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive()
    assert len(_contacts(engine)) == 10
    checkpoint = load_checkpoint(engine, log)
    assert checkpoint is not None and checkpoint["offset"] == log.stat().st_size
    # A restart resumes from the checkpoint: nothing is read twice.
    again = follow_queue_log(engine, log, max_idle_seconds=0.1, poll_seconds=0.05)
    assert again.summary.read == 0
    assert sum(Counter(r.summary.read for r in results).elements()) == len(
        [x for x in lines if x.strip()]
    )


def test_follow_reads_a_truncated_file_from_its_start(tmp_path: Path) -> None:
    from ccops.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade(engine)
    log = tmp_path / "queue_log"
    lines = (FIXTURES / "queue_log.known_answers").read_text().splitlines(keepends=True)
    log.write_text("".join(lines))
    first = follow_queue_log(engine, log, max_idle_seconds=0.05, poll_seconds=0.05)
    assert first.summary.read == len([x for x in lines if x.strip()])
    log.write_text("".join(lines[:6]))  # copytruncate-style rotation: same inode, shorter
    again = follow_queue_log(engine, log, max_idle_seconds=0.05, poll_seconds=0.05)
    assert again.summary.read == 6 and again.summary.accepted == 0  # re-read, nothing new
    assert load_checkpoint(engine, log) == {
        "inode": log.stat().st_ino,
        "offset": log.stat().st_size,
        "line": 6,
    }


def test_parsing_a_queue_log_in_a_second_process_stores_what_one_process_does(
    store: Engine, tmp_path: Path
) -> None:
    from ccops.store import make_engine, upgrade

    lines = []
    for name in ("queue_log.asterisk-1.8", "queue_log.asterisk-16", "queue_log.known_answers"):
        lines += (FIXTURES / name).read_text().splitlines(keepends=True)
    lines[5:5] = ["not|a|line\n", "\n"]
    path = tmp_path / "queue_log"
    path.write_text("".join(lines + lines[:9]))  # repeated lines collapse
    single = make_engine(f"sqlite:///{tmp_path / 'single.db'}")
    upgrade(single)
    want = import_queue_log(single, path, batch_size=7, parallel=False)
    got = import_queue_log(store, path, batch_size=7, parallel=True)
    for name in ("read", "blank", "accepted", "duplicates", "rejected", "contacts"):
        assert getattr(got.summary, name) == getattr(want.summary, name), name
    assert got.stats == want.stats
    assert got.summary.rejected == 2  # the bad line, and again among the repeated lines
    mine, theirs = snapshot(store), snapshot(single)
    for table in ("contacts", "agent_states", "queues", "agents", "customers"):
        assert mine[table] == theirs[table], table
    assert [r[:5] for r in mine["events"]] == [r[:5] for r in theirs["events"]]
