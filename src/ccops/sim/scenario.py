"""A center described in TOML → typed, validated dataclasses; errors name the TOML key."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ccops.events import CHANNELS
from ccops.sim.distributions import (
    Constant,
    Distribution,
    DistributionError,
    Exponential,
    Never,
    distribution_from_spec,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MESSAGE_CHANNELS = frozenset({"chat", "sms", "social", "app"})
ACTIVITY_STATES = ("break", "lunch", "training", "meeting", "away")


class ScenarioError(ValueError):
    """A scenario that cannot be read; the message names the file and the TOML key."""


@dataclass(frozen=True, slots=True)
class Queue:
    """One queue: its channel, the skill that serves it, targets, volumes and customer behaviour."""

    name: str
    channel: str
    skill: str
    priority: int
    daily_volume: float
    profile: str
    forecast: tuple[float, ...] | None
    answer_within: float
    short_abandon: float
    talk: Distribution
    hold: Distribution
    hold_probability: float
    acw: Distribution
    patience: Distribution
    segment: str | None
    vip_tier: int
    overflow_after: float | None
    overflow_skill: str | None
    transfer_probability: float
    transfer_to: str | None
    resolution_probability: float
    repeat_probability: float
    repeat_after: Distribution
    ivr_containment: float
    ivr_seconds: float
    callback_queue_length: int | None
    callback_acceptance: float
    reasons: tuple[str, ...]
    service_level: float = 0.8  # target share answered within `answer_within`

    @property
    def is_message(self) -> bool:
        """Whether an agent can work several of these at once (chat, SMS, social, app)."""
        return self.channel in MESSAGE_CHANNELS


@dataclass(frozen=True, slots=True)
class Activity:
    """A planned activity inside a shift (break, lunch, training, meeting)."""

    state: str
    after_minutes: float
    minutes: float


@dataclass(frozen=True, slots=True)
class Shift:
    """A shift template: start time of day, length, weekdays worked, activities, stagger."""

    start_minutes: float
    hours: float
    days: tuple[int, ...]
    activities: tuple[Activity, ...]
    stagger_minutes: float


@dataclass(frozen=True, slots=True)
class Team:
    """A group of agents sharing skills (with proficiency), chat concurrency and shifts."""

    name: str
    agents: int
    skills: tuple[tuple[str, float], ...]
    concurrency: int
    shifts: tuple[Shift, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """Intraday shape (24 hourly weights) and weekly shape (7 day weights, Monday first)."""

    name: str
    hourly: tuple[float, ...]
    weekly: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole simulated center."""

    name: str
    start: datetime
    interval_minutes: int
    queues: tuple[Queue, ...]
    teams: tuple[Team, ...]
    profiles: Mapping[str, Profile] = field(default_factory=dict)

    @property
    def skills(self) -> tuple[str, ...]:
        """All skills named by queues, overflow rules and teams, in first-seen order."""
        seen: dict[str, None] = {}
        for q in self.queues:
            seen[q.skill] = None
            if q.overflow_skill:
                seen[q.overflow_skill] = None
        for t in self.teams:
            for s, _ in t.skills:
                seen[s] = None
        return tuple(seen)

    @property
    def agent_count(self) -> int:
        """Number of agents over all teams."""
        return sum(t.agents for t in self.teams)


