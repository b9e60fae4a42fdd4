"""Any per-contact CSV, read through a declared column mapping (TOML) and time format.

`load_mapping` reads and checks a mapping file; `parse_mapped_csv` turns rows into canonical
events or rejects; `import_mapped_csv` feeds an Ingestor. docs/importers.md describes the mapping
keys; examples/bank-calls.mapping.toml is a complete example.
"""

from __future__ import annotations

import csv
import hashlib
import tomllib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from ccops.events import Channel, Direction, Event, Outcome
from ccops.ingest.asterisk import (
    MAX_KEY,
    MAX_SECONDS,
    MAX_TEXT,
    ImportResult,
    ParseStats,
    Rejected,
    abandoned,
    answered,
    ended,
    event_id,
    import_file,
    offered,
    progress_lines,
    wrapped,
)
from ccops.ingest.pipeline import DEFAULT_BATCH
from ccops.store.writer import StoreWriter

TIME_FIELDS = ("offered_at", "answered_at", "abandoned_at", "ended_at", "wrapped_at")
SECONDS_FIELDS = ("talk_seconds", "hold_seconds", "acw_seconds")
TEXT_FIELDS = ("contact", "queue", "customer", "agent", "segment", "reason", "disposition")
OTHER_FIELDS = ("priority", "vip_tier", "channel", "direction", "outcome")
ALL_FIELDS = TIME_FIELDS + SECONDS_FIELDS + TEXT_FIELDS + OTHER_FIELDS
SKIP = "skip"
OUTCOME_VALUES = frozenset(o.value for o in Outcome)


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the key."""


@dataclass(slots=True)
class Mapping:
    """A checked column mapping: which columns hold which canonical fields, and how to read them."""

    source: str
    delimiter: str = ","
    encoding: str = "utf-8"
    header: bool = True
    columns: list[str] | None = None
    time_format: str = "%Y-%m-%d %H:%M:%S"
    empty_times: frozenset[str] = frozenset(("",))
    zone: Any = UTC
    fields: dict[str, str] = field(default_factory=dict)
    times: dict[str, list[list[str]]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)


def _times(name: str, spec: Any) -> list[list[str]]:
    """A time spec: "col", ["date", "time"] (joined with a space), or a list of those."""
    if isinstance(spec, str):
        return [[spec]]
    if isinstance(spec, list) and spec and all(isinstance(s, str) for s in spec):
        return [list(spec)]
    if isinstance(spec, list) and spec and all(isinstance(s, list) for s in spec):
        return [_times(name, s)[0] for s in spec]
    raise MappingError(f"fields.{name}: a column, a list of columns, or a list of such lists")


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; raise MappingError naming the key that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc}") from None
    return mapping_from_dict(data, default_source=path.stem.split(".")[0])


def mapping_from_dict(data: dict[str, Any], default_source: str = "csv") -> Mapping:
    """A checked Mapping from the TOML's tables ([csv], [time], [fields], ...)."""
    known = {"csv", "time", "fields", "constants", "outcomes", "attributes"}
    unknown = set(data) - known
    if unknown:
        raise MappingError(f"unknown table(s) {sorted(unknown)}; known: {sorted(known)}")
    csv_t = data.get("csv", {})
    time_t = data.get("time", {})
    source = str(csv_t.get("source", default_source))
    if not source or len(source) > 40 or ":" in source:
        raise MappingError("csv.source: 1-40 characters, no ':' (it prefixes contact keys)")
    mapping = Mapping(
        source=source,
        delimiter=str(csv_t.get("delimiter", ",")),
        encoding=str(csv_t.get("encoding", "utf-8")),
        header=bool(csv_t.get("header", True)),
        columns=csv_t.get("columns"),
        time_format=str(time_t.get("format", "%Y-%m-%d %H:%M:%S")),
        empty_times=frozenset(str(v) for v in time_t.get("empty", [""])) | {""},
    )
    if len(mapping.delimiter) != 1:
        raise MappingError("csv.delimiter: exactly one character")
    if not mapping.header and not mapping.columns:
        raise MappingError("csv.columns: required when csv.header = false")
    zone_name = str(time_t.get("timezone", "UTC"))
    try:
        mapping.zone = UTC if zone_name.upper() == "UTC" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"time.timezone: unknown time zone {zone_name!r}") from None
    for name, spec in data.get("fields", {}).items():
        if name not in ALL_FIELDS:
            raise MappingError(f"fields.{name}: not a field; known: {', '.join(ALL_FIELDS)}")
        if name in TIME_FIELDS:
            mapping.times[name] = _times(name, spec)
        elif isinstance(spec, str):
            mapping.fields[name] = spec
        else:
            raise MappingError(f"fields.{name}: the name of a column")
    for name, value in data.get("constants", {}).items():
        if name not in ALL_FIELDS or name in TIME_FIELDS:
            raise MappingError(f"constants.{name}: not a field that can be constant")
        mapping.constants[name] = str(value)
    outcomes = {o.value for o in Outcome} | {SKIP}
    for value, outcome in data.get("outcomes", {}).items():
        if outcome not in outcomes:
            raise MappingError(f"outcomes.{value}: {outcome!r} is not one of {sorted(outcomes)}")
        mapping.outcomes[str(value)] = outcome
    mapping.attributes = {str(k): str(v) for k, v in data.get("attributes", {}).items()}
    if "offered_at" not in mapping.times:
        raise MappingError("fields.offered_at: required (when the contact entered the queue)")
    if "queue" not in mapping.fields and "queue" not in mapping.constants:
        raise MappingError("fields.queue or constants.queue: required")
    try:
        for channel in ("channel",):
            if channel in mapping.constants:
                Channel(mapping.constants[channel])
        if "direction" in mapping.constants:
            Direction(mapping.constants["direction"])
    except ValueError as exc:
        raise MappingError(f"constants: {exc}") from None
    return mapping


