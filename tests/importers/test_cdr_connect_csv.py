"""Master.csv, Amazon Connect contact records and mapped CSV: facts, rejects, idempotence."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from ccops.ingest.asterisk import ParseStats, Rejected, channel_peer, import_cdr, parse_cdr
from ccops.ingest.connect import import_connect, parse_connect
from ccops.ingest.mapped_csv import (
    MappingError,
    import_mapped_csv,
    load_mapping,
    mapping_from_dict,
    parse_mapped_csv,
)
from tests.importers.test_asterisk_queue_log import _contacts
from tests.store_snapshot import snapshot

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_channel_names_become_the_device_behind_them() -> None:
    assert channel_peer("SIP/1001-0000000a") == "SIP/1001"
    assert channel_peer("PJSIP/alice-00000003") == "PJSIP/alice"
    assert channel_peer("Local/100@agents-00000012;2") == "Local/100@agents"


def test_master_csv_with_18_columns_builds_calls_outside_queues(store: Engine) -> None:
    result = import_cdr(store, FIXTURES / "Master.18col.csv")
    s = result.summary
    assert (s.read, s.blank, s.rejected) == (5, 1, 0)
    assert result.stats.ignored["Queue call (import its queue_log instead)"] == 1
    got = {k.split(":")[1]: v for k, v in _contacts(store).items()}
    assert got["1767603600.1"]["agent"] == "SIP/1001"
    assert (got["1767603600.1"]["wait_seconds"], got["1767603600.1"]["talk_seconds"]) == (5, 120)
    assert got["1767603600.1"]["queue"] == "from-external"
    assert got["1767604200.3"]["outcome"] == "abandoned"
    assert got["1767605400.6"]["outcome"] == "contained_in_ivr"  # voicemail app, no person
    assert got["1767606000.7"]["outcome"] == "abandoned"  # BUSY


def test_master_csv_with_21_columns_and_a_duplicated_row(store: Engine) -> None:
    result = import_cdr(store, FIXTURES / "Master.21col.csv")
    assert result.summary.rejected == 0 and result.summary.read == 3
    assert len(_contacts(store)) == 2
    before = snapshot(store)
    assert import_cdr(store, FIXTURES / "Master.21col.csv").summary.accepted == 0
    assert snapshot(store) == before


def test_master_csv_times_are_read_in_the_given_zone() -> None:
    from ccops.ingest.asterisk import CdrOptions

    events = [
        e
        for e in parse_cdr(
            (FIXTURES / "Master.21col.csv").open("rb"), options=CdrOptions("Europe/Madrid")
        )
        if not isinstance(e, Rejected)
    ]
    assert events[0].at.isoformat() == "2026-01-06T09:00:00+00:00"


def test_the_real_testsuite_master_csv_files_import(store: Engine, shared_dir: Path) -> None:
    folder = shared_dir / "realdata" / "asterisk"
    first = import_cdr(store, folder / "Master.testsuite.csv")
    second = import_cdr(store, folder / "Master2.testsuite.csv")
    assert first.summary.rejected == second.summary.rejected == 0
    assert first.summary.read == 2 and second.summary.read == 1
    # Master2's one row repeats Master's first: the same contact, nothing new.
    assert second.summary.accepted == 0
    contacts = _contacts(store)
    assert len(contacts) == 2
    assert {c["outcome"] for c in contacts.values()} == {"contained_in_ivr"}


def test_bad_master_csv_rows_are_rejected_with_the_column_named() -> None:
    good = (FIXTURES / "Master.21col.csv").read_text().splitlines()[0]
    bad_time = good.replace("2026-01-06 10:00:00", "yesterday", 1)
    items = list(parse_cdr([good + "\n", '"a","b"\n', bad_time + "\n"]))
    rejects = [i for i in items if isinstance(i, Rejected)]
    assert [(r.position, r.reason.split(":")[0]) for r in rejects] == [(2, "columns"), (3, "start")]


def _records() -> list[dict[str, object]]:
    lines = (FIXTURES / "connect_ctr.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:8] if line.strip()]


@pytest.mark.parametrize("layout", ["lines", "array", "firehose"])
def test_connect_records_read_the_same_from_lines_an_array_or_firehose(layout: str) -> None:
    records = _records()
    if layout == "lines":
        data = "\n".join(json.dumps(r) for r in records).encode()
    elif layout == "array":
        data = json.dumps(records, indent=2).encode()
    else:
        data = "".join(json.dumps(r) for r in records).encode()
    items = list(parse_connect(io.BytesIO(data)))
    assert not [i for i in items if isinstance(i, Rejected)]
    assert len({e.contact for e in items}) == 7  # type: ignore[union-attr]


def test_connect_records_become_contacts_with_amazons_abandonment(store: Engine) -> None:
    result = import_connect(store, FIXTURES / "connect_ctr.jsonl")
    assert result.summary.rejected == 2
    got = {k.split(":", 1)[1]: v for k, v in _contacts(store).items()}
    handled = got["c-handled"]
    assert (handled["queue"], handled["agent"], handled["customer"]) == (
        "Billing",
        "alice",
        "+15550000001",
    )
    assert (handled["wait_seconds"], handled["talk_seconds"], handled["hold_seconds"]) == (
        15,
        255,
        20,
    )
    assert handled["outcome"] == "handled"
    assert got["c-abandoned"]["outcome"] == "abandoned"
    assert got["c-abandoned"]["wait_seconds"] == 40
    assert got["c-ivr"]["outcome"] == "contained_in_ivr"
    assert got["c-transfer"]["outcome"] == "transferred"
    assert got["c-callback"]["outcome"] == "callback_requested"
    assert got["c-flow-ended"]["outcome"] == "contained_in_ivr"  # not a customer disconnect
    with store.connect() as conn:
        acw = conn.execute(
            text("SELECT acw_seconds FROM contacts WHERE key = 'connect:c-handled'")
        ).scalar()
        rejects = conn.execute(text("SELECT position, reason FROM rejects ORDER BY position")).all()
    assert acw == 30
    assert [r[0] for r in rejects] == [10, 11]
    assert rejects[1][1].startswith("InitiationTimestamp")


def test_the_bank_example_imports_through_its_mapping(store: Engine) -> None:
    mapping = load_mapping(EXAMPLES / "bank-calls.mapping.toml")
    result = import_mapped_csv(store, EXAMPLES / "bank-calls.csv", mapping)
    assert result.summary.rejected == 0
    assert result.stats.ignored["outcome PHANTOM (skip)"] == 1
    got = _contacts(store)
    assert len(got) == 6
    served = got["bank:33118"]
    assert (served["queue"], served["agent"], served["customer"]) == ("PS", "MICHAL", "27723086")
    assert (served["wait_seconds"], served["talk_seconds"], served["outcome"]) == (
        17,
        54,
        "handled",
    )
    assert got["bank:33116"]["outcome"] == "abandoned" and got["bank:33116"]["wait_seconds"] == 153
    assert got["bank:33119"]["wait_seconds"] == 0  # never queued: offered as it left the VRU
    before = snapshot(store)
    assert import_mapped_csv(store, EXAMPLES / "bank-calls.csv", mapping).summary.accepted == 0
    assert snapshot(store) == before


def test_a_bad_csv_row_is_rejected_naming_its_column() -> None:
    mapping = load_mapping(EXAMPLES / "bank-calls.mapping.toml")
    lines = (EXAMPLES / "bank-calls.csv").read_text().splitlines(keepends=True)
    broken = lines[3].replace("6:55:43,6:56:37", "25:99:00,6:56:37")
    unknown = lines[4].replace("AGENT", "MAYBE")
    items = list(parse_mapped_csv([lines[0], broken, unknown, "1,2\n"], mapping))
    rejects = [i for i in items if isinstance(i, Rejected)]
    assert [(r.position, r.reason.split(":")[0]) for r in rejects] == [
        (2, "date+ser_start"),
        (3, "outcome"),
        (4, "columns"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fields": {"queue": "q"}}, "fields.offered_at: required"),
        ({"fields": {"offered_at": "t"}}, "fields.queue or constants.queue"),
        ({"fields": {"offered_at": "t", "queue": "q", "colour": "c"}}, "fields.colour"),
        ({"fields": {"offered_at": "t", "queue": "q"}, "outcomes": {"X": "won"}}, "outcomes.X"),
        ({"fields": {"offered_at": "t", "queue": "q"}, "time": {"timezone": "Mars/Base"}},
         "time.timezone"),
    ],
)  # fmt: skip
def test_a_wrong_mapping_is_refused_naming_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(MappingError, match=message.replace(".", r"\.")):
        mapping_from_dict(data)


def test_stats_count_blank_csv_lines() -> None:
    mapping = mapping_from_dict(
        {"fields": {"offered_at": "t", "queue": "q", "contact": "id"}, "time": {"format": "%H:%M"}}
    )
    stats = ParseStats()
    items = list(parse_mapped_csv(["id,q,t\n", "\n", "1,a,10:00\n"], mapping, stats))
    assert (stats.lines, stats.blank, len(items)) == (1, 1, 1)


@pytest.mark.parametrize("importer", ["asterisk-cdr", "amazon-connect", "csv"])
def test_each_importer_stores_the_same_parsing_in_a_second_process_or_in_one(
    importer: str, store: Engine, tmp_path: Path
) -> None:
    from ccops.ingest.asterisk import ImportResult
    from ccops.store import make_engine, upgrade

    def run(engine: Engine, parallel: bool) -> ImportResult:
        if importer == "asterisk-cdr":
            return import_cdr(
                engine, FIXTURES / "Master.18col.csv", batch_size=2, parallel=parallel
            )
        if importer == "amazon-connect":
            path = FIXTURES / "connect_ctr.jsonl"
            return import_connect(engine, path, batch_size=3, parallel=parallel)
        mapping = load_mapping(EXAMPLES / "bank-calls.mapping.toml")
        path = EXAMPLES / "bank-calls.csv"
        return import_mapped_csv(engine, path, mapping, batch_size=4, parallel=parallel)

    single = make_engine(f"sqlite:///{tmp_path / 'single.db'}")
    upgrade(single)
    want, got = run(single, False), run(store, True)
    assert got.stats == want.stats
    for name in ("read", "blank", "accepted", "duplicates", "rejected", "contacts"):
        assert getattr(got.summary, name) == getattr(want.summary, name), name
    assert got.summary.accepted > 0
    assert snapshot(store) == snapshot(single)
