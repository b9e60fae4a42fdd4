"""Event models and the parser. Pydantic validates; errors name the field and the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

SCHEMA_VERSION = 1


class Channel(StrEnum):
    """Where a contact happens."""

    voice = "voice"
    sms = "sms"
    email = "email"
    chat = "chat"
    app = "app"
    social = "social"


class Direction(StrEnum):
    """Who started the contact."""

    inbound = "inbound"
    outbound = "outbound"


class Outcome(StrEnum):
    """How a contact ended."""

    handled = "handled"
    abandoned = "abandoned"
    transferred = "transferred"
    contained_in_ivr = "contained_in_ivr"
    voicemail = "voicemail"
    callback_requested = "callback_requested"


class AgentState(StrEnum):
    """What an agent is doing."""

    available = "available"
    ringing = "ringing"
    talking = "talking"
    holding = "holding"
    after_call_work = "after_call_work"
    away = "away"
    break_ = "break"
    lunch = "lunch"
    training = "training"
    meeting = "meeting"
    offline = "offline"


CHANNELS = tuple(c.value for c in Channel)
OUTCOMES = tuple(o.value for o in Outcome)
AGENT_STATES = tuple(s.value for s in AgentState)

Key = Annotated[str, Field(min_length=1, max_length=200)]
Seconds = Annotated[float, Field(ge=0, le=10_000_000)]
AttrValue = str | int | float | bool | None


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    v: Literal[1] = 1
    id: Key
    at: AwareDatetime
    source: Annotated[str, Field(max_length=200)] | None = None
    attributes: dict[str, AttrValue] | None = None

    @field_validator("at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        # Any zone is accepted; the instant is kept in UTC (an offset-zero zone is left as is).
        return value.astimezone(UTC) if value.utcoffset() else value


class _ContactBase(_Base):
    contact: Key


class ContactOffered(_ContactBase):
    """A contact entered a queue (or the IVR, for contained contacts)."""

    type: Literal["contact.offered"]
    queue: Key
    channel: Channel = Channel.voice
    direction: Direction = Direction.inbound
    customer: Key | None = None
    segment: Annotated[str, Field(max_length=100)] | None = None
    vip_tier: Annotated[int, Field(ge=0, le=10)] | None = None
    priority: Annotated[int, Field(ge=0, le=100)] | None = None
    reason: Annotated[str, Field(max_length=200)] | None = None


class ContactAnswered(_ContactBase):
    """An agent answered the contact; its queue wait ends here."""

    type: Literal["contact.answered"]
    agent: Key


class ContactAbandoned(_ContactBase):
    """The customer left the queue before an agent answered."""

    type: Literal["contact.abandoned"]


class ContactTransferred(_ContactBase):
    """The contact was transferred away from the agent or queue that had it."""

    type: Literal["contact.transferred"]
    to_queue: Key | None = None
    to_agent: Key | None = None


class ContactEnded(_ContactBase):
    """The conversation ended (talk and hold known); after-call work may follow."""

    type: Literal["contact.ended"]
    talk_seconds: Seconds | None = None
    hold_seconds: Seconds | None = None
    outcome: Outcome | None = None
    disposition: Annotated[str, Field(max_length=200)] | None = None
    reason: Annotated[str, Field(max_length=200)] | None = None
    resolved: bool | None = None


class ContactWrapped(_ContactBase):
    """The agent finished after-call work on the contact."""

    type: Literal["contact.wrapped"]
    acw_seconds: Seconds | None = None


class AgentStateEvent(_Base):
    """An agent entered a state; it lasts until the agent's next state event."""

    type: Literal["agent.state"]
    agent: Key
    state: AgentState
    reason: Annotated[str, Field(max_length=200)] | None = None
    queue: Key | None = None


ContactEvent = (
    ContactOffered
    | ContactAnswered
    | ContactAbandoned
    | ContactTransferred
    | ContactEnded
    | ContactWrapped
)
Event = ContactEvent | AgentStateEvent
CONTACT_EVENT_TYPES = (
    "contact.offered",
    "contact.answered",
    "contact.abandoned",
    "contact.transferred",
    "contact.ended",
    "contact.wrapped",
)

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Annotated[Event, Field(discriminator="type")])


class EventError(ValueError):
    """An input that is not a valid event; `reason` says which field and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:3]:
        loc = [str(p) for p in err["loc"]]
        # The discriminated union puts the event type first in the location; drop it.
        if loc and loc[0] in CONTACT_EVENT_TYPES + ("agent.state",):
            loc = loc[1:]
        where = ".".join(loc) or "event"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_event(raw: str | bytes | dict[str, Any]) -> Event:
    """Parse one event from JSON text or a dict; raise EventError naming the field on bad input."""
    if isinstance(raw, str | bytes):
        try:
            # Fast path: pydantic parses and validates the JSON text in one pass.
            return _ADAPTER.validate_json(raw)
        except ValidationError:
            pass  # fall through to the careful path, which explains what is wrong
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise EventError(f"not valid JSON: {exc}") from None
    else:
        data = raw
    if not isinstance(data, dict):
        raise EventError(f"an event is a JSON object, got {type(data).__name__}")
    version = data.get("v", 1)
    if version != SCHEMA_VERSION:
        raise EventError(f"v: unsupported event format version {version!r} (this ccops reads 1)")
    kind = data.get("type")
    if kind is None:
        raise EventError("type: missing (e.g. 'contact.offered' or 'agent.state')")
    if kind not in CONTACT_EVENT_TYPES and kind != "agent.state":
        raise EventError(f"type: unknown event type {kind!r}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise EventError(_explain(exc)) from None


def dump_event(event: Event) -> bytes:
    """Serialise an event to its canonical JSON (UTC timestamps, no null fields)."""
    return orjson.dumps(event.model_dump(mode="json", exclude_none=True))


def event_json(event: Event) -> str:
    """The event's stored body: pydantic's `model_dump_json(exclude_none=True)`, to the byte.

    orjson writes the same text from the model's fields in under two thirds of the time (enum
    members as their values, UTC timestamps with "Z" and six-digit fractions when there are
    any); tests/events/test_parser.py pins that the two agree.
    """
    fields = {name: value for name, value in event.__dict__.items() if value is not None}
    return orjson.dumps(fields, option=orjson.OPT_UTC_Z).decode()


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of one event (for docs and the API)."""
    return _ADAPTER.json_schema()


def trusted_builder(cls: Any) -> Callable[..., Any]:
    """A constructor for `cls` that skips validation, for producers that validate themselves.

    `Model.model_construct` costs ~9 µs per event; this costs ~1.5 µs. Callers (the importers,
    the simulator) guarantee what validation would: keys of 1-200 characters, seconds in range,
    tz-aware UTC `at`, every required field present.
    """
    defaults: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        defaults[name] = None if info.is_required() else info.default
    defaults["type"] = get_args(cls.model_fields["type"].annotation)[0]
    new = object.__new__
    put = object.__setattr__

    def build(**fields: Any) -> Any:
        values = defaults.copy()
        values.update(fields)
        obj = new(cls)
        put(obj, "__dict__", values)
        put(obj, "__pydantic_fields_set__", set(fields))
        put(obj, "__pydantic_extra__", None)
        put(obj, "__pydantic_private__", None)
        return obj

    return build