class _Bad(Exception):
    """A row's column is wrong; the message names the column."""


class _RowReader:
    """Reads canonical fields out of one row through the mapping."""

    def __init__(self, mapping: Mapping, index: dict[str, int]) -> None:
        self.m = mapping
        self.index = index

    def column(self, row: list[str], column: str) -> str:
        i = self.index[column]
        return row[i].strip() if i < len(row) else ""

    def value(self, row: list[str], name: str) -> str | None:
        column = self.m.fields.get(name)
        if column is not None:
            return self.column(row, column) or None
        return self.m.constants.get(name)

    def time(self, row: list[str], name: str) -> datetime | None:
        for alternative in self.m.times.get(name, ()):
            parts = [self.column(row, c) for c in alternative]
            if any(p in self.m.empty_times for p in parts):
                continue
            text = " ".join(parts)
            try:
                local = datetime.strptime(text, self.m.time_format)
            except ValueError:
                where = "+".join(alternative)
                raise _Bad(
                    f"{where}: {text[:40]!r} does not match time format {self.m.time_format!r}"
                ) from None
            if local.tzinfo is None:
                local = local.replace(tzinfo=self.m.zone)
            return local.astimezone(UTC)
        return None

    def seconds(self, row: list[str], name: str) -> float | None:
        text = self.value(row, name)
        if text is None:
            return None
        try:
            if ":" in text:
                total = 0.0
                for part in text.split(":"):
                    total = total * 60 + float(part)
            else:
                total = float(text)
        except ValueError:
            raise _Bad(f"{self.m.fields.get(name, name)}: {text[:40]!r} is not seconds") from None
        if not 0 <= total <= MAX_SECONDS:
            raise _Bad(f"{self.m.fields.get(name, name)}: {text[:40]!r} is out of range")
        return total

    def key(self, row: list[str], name: str) -> str | None:
        text = self.value(row, name)
        if text is not None and (len(text) > MAX_KEY - 50 or "\x00" in text):
            raise _Bad(f"{self.m.fields.get(name, name)}: longer than a key may be")
        return text

    def small_int(self, row: list[str], name: str, high: int) -> int | None:
        text = self.value(row, name)
        if text is None:
            return None
        if not (text.isascii() and text.isdigit()) or int(text) > high:
            raise _Bad(f"{self.m.fields.get(name, name)}: {text[:40]!r} is not 0-{high}")
        return int(text)


