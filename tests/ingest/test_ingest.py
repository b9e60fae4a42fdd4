"""The one ingest path, on SQLite and PostgreSQL: idempotent, order-free, keeps every bad line."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, text
from tests.factories import contact_events
from tests.store_snapshot import snapshot

from ccops.ingest.pipeline import ingest_jsonl
from ccops.store.writer import StoreWriter


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _lines(n: int = 300, seed: int = 3) -> list[bytes]:
    return [orjson.dumps(e) for e in contact_events(n, seed=seed)]


def test_ingesting_the_same_file_twice_leaves_the_store_identical(
    store: Engine, tmp_path: Path
) -> None:
    path = _write(tmp_path / "events.jsonl", _lines())
    first = ingest_jsonl(store, path, batch_size=97)
    before = snapshot(store)
    second = ingest_jsonl(store, path, batch_size=50)
    assert first.accepted == len(_lines()) and first.rejected == 0
    assert second.accepted == 0 and second.duplicates == first.accepted
    assert snapshot(store) == before


def test_events_in_any_order_and_any_batching_build_the_same_facts(
    store: Engine, tmp_path: Path, store_url: str
) -> None:
    lines = _lines(200, seed=5)
    shuffled = lines[:]
    random.Random(11).shuffle(shuffled)
    ingest_jsonl(store, _write(tmp_path / "shuffled.jsonl", shuffled), batch_size=13)
    got = snapshot(store)

    from ccops.store import make_engine, upgrade

    other = make_engine(f"sqlite:///{tmp_path / 'ordered.db'}")
    upgrade(other)
    ingest_jsonl(other, _write(tmp_path / "ordered.jsonl", lines), batch_size=10_000)
    want = snapshot(other)
    for table in ("contacts", "agent_states", "queues", "agents", "customers"):
        assert got[table] == want[table], table


def test_a_file_with_one_percent_bad_lines_keeps_every_valid_line_and_names_each_bad_one(
    store: Engine, tmp_path: Path
) -> None:
    lines = _lines(400, seed=9)
    rng = random.Random(2)
    bad_at: dict[int, bytes] = {}
    for _ in range(len(lines) // 100):
        pos = rng.randrange(len(lines))
        garbage = rng.choice(
            [
                b'{"id": "x", "type": "contact.offered"}',
                b"not json at all",
                b'{"id":"y","type":"agent.state","at":"2026-01-01T00:00:00Z",'
                b'"agent":"a","state":"dancing"}',
                b"[1, 2, 3]",
            ]
        )
        lines.insert(pos, garbage)
    for number, line in enumerate(lines, start=1):
        if line.startswith((b"not", b"[")) or b'"x"' in line or b"dancing" in line:
            bad_at[number] = line
    lines.insert(10, b"")  # a blank line is not an error
    bad_at = {(n + 1 if n >= 11 else n): v for n, v in bad_at.items()}
    summary = ingest_jsonl(store, _write(tmp_path / "dirty.jsonl", lines), batch_size=64)

    assert summary.rejected == len(bad_at)
    assert summary.blank == 1
    assert summary.accepted == len(lines) - 1 - len(bad_at)
    with store.connect() as conn:
        kept = dict(conn.execute(text("SELECT position, raw FROM rejects")).tuples().all())
        stored = conn.execute(text("SELECT count(*) FROM events")).scalar()
        reasons = conn.execute(text("SELECT reason FROM rejects")).scalars().all()
    assert {n: v.decode() for n, v in bad_at.items()} == kept
    assert stored == summary.accepted
    assert all(r for r in reasons)


def test_resending_an_event_with_an_id_already_stored_changes_nothing(store: Engine) -> None:
    from ccops.events import parse_event

    writer = StoreWriter(store)
    events = [parse_event(e) for e in contact_events(20, seed=4)]
    writer.write(events)
    before = snapshot(store)
    result = writer.write(events[:7] + events[:7])
    assert result.accepted == 0 and result.duplicates == 14
    assert snapshot(store) == before


def test_a_contact_split_across_batches_is_refolded_from_all_its_events(store: Engine) -> None:
    from ccops.events import parse_event

    writer = StoreWriter(store)
    offer, answer, end, wrap = (
        parse_event(
            {
                "id": "o",
                "type": "contact.offered",
                "at": "2026-01-05T09:00:00Z",
                "contact": "c",
                "queue": "q",
            }
        ),
        parse_event(
            {
                "id": "a",
                "type": "contact.answered",
                "at": "2026-01-05T09:00:30Z",
                "contact": "c",
                "agent": "ann",
            }
        ),
        parse_event(
            {"id": "e", "type": "contact.ended", "at": "2026-01-05T09:02:30Z", "contact": "c"}
        ),
        parse_event(
            {"id": "w", "type": "contact.wrapped", "at": "2026-01-05T09:03:00Z", "contact": "c"}
        ),
    )
    for batch in ([end], [wrap, answer], [offer]):
        writer.write(batch)
    with store.connect() as conn:
        row = conn.execute(
            text("SELECT outcome, wait_seconds, talk_seconds, acw_seconds FROM contacts")
        ).one()
        count = conn.execute(text("SELECT count(*) FROM contacts")).scalar()
    assert count == 1
    assert tuple(row) == ("handled", 30.0, 120.0, 30.0)


def test_parsing_in_a_second_process_stores_exactly_what_one_process_does(
    store: Engine, tmp_path: Path
) -> None:
    lines = _lines(400, seed=13)
    random.Random(4).shuffle(lines)  # out of order, so batches re-fold contacts and states
    lines[17:17] = [b"not json at all", b"", b'{"id": "x", "type": "contact.offered"}']
    path = _write(tmp_path / "events.jsonl", lines + lines[:50])  # repeats within the file

    from ccops.store import make_engine, upgrade

    single = make_engine(f"sqlite:///{tmp_path / 'single.db'}")
    upgrade(single)
    want = ingest_jsonl(single, path, batch_size=101, parallel=False)
    got = ingest_jsonl(store, path, batch_size=101, parallel=True)
    for name in ("read", "blank", "accepted", "duplicates", "rejected", "contacts"):
        assert getattr(got, name) == getattr(want, name), name
    assert got.state_intervals == want.state_intervals
    assert got.rejects_by_reason == want.rejects_by_reason
    assert [(r.position, r.raw) for r in got.rejects] == [(r.position, r.raw) for r in want.rejects]
    mine, theirs = snapshot(store), snapshot(single)
    for table in ("contacts", "agent_states", "queues", "agents", "customers", "rejects"):
        assert mine[table] == theirs[table], table
    assert [r[:5] for r in mine["events"]] == [r[:5] for r in theirs["events"]]

    again = ingest_jsonl(store, path, batch_size=101, parallel=True)
    assert again.accepted == 0 and again.duplicates == want.accepted + want.duplicates
    assert snapshot(store) == mine


def test_background_checkpoints_keep_the_sqlite_log_bounded_and_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ccops.store import make_engine, upgrade
    from ccops.store import writer as store_writer

    monkeypatch.setattr(store_writer, "BACKGROUND_CHECKPOINT_EVENTS", 50)
    lines = _lines(600, seed=21)
    random.Random(8).shuffle(lines)
    path = _write(tmp_path / "events.jsonl", lines)
    stores, largest_log = {}, {}
    # "usual": no background thread, each commit checkpoints as usual; "bounded": background
    # checkpoints and a 64 KB bound; "unchecked": the background thread is never asked to
    # checkpoint, so the log keeps every batch (a yardstick that does not depend on timing).
    for name, bound in (("usual", None), ("unchecked", 1 << 40), ("bounded", 64 << 10)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        writer = StoreWriter(engine)
        with monkeypatch.context() as patch:
            if bound is None:
                writer._wal_path = None
            else:
                patch.setattr(store_writer, "WAL_BOUND_BYTES", bound)
            if name == "unchecked":
                patch.setattr(store_writer.WalCheckpointer, "committed", lambda self: None)
            largest = 0
            real_write = writer.write_prepared

            wal = Path(f"{engine.url.database}-wal")

            def write_and_measure(
                *args: Any, _real: Any = real_write, _wal: Path = wal, **kwargs: Any
            ) -> Any:
                nonlocal largest
                result = _real(*args, **kwargs)
                largest = max(largest, _wal.stat().st_size if _wal.exists() else 0)
                return result

            writer.write_prepared = write_and_measure  # type: ignore[method-assign]
            ingest_jsonl(writer, path, batch_size=100, parallel=False)
            assert writer._checkpointer is None  # the ingest waited for its last checkpoint
            stores[name], largest_log[name] = snapshot(engine), largest
    assert stores["bounded"] == stores["usual"] == stores["unchecked"]
    # Bounded, the log starts again whenever it has passed the bound and stays far smaller.
    assert largest_log["bounded"] < largest_log["unchecked"] / 2


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_prepared_batch_crosses_to_the_writing_process_unchanged(kind: str) -> None:
    from ccops.events import parse_event
    from ccops.store.writer import dump_batch, load_batch, prepare_batch

    events = [parse_event(line) for line in _lines(120, seed=5)]
    batch = prepare_batch(events, kind=kind)
    assert batch.contacts and batch.states
    assert load_batch(dump_batch(batch)) == batch
