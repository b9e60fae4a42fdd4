"""Amazon Connect contact records (CTRs): JSON lines, a JSON array, or a Firehose concatenation.

`read_json_records` streams JSON objects out of any of the three layouts with a bounded buffer;
`parse_connect` turns each record into canonical events; `import_connect` feeds an Ingestor.
The mapping, including the abandonment rule, is in docs/importers.md.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

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
    transferred,
    wrapped,
)
from ccops.ingest.pipeline import DEFAULT_BATCH
from ccops.store.writer import StoreWriter

CHUNK = 1 << 20
MAX_RECORD = 64 << 20  # a record larger than this is refused rather than buffered
IVR_QUEUE = "(ivr)"  # contacts that never reached a queue are "offered" to this pseudo-queue
NO_QUEUE = "(no queue)"  # agent contacts without a queue (e.g. some outbound calls)

CHANNELS = {"VOICE": Channel.voice, "CHAT": Channel.chat, "TASK": Channel.app,
            "EMAIL": Channel.email}  # fmt: skip
OUTBOUND = frozenset(("OUTBOUND", "EXTERNAL_OUTBOUND", "AGENT_REPLY", "CAMPAIGN"))
_DECODER = json.JSONDecoder()
_SKIP = " \t\r\n,[]"


class _Bad(Exception):
    """A record's field is wrong; the message names the field."""