def _row_events(r: _RowReader, row: list[str], raw: str) -> list[Any] | str:
    """The row's events, or the reason it is skipped on purpose (a str)."""
    m = r.m
    outcome_text = r.value(row, "outcome")
    outcome_name: str | None = None
    if outcome_text is not None:
        outcome_name = m.outcomes.get(outcome_text) if m.outcomes else outcome_text
        if outcome_name is None or (outcome_name != SKIP and outcome_name not in OUTCOME_VALUES):
            column = m.fields.get("outcome", "outcome")
            raise _Bad(f"{column}: {outcome_text[:40]!r} is not a mapped outcome ([outcomes])")
        if outcome_name == SKIP:
            return f"outcome {outcome_text} (skip)"
    contact_value = r.key(row, "contact") or hashlib.sha1(raw.encode()).hexdigest()[:20]
    key = f"{m.source}:{contact_value}"
    queue = r.key(row, "queue")
    if queue is None:
        raise _Bad(f"{m.fields.get('queue', 'queue')}: empty (every contact has a queue)")
    offered_at = r.time(row, "offered_at")
    if offered_at is None:
        columns = " or ".join("+".join(a) for a in m.times["offered_at"])
        raise _Bad(f"{columns}: empty, and the offered time is required")
    channel_text = r.value(row, "channel") or "voice"
    direction_text = r.value(row, "direction") or "inbound"
    try:
        channel = Channel(channel_text.lower())
        direction = Direction(direction_text.lower())
    except ValueError as exc:
        raise _Bad(f"channel/direction: {exc}") from None
    attrs = {name: r.column(row, column)[:500] for name, column in m.attributes.items()}
    reason = r.value(row, "reason")
    events: list[Any] = [
        offered(
            id=event_id(f"{key}:offered"),
            at=offered_at,
            contact=key,
            queue=queue,
            channel=channel,
            direction=direction,
            customer=r.key(row, "customer"),
            segment=(r.value(row, "segment") or "")[:100] or None,
            vip_tier=r.small_int(row, "vip_tier", 10),
            priority=r.small_int(row, "priority", 100),
            reason=reason[:MAX_TEXT] if reason else None,
            attributes=attrs or None,
        )
    ]
    answered_at = r.time(row, "answered_at")
    ended_at = r.time(row, "ended_at")
    agent = r.key(row, "agent")
    outcome = Outcome(outcome_name) if outcome_name else None
    abandoned_at = r.time(row, "abandoned_at")
    if outcome is Outcome.abandoned or (
        outcome is None and answered_at is None and abandoned_at is not None
    ):
        left = abandoned_at or ended_at or offered_at
        events.append(abandoned(id=event_id(f"{key}:abandoned"), at=left, contact=key))
        return events
    if answered_at is not None:
        if agent is None:
            column = m.fields.get("agent", "agent")
            raise _Bad(f"{column}: empty, but the contact was answered")
        events.append(
            answered(id=event_id(f"{key}:answered"), at=answered_at, contact=key, agent=agent)
        )
    if ended_at is not None:
        disposition = r.value(row, "disposition")
        events.append(
            ended(
                id=event_id(f"{key}:ended"),
                at=ended_at,
                contact=key,
                talk_seconds=r.seconds(row, "talk_seconds"),
                hold_seconds=r.seconds(row, "hold_seconds"),
                outcome=outcome,
                disposition=disposition[:MAX_TEXT] if disposition else None,
            )
        )
    wrapped_at = r.time(row, "wrapped_at")
    acw = r.seconds(row, "acw_seconds")
    if wrapped_at is not None or (acw is not None and ended_at is not None):
        if wrapped_at is None:
            assert ended_at is not None and acw is not None
            wrapped_at = ended_at + timedelta(seconds=acw)
        events.append(
            wrapped(id=event_id(f"{key}:wrapped"), at=wrapped_at, contact=key, acw_seconds=acw)
        )
    return events


def parse_mapped_csv(
    lines: Iterable[bytes | str],
    mapping: Mapping,
    stats: ParseStats | None = None,
) -> Iterator[Event | Rejected]:
    """Canonical events and rejects from CSV lines read through `mapping`."""
    stats = stats if stats is not None else ParseStats()
    texts: list[str] = []
    encoding = mapping.encoding

    def decoded() -> Iterator[str]:
        for raw in lines:
            text = raw.decode(encoding, "replace") if isinstance(raw, bytes) else raw
            texts.append(text)
            yield text

    reader = csv.reader(decoded(), delimiter=mapping.delimiter, strict=False)
    header = mapping.columns
    last_line = 0
    if mapping.header:
        for row in reader:
            last_line = reader.line_num
            if row and any(c.strip() for c in row):
                header = [c.strip().lstrip("\ufeff") for c in row]
                break
        texts.clear()
    if not header:
        return
    index = {name: i for i, name in enumerate(header)}
    wanted = set(mapping.fields.values()) | set(mapping.attributes.values())
    wanted |= {c for alts in mapping.times.values() for a in alts for c in a}
    missing = sorted(wanted - set(index))
    if missing:
        yield Rejected(last_line or 1, ",".join(header)[:10000], f"header: no column {missing}")
        return
    reader_ = _RowReader(mapping, index)
    while True:
        texts.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            position, last_line = last_line + 1, reader.line_num
            stats.lines += 1
            raw = "".join(texts).rstrip("\r\n").replace("\x00", "\\x00")
            yield Rejected(position, raw, f"line: {exc}")
            continue
        position, last_line = last_line + 1, reader.line_num
        raw = "".join(texts).rstrip("\r\n").replace("\x00", "\\x00")
        if not row or all(not c.strip() for c in row):
            stats.blank += 1
            continue
        stats.lines += 1
        if len(row) != len(header):
            yield Rejected(position, raw, f"columns: {len(row)}, the header has {len(header)}")
            continue
        try:
            events = _row_events(reader_, row, raw)
        except _Bad as exc:
            yield Rejected(position, raw, str(exc))
            continue
        if isinstance(events, str):
            stats.ignored[events] += 1
            continue
        yield from events


def import_mapped_csv(
    engine: Engine | StoreWriter,
    path: Path,
    mapping: Mapping,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportResult:
    """Import a per-contact CSV through a mapping (idempotent: ids come from the contact key)."""
    return import_file(engine, path, mapped_csv_items, mapping, batch_size, on_progress, parallel)


def mapped_csv_items(
    path: Path, mapping: Mapping, on_bytes: Callable[[int], None] | None
) -> Generator[Event | Rejected, None, ParseStats]:
    """A CSV's events and rejects through `mapping`, then its parse counts."""
    stats = ParseStats()
    with path.open("rb") as fh:
        yield from parse_mapped_csv(progress_lines(fh, on_bytes), mapping, stats)
    return stats


__all__ = [
    "Mapping",
    "MappingError",
    "import_mapped_csv",
    "load_mapping",
    "mapped_csv_items",
    "mapping_from_dict",
    "parse_mapped_csv",
]
