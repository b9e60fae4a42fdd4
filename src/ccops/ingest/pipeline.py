"""The ingest path: parse, validate, batch, and hand batches to the store writer.

Every source (the JSONL file reader, the HTTP API, importers, the simulator) goes through
`Ingestor`, so validation, idempotence and reject-keeping are the same for all of them.

A large JSONL file is parsed in a second process: it parses, validates and prepares each batch
(`prepare_batch`: event rows, folds, intervals) while this process writes the previous one, so
the two cores share the work. The store sees exactly the batches a single process would write.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson
from pydantic import BaseModel
from sqlalchemy import Engine

from ccops.events import Event, EventError, parse_event
from ccops.store.writer import (
    BatchResult,
    PreparedBatch,
    RejectedInput,
    StoreWriter,
    dump_batch,
    load_batch,
    paused_gc,
    prepare_batch,
)

DEFAULT_BATCH = 50_000
# Files at least this big are parsed in a second process (when there is a second core).
PARALLEL_BYTES = 8 << 20


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
        self._count_reject(rejected)

    def _count_reject(self, rejected: RejectedInput) -> None:
        self.summary.rejected += 1
        self.summary.rejects_by_reason[_reason_kind(rejected.reason)] += 1
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

    def write_prepared(
        self, batch: PreparedBatch, rejects: list[RejectedInput], read: int, blank: int
    ) -> BatchResult:
        """Write a batch prepared elsewhere (a parsing process) with its rejects and counts."""
        if self._events or self._rejects:
            self.flush()  # anything added here first keeps its place in the order
        self.summary.read += read
        self.summary.blank += blank
        for rejected in rejects:
            self._count_reject(rejected)
        result = self.writer.write_prepared(batch, rejects)
        self.summary.add(result)
        return result

    def close(self) -> IngestSummary:
        """Flush the rest, finish the writer's background work and return the summary."""
        self.flush()
        self.writer.close()
        return self.summary


# A prepared batch as the parsing process sends it: "batch", the batch (`dump_batch`), its
# rejects, lines read, blank lines and bytes consumed.
_Prepared = tuple[str, bytes, list[RejectedInput], int, int, int]


class _Preparer(Ingestor):
    """The parsing process's Ingestor: instead of writing, it prepares each batch and sends it."""

    def __init__(
        self, source: str, batch_size: int, kind: str, send: Callable[[_Prepared], None]
    ) -> None:
        self.source = source
        self.batch_size = batch_size
        self.keep_rejects = 0
        self.summary = IngestSummary()
        self._events = []
        self._bodies = []
        self._rejects = []
        self._kind = kind
        self._send = send
        self._read = self._blank = self._bytes = 0

    def flush(self) -> BatchResult:
        """Prepare what is buffered and send it to the writing process."""
        summary = self.summary
        batch = dump_batch(prepare_batch(self._events, self._bodies, self._kind))
        self._send(
            ("batch", batch, self._rejects, summary.read - self._read,
             summary.blank - self._blank, self._bytes)
        )  # fmt: skip
        self._read, self._blank, self._bytes = summary.read, summary.blank, 0
        self._events = []
        self._bodies = []
        self._rejects = []
        return BatchResult()


# Builds the items a second process prepares: (path, options, on_bytes) -> events and rejects,
# returning the parser's own counts (or None) when it is done.
Producer = Callable[[Path, Any, Callable[[int], None]], Generator[Any, None, Any]]


@dataclass(slots=True, frozen=True)
class SecondProcessJob:
    """What the parsing process is asked to do (pickled to its standard input)."""

    path: str
    source: str
    batch_size: int
    kind: str
    producer: str | None = None  # "module:function" of an importer's Producer; None for JSONL
    options: Any = None
    offset: int = 0  # JSONL: where to start reading (the writing process took the lines before)
    first_line: int = 1  # ... and that line's number


def _jsonl_lines(preparer: _Preparer, job: SecondProcessJob) -> None:
    with open(job.path, "rb") as fh:
        fh.seek(job.offset)
        for number, line in enumerate(fh, start=job.first_line):
            preparer._bytes += len(line)
            preparer.add_raw(number, line)


def _produced(preparer: _Preparer, job: SecondProcessJob) -> Any:
    """Feed an importer's events and rejects to the preparer; return the parser's counts."""
    module, name = cast(str, job.producer).split(":")
    producer: Producer = getattr(importlib.import_module(module), name)

    def on_bytes(size: int) -> None:
        preparer._bytes += size

    items = producer(Path(job.path), job.options, on_bytes)
    add, reject = preparer.add_event, preparer.reject
    while True:
        try:
            item = next(items)
        except StopIteration as done:
            return done.value
        if isinstance(item, BaseModel):  # an event (the models are pydantic's)
            add(cast(Event, item))
        else:  # a rejected record: position, raw and reason
            reject(item.position, item.raw, item.reason)


