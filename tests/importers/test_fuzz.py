"""Fuzzing every importer's parser: garbage never crashes an import, and is always reported."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccops.events import parse_event
from ccops.ingest.asterisk import ParseStats, Rejected, parse_cdr, parse_queue_log
from ccops.ingest.connect import parse_connect
from ccops.ingest.mapped_csv import load_mapping, parse_mapped_csv

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EVENTS = ["ENTERQUEUE", "CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT",
          "EXITWITHKEY", "EXITEMPTY", "WITHDRAW", "RINGNOANSWER", "RINGCANCELED", "TRANSFER",
          "BLINDTRANSFER", "ATTENDEDTRANSFER", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE",
          "PAUSEALL", "UNPAUSEALL", "AGENTLOGIN", "AGENTLOGOFF", "DID", "QUEUESTART"]  # fmt: skip
field = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["NONE", "", "0", "-1", "1700000000", "12.5", "x" * 250, "\x00", "PAUSED"]),
    st.integers(min_value=-10, max_value=10**12).map(str),
)
queue_log_line = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda ts, callid, queue, agent, event, data: "|".join(
            [ts, callid, queue, agent, event, *data]
        ),
        st.one_of(st.integers(min_value=-5, max_value=5 * 10**9).map(str), field),
        field,
        field,
        field,
        st.one_of(st.sampled_from(EVENTS), field),
        st.lists(field, max_size=6),
    ),
)


def _check(items: list[object], stats: ParseStats, records: int) -> None:
    """Every item is a valid event or a reject with a reason; every record was counted."""
    for item in items:
        if isinstance(item, Rejected):
            assert item.reason and item.position >= 1
            assert "\x00" not in item.raw  # PostgreSQL text cannot hold NUL
        else:
            assert parse_event(item.model_dump_json(exclude_none=True)) == item  # type: ignore[attr-defined]
    assert stats.lines + stats.blank <= records


@SETTINGS
@given(st.lists(queue_log_line, max_size=20))
def test_garbage_queue_log_lines_never_crash_and_are_reported(lines: list[str]) -> None:
    text = [line.replace("\n", " ").replace("\r", " ") + "\n" for line in lines]
    stats = ParseStats()
    items = list(parse_queue_log([t.encode("utf-8", "surrogatepass") for t in text], stats))
    _check(items, stats, len(text))
    assert stats.lines + stats.blank == len(text)


@SETTINGS
@given(st.lists(st.lists(field, min_size=0, max_size=22), max_size=10), st.binary(max_size=60))
def test_garbage_master_csv_rows_never_crash(rows: list[list[str]], noise: bytes) -> None:
    text = "".join(",".join(f'"{c}"' for c in row) + "\n" for row in rows).encode() + noise
    stats = ParseStats()
    items = list(parse_cdr(io.BytesIO(text), stats))
    _check(items, stats, text.count(b"\n") + 1)


json_value = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
ctr_like = st.fixed_dictionaries(
    {"ContactId": st.one_of(st.text(max_size=10), st.integers())},
    optional={
        "InitiationTimestamp": st.one_of(
            st.sampled_from(["2026-03-02T09:00:00Z", "x", ""]), json_value
        ),
        "DisconnectTimestamp": st.sampled_from(["2026-03-02T09:05:00Z", "2026-03-02T09:05:00"]),
        "Queue": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
            "Name": st.one_of(st.text(max_size=5), json_value),
            "EnqueueTimestamp": st.sampled_from(["2026-03-02T09:01:00Z", "bad"]),
        })),
        "Agent": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
            "Username": json_value,
            "ConnectedToAgentTimestamp": st.sampled_from(["2026-03-02T09:02:00Z", "bad"]),
            "AgentInteractionDuration": json_value,
            "CustomerHoldDuration": st.one_of(st.integers(), st.floats(allow_nan=False)),
        })),
        "DisconnectReason": st.sampled_from(["CUSTOMER_DISCONNECT", "AGENT_DISCONNECT", ""]),
        "Attributes": json_value,
    },
)  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(ctr_like, json_value), max_size=8), st.binary(max_size=40))
def test_garbage_connect_records_never_crash(records: list[object], noise: bytes) -> None:
    import json

    data = "\n".join(json.dumps(r) for r in records).encode() + b"\n" + noise
    stats = ParseStats()
    items = list(parse_connect(io.BytesIO(data), stats))
    for item in items:
        if isinstance(item, Rejected):
            assert item.reason and "\x00" not in item.raw
        else:
            assert parse_event(item.model_dump_json(exclude_none=True)) == item


@SETTINGS
@given(st.lists(st.lists(field, min_size=17, max_size=17), max_size=8))
def test_garbage_mapped_csv_rows_never_crash(rows: list[list[str]]) -> None:
    mapping = load_mapping(EXAMPLES / "bank-calls.mapping.toml")
    header = (EXAMPLES / "bank-calls.csv").read_text().splitlines()[0]
    lines = [header + "\n"] + [",".join(f'"{c}"' for c in row) + "\n" for row in rows]
    stats = ParseStats()
    items = list(parse_mapped_csv(lines, mapping, stats))
    _check(items, stats, len(lines))