class _Reader:
    """Typed access to a TOML table that names the key in every error."""

    def __init__(self, data: Mapping[str, Any], where: str, source: str) -> None:
        self.data = data
        self.where = where
        self.source = source
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def fail(self, name: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {self.key(name)}: {message}")

    def get(self, name: str, default: Any = None) -> Any:
        self.used.add(name)
        return self.data.get(name, default)

    def required(self, name: str) -> Any:
        self.used.add(name)
        if name not in self.data:
            raise self.fail(name, "missing")
        return self.data[name]

    def string(self, name: str, default: str | None = None) -> str:
        value = self.get(name, default) if default is not None else self.required(name)
        if not isinstance(value, str) or not value:
            raise self.fail(name, f"expected a non-empty string, got {value!r}")
        return value

    def number(
        self, name: str, default: float | None = None, low: float = 0.0, high: float = math.inf
    ) -> float:
        value = self.get(name, default) if default is not None else self.required(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(name, f"must be between {low:g} and {high:g}, got {value!r}")
        return float(value)

    def probability(self, name: str, default: float = 0.0) -> float:
        return self.number(name, default, 0.0, 1.0)

    def integer(self, name: str, default: int | None = None, low: int = 0) -> int:
        value = self.get(name, default) if default is not None else self.required(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(name, f"expected an integer >= {low}, got {value!r}")
        return value

    def dist(self, name: str, default: Distribution) -> Distribution:
        spec = self.get(name)
        if spec is None:
            return default
        try:
            return distribution_from_spec(spec, self.key(name))
        except DistributionError as exc:
            raise ScenarioError(f"{self.source}: {exc}") from None

    def tables(self, name: str) -> list[_Reader]:
        value = self.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(name, "expected an array of tables ([[...]])")
        return [_Reader(v, f"{self.key(name)}[{i}]", self.source) for i, v in enumerate(value)]

    def check_unknown(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise self.fail(extra[0], "unknown key (check the spelling in docs/simulation.md)")


def _clock(r: _Reader, name: str) -> float:
    value = r.string(name)
    try:
        hh, mm = value.split(":")
        minutes = int(hh) * 60 + int(mm)
    except ValueError:
        raise r.fail(name, f"expected HH:MM, got {value!r}") from None
    if not 0 <= minutes < 24 * 60:
        raise r.fail(name, f"expected a time of day 00:00-23:59, got {value!r}")
    return float(minutes)


def _weights(r: _Reader, name: str, count: int, default: tuple[float, ...]) -> tuple[float, ...]:
    value = r.get(name)
    if value is None:
        return default
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        raise r.fail(name, f"expected {count} non-negative numbers")
    if sum(value) <= 0:
        raise r.fail(name, "weights must not all be zero")
    return tuple(float(v) for v in value)


def _profile(r: _Reader, name: str) -> Profile:
    p = Profile(name, _weights(r, "hourly", 24, (1.0,) * 24), _weights(r, "weekly", 7, (1.0,) * 7))
    r.check_unknown()
    return p


def _queue(r: _Reader, profiles: Mapping[str, Profile]) -> Queue:
    name = r.string("name")
    channel = r.string("channel", "voice")
    if channel not in CHANNELS:
        raise r.fail("channel", f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    profile = r.string("profile", "flat")
    if profile != "flat" and profile not in profiles:
        raise r.fail("profile", f"no profile named {profile!r} under [profiles]")
    forecast = r.get("forecast")
    if forecast is not None:
        if not isinstance(forecast, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in forecast
        ):
            raise r.fail("forecast", "expected a list of contacts per interval (numbers >= 0)")
        forecast = tuple(float(v) for v in forecast)
    default_within = {"voice": 20.0, "chat": 60.0, "email": 86400.0}.get(channel, 3600.0)
    overflow_after = r.get("overflow_after")
    overflow_skill = r.get("overflow_skill")
    if (overflow_after is None) != (overflow_skill is None):
        raise r.fail("overflow_skill", "overflow_after and overflow_skill go together")
    callback = r.get("callback_queue_length")
    reasons = r.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(x, str) for x in reasons):
        raise r.fail("reasons", "expected a list of strings")
    q = Queue(
        name=name,
        channel=channel,
        skill=r.string("skill", name),
        priority=r.integer("priority", 0),
        daily_volume=r.number("daily_volume", 0.0),
        profile=profile,
        forecast=forecast,
        answer_within=r.number("answer_within", default_within),
        short_abandon=r.number("short_abandon", 5.0),
        talk=r.dist("talk", Exponential(r.number("aht", 300.0, low=1e-9))),
        hold=r.dist("hold", Exponential(30.0)),
        hold_probability=r.probability("hold_probability", 0.0),
        acw=r.dist("acw", Constant(0.0)),
        patience=r.dist("patience", Never()),
        segment=r.get("segment"),
        vip_tier=r.integer("vip_tier", 0),
        overflow_after=None if overflow_after is None else r.number("overflow_after"),
        overflow_skill=None if overflow_skill is None else r.string("overflow_skill"),
        transfer_probability=r.probability("transfer_probability", 0.0),
        transfer_to=r.get("transfer_to"),
        resolution_probability=r.probability("resolution_probability", 1.0),
        repeat_probability=r.probability("repeat_probability", 0.0),
        repeat_after=r.dist("repeat_after", Exponential(86400.0)),
        ivr_containment=r.probability("ivr_containment", 0.0),
        ivr_seconds=r.number("ivr_seconds", 60.0),
        callback_queue_length=None if callback is None else r.integer("callback_queue_length", 0),
        callback_acceptance=r.probability("callback_acceptance", 0.0),
        reasons=tuple(reasons),
        service_level=r.number("service_level", 0.8, 0.0, 1.0),
    )
    if q.transfer_probability > 0 and not q.transfer_to:
        raise r.fail("transfer_to", "needed when transfer_probability > 0")
    r.check_unknown()
    return q


def _shift(r: _Reader) -> Shift:
    days = r.get("days", list(WEEKDAYS[:5]))
    if not isinstance(days, list) or not all(d in WEEKDAYS for d in days):
        raise r.fail("days", f"expected a list of weekdays from {list(WEEKDAYS)}")
    activities = []
    for a in r.tables("activities"):
        state = a.string("kind")
        if state not in ACTIVITY_STATES:
            known = ", ".join(ACTIVITY_STATES)
            raise a.fail("kind", f"unknown activity {state!r} (one of {known})")
        activities.append(Activity(state, a.number("after_minutes"), a.number("minutes")))
        a.check_unknown()
    s = Shift(
        start_minutes=_clock(r, "start"),
        hours=r.number("hours", high=24.0),
        days=tuple(WEEKDAYS.index(d) for d in days),
        activities=tuple(activities),
        stagger_minutes=r.number("stagger_minutes", 0.0),
    )
    r.check_unknown()
    return s


def _team(r: _Reader) -> Team:
    skills = r.required("skills")
    if isinstance(skills, list) and all(isinstance(s, str) for s in skills):
        pairs = tuple((s, 1.0) for s in skills)
    elif isinstance(skills, Mapping):
        pairs = tuple(
            (str(s), _Reader(skills, r.key("skills"), r.source).number(s, low=0.01)) for s in skills
        )
    else:
        raise r.fail("skills", "expected a list of skills or a table skill = proficiency")
    shifts = tuple(_shift(s) for s in r.tables("shifts"))
    if not shifts:
        raise r.fail("shifts", "a team needs at least one [[teams.shifts]]")
    name = r.string("name")
    t = Team(name, r.integer("agents", low=1), pairs, r.integer("concurrency", 1, 1), shifts)
    r.check_unknown()
    return t


def parse_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Build a scenario from parsed TOML; raise ScenarioError naming the key on bad input."""
    root = _Reader(data, "", source)
    center = root.get("center", {})
    if not isinstance(center, Mapping):
        raise root.fail("center", "expected a table [center]")
    c = _Reader(center, "center", source)
    start_value = c.get("start", date(2026, 1, 5))
    if isinstance(start_value, str):
        try:
            start_value = date.fromisoformat(start_value)
        except ValueError:
            raise c.fail("start", f"expected a date like 2026-01-05, got {start_value!r}") from None
    if isinstance(start_value, datetime):
        start = start_value if start_value.tzinfo else start_value.replace(tzinfo=UTC)
    elif isinstance(start_value, date):
        start = datetime(start_value.year, start_value.month, start_value.day, tzinfo=UTC)
    else:
        raise c.fail("start", f"expected a TOML date like 2026-01-05, got {start_value!r}")
    name = c.string("name", "center")
    interval = c.integer("interval_minutes", 30, 1)
    if 1440 % interval:
        raise c.fail("interval_minutes", "must divide a day (e.g. 15, 30, 60)")
    c.check_unknown()
    prof_table = root.get("profiles", {})
    if not isinstance(prof_table, Mapping):
        raise root.fail("profiles", "expected tables [profiles.NAME]")
    profiles = {
        n: _profile(_Reader(v, f"profiles.{n}", source), n)
        for n, v in prof_table.items()
        if isinstance(v, Mapping)
    }
    queues = tuple(_queue(q, profiles) for q in root.tables("queues"))
    teams = tuple(_team(t) for t in root.tables("teams"))
    root.check_unknown()
    if not queues:
        raise root.fail("queues", "a scenario needs at least one [[queues]]")
    if not teams:
        raise root.fail("teams", "a scenario needs at least one [[teams]]")
    names = [q.name for q in queues]
    for i, q in enumerate(queues):
        if names.count(q.name) > 1:
            raise ScenarioError(f"{source}: queues[{i}].name: duplicate queue {q.name!r}")
        if q.transfer_to and q.transfer_to not in names:
            raise ScenarioError(f"{source}: queues[{i}].transfer_to: no queue {q.transfer_to!r}")
    served = {s for t in teams for s, _ in t.skills}
    for i, q in enumerate(queues):
        if q.skill not in served:
            raise ScenarioError(f"{source}: queues[{i}].skill: no team has skill {q.skill!r}")
    return Scenario(name, start, interval, queues, teams, profiles)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file; raise ScenarioError naming the file and key on bad input."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{p}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from None
    return parse_scenario(data, str(p))
