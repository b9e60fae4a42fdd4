"""The canonical event format (version 1): what every source emits and the one ingest path reads.

See docs/events.md. Public surface: the event models, `parse_event`, `EventError`, `fold_contact`
and `build_state_intervals`.
"""

from ccops.events._fold import (
    ContactFacts,
    StateInterval,
    build_state_intervals,
    fold_contact,
    state_interval_values,
)
from ccops.events._model import (
    AGENT_STATES,
    CHANNELS,
    CONTACT_EVENT_TYPES,
    OUTCOMES,
    SCHEMA_VERSION,
    AgentState,
    AgentStateEvent,
    Channel,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEvent,
    ContactOffered,
    ContactTransferred,
    ContactWrapped,
    Direction,
    Event,
    EventError,
    Outcome,
    dump_event,
    event_json,
    parse_event,
    trusted_builder,
)

__all__ = [
    "AGENT_STATES",
    "CHANNELS",
    "CONTACT_EVENT_TYPES",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "AgentState",
    "AgentStateEvent",
    "Channel",
    "ContactAbandoned",
    "ContactAnswered",
    "ContactEnded",
    "ContactEvent",
    "ContactFacts",
    "ContactOffered",
    "ContactTransferred",
    "ContactWrapped",
    "Direction",
    "Event",
    "EventError",
    "Outcome",
    "StateInterval",
    "build_state_intervals",
    "dump_event",
    "fold_contact",
    "event_json",
    "parse_event",
    "state_interval_values",
    "trusted_builder",
]