def _parse_process(fd: str) -> None:
    """The parsing process: read, validate and prepare a file batch by batch.

    The job (`SecondProcessJob`) comes pickled on standard input; `fd` is the pipe the prepared
    batches are pickled into, one after the other, ending with ("done", the parser's counts) or
    ("error", text). When the writing process is gone the pipe breaks and this one ends.
    """
    job: SecondProcessJob = pickle.load(sys.stdin.buffer)
    with os.fdopen(int(fd), "wb") as pipe:

        def send(item: object) -> None:
            pickle.dump(item, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            # Out of the buffer now: the writer cannot finish reading this batch before its
            # last bytes arrive, and would otherwise wait until the next batch was prepared.
            pipe.flush()

        try:
            with paused_gc():
                preparer = _Preparer(job.source, job.batch_size, job.kind, send)
                counts = None
                if job.producer is None:
                    _jsonl_lines(preparer, job)
                else:
                    counts = _produced(preparer, job)
                preparer.flush()
        except BrokenPipeError:
            return
        except Exception as exc:  # the writer re-raises it
            send(("error", f"{type(exc).__name__}: {exc}"))
            return
        send(("done", counts))


def parallel_by_default(path: Path, parallel: bool | None) -> bool:
    """Whether to parse `path` in a second process: as asked, else for big files on 2+ cores."""
    if parallel is not None:
        return parallel
    return (os.cpu_count() or 1) > 1 and path.stat().st_size >= PARALLEL_BYTES


class SecondProcess:
    """A parsing process: started at once (its imports take a moment), given its job later."""

    def __init__(self) -> None:
        read_end, write_end = os.pipe()
        self._worker = subprocess.Popen(
            [sys.executable, "-c", _PARSE_PROCESS, str(write_end)],
            pass_fds=(write_end,),
            stdin=subprocess.PIPE,
        )
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")

    def start(self, job: SecondProcessJob) -> None:
        """Hand the process its job."""
        stdin = self._worker.stdin
        assert stdin is not None
        pickle.dump(job, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.close()
        self._path = job.path

    def write_batches(
        self, ingestor: Ingestor, on_progress: Callable[[int], None] | None = None
    ) -> Any:
        """Write each batch the process prepares, in order; return its parser's counts."""
        while True:
            try:
                item = pickle.load(self._pipe)
            except EOFError:
                raise RuntimeError(
                    f"the parsing process ended early (exit status {self._worker.wait()})"
                ) from None
            if item[0] == "done":
                return item[1]
            if item[0] == "error":
                raise RuntimeError(f"parsing {self._path} failed: {item[1]}")
            _, batch, rejects, read, blank, size = item
            ingestor.write_prepared(load_batch(batch), rejects, read, blank)
            if on_progress is not None:
                on_progress(size)

    def close(self) -> None:
        """End the process (if it is still running) and release the pipe."""
        if self._worker.poll() is None:
            self._worker.kill()
        self._worker.wait()
        if self._worker.stdin is not None and not self._worker.stdin.closed:
            self._worker.stdin.close()
        self._pipe.close()


def write_from_second_process(
    ingestor: Ingestor,
    job: SecondProcessJob,
    on_progress: Callable[[int], None] | None = None,
) -> Any:
    """Write the batches a second process parses and prepares from `job`; return its counts.

    The store sees exactly the batches the ingestor would have written itself.
    """
    worker = SecondProcess()
    try:
        worker.start(job)
        return worker.write_batches(ingestor, on_progress)
    finally:
        worker.close()


def ingest_jsonl(
    engine: Engine | StoreWriter,
    path: Path,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> IngestSummary:
    """Ingest a JSONL file of canonical events (one per line); bad lines are kept as rejects.

    `parallel` parses in a second process while this one writes (default: for files of
    `PARALLEL_BYTES` or more on a machine with two cores or more); the result is the same.
    """
    ingestor = Ingestor(engine, source=str(path), batch_size=batch_size)
    if not parallel_by_default(path, parallel):
        with paused_gc(), path.open("rb") as fh:
            for number, line in enumerate(fh, start=1):
                ingestor.add_raw(number, line)
                if on_progress is not None:
                    on_progress(len(line))
        return ingestor.close()
    # This process parses the first batch itself and writes it while the second one starts up
    # and parses the next: lines are independent, so the file can be split where a batch ends.
    worker = SecondProcess()
    try:
        ingestor.batch_size = batch_size + 1  # no write yet: the batch is written below
        offset = number = 0
        with paused_gc(), path.open("rb") as fh:
            for line in iter(fh.readline, b""):
                number += 1
                offset += len(line)
                ingestor.add_raw(number, line)
                if len(ingestor._events) >= batch_size:
                    break
            more = fh.readline() != b""
        ingestor.batch_size = batch_size
        if more:
            worker.start(
                SecondProcessJob(
                    str(path), str(path), batch_size, ingestor.writer.kind,
                    offset=offset, first_line=number + 1,
                )
            )  # fmt: skip
        with paused_gc():
            ingestor.flush()
        if on_progress is not None:
            on_progress(offset)
        if more:
            worker.write_batches(ingestor, on_progress)
    finally:
        worker.close()
    return ingestor.close()


_PARSE_PROCESS = (
    "import sys; from ccops.ingest.pipeline import _parse_process; _parse_process(sys.argv[1])"
)


def ingest_events(
    engine: Engine | StoreWriter,
    events: Iterable[Event],
    source: str,
    batch_size: int = DEFAULT_BATCH,
) -> IngestSummary:
    """Ingest events produced in-process (importers, the simulator)."""
    ingestor = Ingestor(engine, source=source, batch_size=batch_size)
    with paused_gc():
        for event in events:
            ingestor.add_event(event)
        return ingestor.close()
