"""The ingest path: parse, validate, batch, and hand batches to the store writer.

Every source (the JSONL file reader, the HTTP API, importers, the simulator) goes through
`Ingestor`, so validation, idempotence and reject-keeping are the same for all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from ccops.events import Event, EventError, parse_event
from ccops.store.writer import BatchResult, RejectedInput, StoreWriter

DEFAULT_BATCH = 50_000


@dataclass(slots=True)
class IngestSummary:
    """What an ingest run did: lines read, events accepted or skipped, rejects by reason."""

    read: int = 0
    blank: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    contacts: int = 0
    state_intervals: int = 0
    rejects_by_reason: Counter[str] = field(default_factory=Counter)
    rejects: list[RejectedInput] = field(default_factory=list)

    def add(self, batch: BatchResult) -> None:
        """Fold one batch's result into the summary."""
        self.accepted += batch.accepted
        self.duplicates += batch.duplicates
        self.contacts += batch.contacts
        self.state_intervals += batch.state_intervals


def _reason_kind(reason: str) -> str:
    """A short grouping key for a reject reason (its first clause)."""
    return reason.split(";")[0].split(": ", 1)[0] if ": " in reason else reason[:60]


class Ingestor:
    """Collects events from one source and writes them to the store in atomic batches."""

    def __init__(
        self,
        engine: Engine | StoreWriter,
        source: str,
        batch_size: int = DEFAULT_BATCH,
        keep_rejects: int = 1000,
    ) -> None:
        self.writer = engine if isinstance(engine, StoreWriter) else StoreWriter(engine)
        self.source = source
        self.batch_size = batch_size
        self.keep_rejects = keep_rejects
        self.summary = IngestSummary()
        self._events: list[Event] = []
        self._bodies: list[str | None] = []
        self._rejects: list[RejectedInput] = []

    def add_raw(self, position: int, raw: str | bytes) -> None:
        """Parse one JSON event at `position` (line number or index); reject it with a reason."""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if not text.strip():
            self.summary.blank += 1
            return
        self.summary.read += 1
        try:
            event = parse_event(raw)
        except EventError as exc:
            self.reject(position, text.rstrip("\r\n"), exc.reason)
            return
        self._push(event, text.strip())

    def add_parsed(self, position: int, data: dict[str, Any]) -> None:
        """Validate one event already decoded from JSON (the API's batches)."""
        self.summary.read += 1
        try:
            event = parse_event(data)
        except EventError as exc:
            self.reject(position, orjson.dumps(data).decode()[:10000], exc.reason)
            return
        self._push(event)

    def add_event(self, event: Event, body: str | None = None) -> None:
        """Add a built event (from an importer or the simulator), with its JSON if known."""
        self.summary.read += 1
        self._push(event, body)

    def reject(self, position: int, raw: str, reason: str) -> None:
        """Keep an input that could not be accepted, with its position and reason."""
        rejected = RejectedInput(self.source, position, reason, raw)
        self._rejects.append(rejected)
        self.summary.rejected += 1
        self.summary.rejects_by_reason[_reason_kind(reason)] += 1
        if len(self.summary.rejects) < self.keep_rejects:
            self.summary.rejects.append(rejected)

    def _push(self, event: Event, body: str | None = None) -> None:
        self._events.append(event)
        self._bodies.append(body)
        if len(self._events) >= self.batch_size:
            self.flush()

    def flush(self) -> BatchResult:
        """Write what is buffered as one transaction."""
        result = self.writer.write(self._events, self._rejects, self._bodies)
        self.summary.add(result)
        self._events = []
        self._bodies = []
        self._rejects = []
        return result

    def close(self) -> IngestSummary:
        """Flush the rest and return the summary."""
        self.flush()
        return self.summary


def ingest_jsonl(
    engine: Engine | StoreWriter,
    path: Path,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Ingest a JSONL file of canonical events (one per line); bad lines are kept as rejects."""
    ingestor = Ingestor(engine, source=str(path), batch_size=batch_size)
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            ingestor.add_raw(number, line)
            if on_progress is not None:
                on_progress(len(line))
    return ingestor.close()


def ingest_events(
    engine: Engine | StoreWriter,
    events: Iterable[Event],
    source: str,
    batch_size: int = DEFAULT_BATCH,
) -> IngestSummary:
    """Ingest events produced in-process (importers, the simulator)."""
    ingestor = Ingestor(engine, source=source, batch_size=batch_size)
    for event in events:
        ingestor.add_event(event)
    return ingestor.close()