def read_json_records(
    fh: IO[bytes], on_progress: Callable[[int], None] | None = None
) -> Iterator[tuple[int, Any, str | None]]:
    """(line, value, None) per top-level JSON value, or (line, bad text, reason) per bad span.

    Handles one object per line, a JSON array of objects (even pretty-printed), and objects
    written back to back with no separator (Kinesis Firehose). Memory is bounded by the chunk
    size plus the largest record.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    buf = ""
    pos = 0
    line = 1
    eof = False
    while True:
        # Skip separators between values: whitespace, commas, the array's brackets.
        n = len(buf)
        while pos < n and buf[pos] in _SKIP:
            if buf[pos] == "\n":
                line += 1
            pos += 1
        if pos >= n:
            if eof:
                return
            chunk = fh.read(CHUNK)
            if on_progress is not None and chunk:
                on_progress(len(chunk))
            eof = not chunk
            buf = buf[pos:] + decoder.decode(chunk, final=eof)
            pos = 0
            continue
        try:
            value, end = _DECODER.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            rest = buf[exc.pos :]
            incomplete = not rest.strip() or exc.msg.startswith("Unterminated string")
            if incomplete and not eof and len(buf) - pos < MAX_RECORD:
                chunk = fh.read(CHUNK)
                if on_progress is not None and chunk:
                    on_progress(len(chunk))
                eof = not chunk
                buf = buf[pos:] + decoder.decode(chunk, final=eof)
                pos = 0
                continue
            # Garbage: drop through the end of its line (or to the next object on one line).
            stop = buf.find("\n", max(exc.pos, pos))
            if stop < 0:
                glued = buf.find("}{", max(exc.pos, pos))
                stop = glued + 1 if glued >= 0 else len(buf)
            bad = buf[pos:stop]
            yield line, bad[:10000], f"record: not valid JSON ({exc.msg})"
            line += bad.count("\n")
            pos = stop
            continue
        text_lines = buf.count("\n", pos, end)
        yield line, value, None
        line += text_lines
        pos = end


def _ts(record: dict[str, Any], *path: str) -> datetime | None:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Bad(f"{'.'.join(path)}: {str(value)[:40]!r} is not a timestamp")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(f"{'.'.join(path)}: {value[:40]!r} is not an ISO 8601 timestamp") from None
    if at.tzinfo is None:
        raise _Bad(f"{'.'.join(path)}: {value[:40]!r} has no time zone")
    return at.astimezone(UTC)


def _seconds(record: dict[str, Any], *path: str) -> float | None:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{'.'.join(path)}: {str(value)[:40]!r} is not a number of seconds")
    if not 0 <= value <= MAX_SECONDS:
        raise _Bad(f"{'.'.join(path)}: {value} is out of range")
    return float(value)


def _text(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Bad(f"{name}: {str(value)[:40]!r} is not text")
    if len(value) > MAX_KEY or "\x00" in value:
        raise _Bad(f"{name}: longer than 200 characters or holds a NUL")
    return value


def connect_events(record: Any) -> list[Any]:
    """The canonical events of one contact record; raises _Bad naming the field."""
    if not isinstance(record, dict):
        raise _Bad(f"record: a contact record is a JSON object, got {type(record).__name__}")
    contact_id = record.get("ContactId")
    if not isinstance(contact_id, str) or not contact_id or len(contact_id) > 150:
        raise _Bad("ContactId: missing or not text")
    key = f"connect:{contact_id}"
    method = str(record.get("InitiationMethod") or "INBOUND").upper()
    channel = CHANNELS.get(str(record.get("Channel") or "VOICE").upper(), Channel.voice)
    direction = Direction.outbound if method in OUTBOUND else Direction.inbound
    initiated = _ts(record, "InitiationTimestamp")
    disconnected = _ts(record, "DisconnectTimestamp")
    queue_info = record.get("Queue") if isinstance(record.get("Queue"), dict) else None
    agent_info = record.get("Agent") if isinstance(record.get("Agent"), dict) else None
    enqueued = _ts(record, "Queue", "EnqueueTimestamp")
    dequeued = _ts(record, "Queue", "DequeueTimestamp")
    connected = _ts(record, "Agent", "ConnectedToAgentTimestamp")
    reason = str(record.get("DisconnectReason") or "")
    queue_name = _text(queue_info.get("Name"), "Queue.Name") if queue_info else None
    agent = None
    if agent_info:
        agent = _text(agent_info.get("Username"), "Agent.Username") or _text(
            str(agent_info.get("ARN") or "").rsplit("/", 1)[-1], "Agent.ARN"
        )
    customer_info = record.get("CustomerEndpoint")
    customer = (
        _text(customer_info.get("Address"), "CustomerEndpoint.Address")
        if isinstance(customer_info, dict)
        else None
    )
    attrs: dict[str, Any] = {"initiation_method": method[:MAX_TEXT]}
    if reason:
        attrs["disconnect_reason"] = reason[:MAX_TEXT]
    for field in ("PreviousContactId", "NextContactId", "InitialContactId"):
        value = record.get(field)
        if isinstance(value, str) and value:
            attrs[field] = value[:MAX_TEXT]
    custom = record.get("Attributes")
    if isinstance(custom, dict):
        for name, value in list(custom.items())[:50]:
            if isinstance(value, str | int | float | bool) or value is None:
                attrs[f"attr.{name}"[:MAX_TEXT]] = value[:500] if isinstance(value, str) else value

    start = enqueued or initiated or connected or disconnected
    if start is None:
        raise _Bad("InitiationTimestamp: missing (and no other timestamp to start from)")
    queue = queue_name or (NO_QUEUE if connected else IVR_QUEUE)
    events: list[Any] = [
        offered(
            id=event_id(f"{key}:offered"),
            at=start,
            contact=key,
            queue=queue,
            channel=channel,
            direction=direction,
            customer=customer,
            attributes=attrs,
        )
    ]
    transfer_to = record.get("TransferredToEndpoint")
    transfer_address = (
        _text(transfer_address_value(transfer_to), "TransferredToEndpoint.Address")
        if isinstance(transfer_to, dict)
        else None
    )
    was_transferred = bool(
        transfer_address or record.get("NextContactId") or record.get("TransferCompletedTimestamp")
    )
    end_at = disconnected or start
    if connected is not None and agent:
        talk = _seconds(record, "Agent", "AgentInteractionDuration")
        hold = _seconds(record, "Agent", "CustomerHoldDuration")
        acw = _seconds(record, "Agent", "AfterContactWorkDuration")
        acw_start = _ts(record, "Agent", "AfterContactWorkStartTimestamp")
        acw_end = _ts(record, "Agent", "AfterContactWorkEndTimestamp")
        talk_end = acw_start or disconnected
        if talk_end is None:
            talk_end = connected + timedelta(seconds=(talk or 0.0) + (hold or 0.0))
        events.append(answered(id=f"{key}:answered", at=connected, contact=key, agent=agent))
        if was_transferred:
            events.append(
                transferred(
                    id=f"{key}:transferred",
                    at=talk_end,
                    contact=key,
                    attributes={"to": transfer_address} if transfer_address else None,
                )
            )
        events.append(
            ended(
                id=f"{key}:ended",
                at=talk_end,
                contact=key,
                talk_seconds=talk,
                hold_seconds=hold,
                outcome=Outcome.transferred if was_transferred else Outcome.handled,
            )
        )
        if acw is not None or acw_end is not None:
            wrap_at = acw_end or talk_end + timedelta(seconds=acw or 0.0)
            events.append(wrapped(id=f"{key}:wrapped", at=wrap_at, contact=key, acw_seconds=acw))
        return events
    if enqueued is None:
        # Never queued, never with an agent: handled (or dropped) by the flow alone.
        events.append(
            ended(id=f"{key}:ended", at=end_at, contact=key, outcome=Outcome.contained_in_ivr)
        )
        return events
    left = dequeued or end_at
    if was_transferred:
        events.append(transferred(id=f"{key}:transferred", at=left, contact=key))
        events.append(ended(id=f"{key}:ended", at=left, contact=key, outcome=Outcome.transferred))
    elif method == "CALLBACK":
        events.append(
            ended(id=f"{key}:ended", at=left, contact=key, outcome=Outcome.callback_requested)
        )
    elif reason in ("CUSTOMER_DISCONNECT", ""):
        # Amazon's rule: in queue, never connected to an agent, disconnected by the customer.
        events.append(abandoned(id=f"{key}:abandoned", at=left, contact=key))
    else:
        # The flow or the system ended it while queued: Amazon does not count it as abandoned.
        events.append(
            ended(id=f"{key}:ended", at=left, contact=key, outcome=Outcome.contained_in_ivr)
        )
    return events


def transfer_address_value(endpoint: dict[str, Any]) -> Any:
    """The address of a TransferredToEndpoint object."""
    return endpoint.get("Address")


def parse_connect(
    fh: IO[bytes],
    stats: ParseStats | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[Event | Rejected]:
    """Canonical events and rejects from a file of Amazon Connect contact records."""
    stats = stats if stats is not None else ParseStats()
    for line, record, problem in read_json_records(fh, on_progress):
        stats.lines += 1
        if problem is not None:
            yield Rejected(line, str(record).replace("\x00", "\\x00"), problem)
            continue
        try:
            events = connect_events(record)
        except _Bad as exc:
            raw = json.dumps(record, ensure_ascii=False, default=str)[:10000]
            yield Rejected(line, raw.replace("\x00", "\\x00"), str(exc))
            continue
        yield from events


def import_connect(
    engine: Engine | StoreWriter,
    path: Path,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportResult:
    """Import Amazon Connect contact records (idempotent: ids come from ContactId)."""
    return import_file(engine, path, connect_items, None, batch_size, on_progress, parallel)


def connect_items(
    path: Path, _options: None, on_bytes: Callable[[int], None] | None
) -> Generator[Event | Rejected, None, ParseStats]:
    """A contact-record file's events and rejects, then its parse counts."""
    stats = ParseStats()
    with path.open("rb") as fh:
        yield from parse_connect(fh, stats, on_bytes)
    return stats


__all__ = [
    "connect_events",
    "connect_items",
    "import_connect",
    "parse_connect",
    "read_json_records",
]
