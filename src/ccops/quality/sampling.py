"""Choosing contacts to evaluate: seeded, per-agent quotas, stratified, targeted, never twice.

For each agent in a period:

1. Targeted rules run first, in the order given (long handle time, transfers, repeat contacts,
   low survey scores, VIP, or your own predicate); each takes at most its `per_agent` contacts,
   at random among the contacts that match. Targeted samples come on top of the quota.
2. The random quota is split over the agent's strata (queue, channel) in proportion to the
   agent's eligible contacts in each (largest remainders); a stratum with too few contacts passes
   its shortfall on to the others. Within a stratum contacts are drawn at random.
3. A contact already sampled (in this run or any earlier one: `already_sampled`) is never drawn.

Every draw comes from a generator seeded by (seed, agent, purpose), and candidates are sorted by
key first, so the same inputs and seed give the same sample whatever their order, and one agent's
sample does not change when another agent's contacts do.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

RANDOM = "random"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A handled contact that may be evaluated, with what targeted rules look at."""

    contact: str
    agent: str
    queue: str | None = None
    channel: str | None = None
    handle_seconds: float | None = None
    transferred: bool = False
    repeat: bool = False
    survey_score: float | None = None
    vip: bool = False

    @property
    def stratum(self) -> tuple[str, str]:
        """The (queue, channel) stratum."""
        return (self.queue or "-", self.channel or "-")


@dataclass(frozen=True, slots=True)
class TargetRule:
    """A targeted sample: contacts matching `matches`, up to `per_agent` per agent."""

    name: str
    matches: Callable[[Candidate], bool]
    per_agent: int = 1


@dataclass(frozen=True, slots=True)
class Sample:
    """A contact chosen for evaluation, why (`random` or a rule's name) and its stratum."""

    contact: str
    agent: str
    reason: str
    stratum: tuple[str, str]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """An agent who had fewer eligible contacts than the quota asked for."""

    agent: str
    wanted: int
    got: int


@dataclass(frozen=True, slots=True)
class SampleRun:
    """The outcome of one sampling run."""

    samples: tuple[Sample, ...]
    shortfalls: tuple[Shortfall, ...]


def long_handle(threshold_seconds: float, per_agent: int = 1) -> TargetRule:
    """Contacts whose handle time is at least `threshold_seconds`."""
    return TargetRule(
        "long_handle",
        lambda c: c.handle_seconds is not None and c.handle_seconds >= threshold_seconds,
        per_agent,
    )


def transfers(per_agent: int = 1) -> TargetRule:
    """Contacts the agent transferred."""
    return TargetRule("transfer", lambda c: c.transferred, per_agent)


def repeats(per_agent: int = 1) -> TargetRule:
    """Contacts that are a repeat of an earlier one by the same customer."""
    return TargetRule("repeat", lambda c: c.repeat, per_agent)


def low_survey(max_score: float, per_agent: int = 1) -> TargetRule:
    """Contacts whose post-contact survey scored at most `max_score`."""
    return TargetRule(
        "low_survey",
        lambda c: c.survey_score is not None and c.survey_score <= max_score,
        per_agent,
    )


def vip(per_agent: int = 1) -> TargetRule:
    """Contacts from VIP customers."""
    return TargetRule("vip", lambda c: c.vip, per_agent)


def _rng(seed: int, *parts: str) -> np.random.Generator:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "big")])


def allocate(quota: int, sizes: Sequence[int]) -> list[int]:
    """Split `quota` over strata of `sizes` in proportion (largest remainders), capped by size."""
    alloc = [0] * len(sizes)
    remaining = min(quota, sum(sizes))
    while remaining > 0:
        room = [s - a for s, a in zip(sizes, alloc, strict=True)]
        open_total = sum(r for r in room if r > 0)
        exact = [remaining * r / open_total if r > 0 else 0.0 for r in room]
        share = [min(int(e), r) for e, r in zip(exact, room, strict=True)]
        left = remaining - sum(share)
        order = sorted(
            (i for i in range(len(sizes)) if room[i] > share[i]),
            key=lambda i: (-(exact[i] - int(exact[i])), -room[i], i),
        )
        for i in order[:left]:
            share[i] += 1
        alloc = [a + s for a, s in zip(alloc, share, strict=True)]
        remaining -= sum(share)
    return alloc


def draw(
    candidates: Iterable[Candidate],
    per_agent: int,
    *,
    seed: int,
    rules: Sequence[TargetRule] = (),
    already_sampled: Collection[str] = frozenset(),
) -> SampleRun:
    """Choose contacts to evaluate: targeted rules, then the stratified quota (module rule)."""
    if per_agent < 0:
        raise ValueError(f"per_agent must be >= 0, got {per_agent}")
    taken: set[str] = set(already_sampled)
    by_agent: dict[str, dict[str, Candidate]] = defaultdict(dict)
    for c in candidates:
        if c.contact not in taken:
            by_agent[c.agent][c.contact] = c
    samples: list[Sample] = []
    shortfalls: list[Shortfall] = []
    for agent in sorted(by_agent):
        pool = [by_agent[agent][k] for k in sorted(by_agent[agent])]
        for rule in rules:
            hits = [c for c in pool if c.contact not in taken and rule.matches(c)]
            for c in _choose(hits, rule.per_agent, _rng(seed, agent, rule.name)):
                taken.add(c.contact)
                samples.append(Sample(c.contact, agent, rule.name, c.stratum))
        strata: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
        for c in pool:
            if c.contact not in taken:
                strata[c.stratum].append(c)
        keys = sorted(strata)
        counts = allocate(per_agent, [len(strata[k]) for k in keys])
        got = 0
        for key, n in zip(keys, counts, strict=True):
            for c in _choose(strata[key], n, _rng(seed, agent, RANDOM, *key)):
                taken.add(c.contact)
                samples.append(Sample(c.contact, agent, RANDOM, key))
                got += 1
        if got < per_agent:
            shortfalls.append(Shortfall(agent, per_agent, got))
    return SampleRun(tuple(samples), tuple(shortfalls))


def _choose(pool: Sequence[Candidate], n: int, rng: np.random.Generator) -> list[Candidate]:
    if n <= 0 or not pool:
        return []
    if n >= len(pool):
        return list(pool)
    picks = rng.choice(len(pool), size=n, replace=False)
    return [pool[i] for i in sorted(picks)]


@dataclass(frozen=True, slots=True)
class Evaluator:
    """Someone who scores contacts: internal or third party, with a relative capacity."""

    key: str
    kind: str = "internal"
    capacity: float = 1.0
    agent: str | None = None  # an evaluator never scores their own contacts


def assign(samples: Sequence[Sample], evaluators: Sequence[Evaluator], *, seed: int) -> list[str]:
    """An evaluator key per sample: balanced by capacity, never one's own contact; seeded."""
    if not evaluators:
        raise ValueError("no evaluators to assign to")
    if any(not e.capacity > 0 for e in evaluators):
        raise ValueError("evaluator capacity must be > 0")
    rng = _rng(seed, "assign")
    order = rng.permutation(len(samples)) if samples else np.array([], dtype=int)
    load = dict.fromkeys((e.key for e in evaluators), 0)
    out: list[str | None] = [None] * len(samples)
    for i in order:
        s = samples[int(i)]
        able = [e for e in evaluators if e.agent != s.agent]
        if not able:
            raise ValueError(f"no evaluator may score agent {s.agent!r}'s contacts")
        best = min(able, key=lambda e: ((load[e.key] + 1) / e.capacity, e.key))
        load[best.key] += 1
        out[int(i)] = best.key
    return [k for k in out if k is not None]


def iso_week(week: str) -> tuple[date, date]:
    """The Monday and the next Monday of an ISO week such as '2026-W45'."""
    try:
        year_text, week_text = week.upper().split("-W")
        start = date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError:
        raise ValueError(f"not an ISO week like 2026-W45: {week!r}") from None
    return start, start + timedelta(days=7)


__all__ = [
    "RANDOM",
    "Candidate",
    "Evaluator",
    "Sample",
    "SampleRun",
    "Shortfall",
    "TargetRule",
    "allocate",
    "assign",
    "draw",
    "iso_week",
    "long_handle",
    "low_survey",
    "repeats",
    "transfers",
    "vip",
]
