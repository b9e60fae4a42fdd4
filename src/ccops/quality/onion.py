"""The performance review "peeling the onion", layer by layer, and the tracked bottom-20% list.

Layers, outermost first (a problem in an outer layer explains the inner ones, so it is fixed
first): (1) schedule adherence, (2) occupancy (is the logged-in time busy), (3) utilization and
productivity (contacts handled per day by channel), (4) the bottom share (20%) of agents by the
center's chosen performance measure. The figures come from the metric catalog (rows of a report
by agent, turned into `AgentFigures` by `figures_from_report`); this module only applies targets
and ranks, over plain data. A layer whose figure the catalog cannot compute yet (adherence needs
published schedules) is reported as unavailable, never invented.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ADHERENCE = "adherence"
OCCUPANCY = "occupancy"
UTILIZATION = "utilization_productivity"
BOTTOM = "bottom_performers"
LAYERS = (ADHERENCE, OCCUPANCY, UTILIZATION, BOTTOM)


@dataclass(frozen=True, slots=True)
class AgentFigures:
    """One agent's figures for a period, from the catalog (None where not measured)."""

    agent: str
    team: str | None = None
    adherence: float | None = None
    occupancy: float | None = None
    utilization: float | None = None
    productivity: Mapping[str, float] = field(default_factory=dict)  # per channel, per day
    performance: float | None = None


@dataclass(frozen=True, slots=True)
class Targets:
    """Targets for each layer; the performance measure's direction and the bottom share."""

    adherence: float = 0.90
    occupancy: float = 0.75
    utilization: float = 0.80
    productivity: Mapping[str, float] = field(default_factory=dict)
    bottom_share: float = 0.20
    higher_is_better: bool = True


@dataclass(frozen=True, slots=True)
class Ranked:
    """An agent's place in the bottom list: rank 1 is the weakest."""

    agent: str
    team: str | None
    value: float
    rank: int


@dataclass(frozen=True, slots=True)
class AgentReview:
    """The layers an agent falls short on; `first_layer` is where to start with them."""

    agent: str
    team: str | None
    shortfalls: tuple[str, ...]
    first_layer: str | None
    details: dict[str, str]


@dataclass(frozen=True, slots=True)
class Review:
    """The onion review of a population for a period, and its bottom list."""

    agents: tuple[AgentReview, ...]
    bottom: tuple[Ranked, ...]
    unavailable: Mapping[str, str] = field(default_factory=dict)  # layer -> what it still needs

    def layer(self, name: str, team: str | None = None) -> list[str]:
        """Agents falling short on layer `name` (optionally of one team)."""
        return [
            a.agent
            for a in self.agents
            if name in a.shortfalls and (team is None or a.team == team)
        ]

    def first(self, name: str, team: str | None = None) -> list[str]:
        """Agents whose outermost shortfall is layer `name` (optionally of one team)."""
        return [
            a.agent
            for a in self.agents
            if a.first_layer == name and (team is None or a.team == team)
        ]

    def teams(self) -> list[str | None]:
        """The teams present, sorted (None last)."""
        return sorted({a.team for a in self.agents}, key=lambda t: (t is None, t or ""))


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def bottom(
    figures: Iterable[AgentFigures], share: float = 0.20, higher_is_better: bool = True
) -> tuple[Ranked, ...]:
    """The weakest ceil(share * n) agents with a figure, plus anyone tied with the last of them."""
    if not 0 <= share <= 1:
        raise ValueError(f"share must be within [0, 1], got {share}")
    rated = [f for f in figures if _finite(f.performance)]
    sign = 1.0 if higher_is_better else -1.0
    rated.sort(key=lambda f: (sign * f.performance, f.agent))  # type: ignore[operator]
    k = math.ceil(share * len(rated) - 1e-9)
    if k == 0:
        return ()
    cutoff = rated[k - 1].performance
    while k < len(rated) and rated[k].performance == cutoff:
        k += 1
    return tuple(
        Ranked(f.agent, f.team, float(f.performance), i + 1)  # type: ignore[arg-type]
        for i, f in enumerate(rated[:k])
    )


def review(
    figures: Sequence[AgentFigures],
    targets: Targets | None = None,
    unavailable: Mapping[str, str] | None = None,
) -> Review:
    """Peel the onion: each agent's shortfalls by layer, and the bottom list by performance.

    `unavailable` names layers that cannot be judged yet (layer → what is missing); their
    figures are ignored even if given, and the review carries the reason.
    """
    t = targets or Targets()
    missing = dict(unavailable or {})
    low = bottom(figures, t.bottom_share, t.higher_is_better)
    low_agents = {r.agent: r for r in low}
    out: list[AgentReview] = []
    for f in sorted(figures, key=lambda f: ((f.team is None, f.team or ""), f.agent)):
        short: list[str] = []
        details: dict[str, str] = {}
        if ADHERENCE not in missing and _finite(f.adherence) and f.adherence < t.adherence:  # type: ignore[operator]
            short.append(ADHERENCE)
            details[ADHERENCE] = f"adherence {f.adherence:.1%} < {t.adherence:.0%}"
        if OCCUPANCY not in missing and _finite(f.occupancy) and f.occupancy < t.occupancy:  # type: ignore[operator]
            short.append(OCCUPANCY)
            details[OCCUPANCY] = f"occupancy {f.occupancy:.1%} < {t.occupancy:.0%}"
        notes = []
        judged = UTILIZATION not in missing
        if judged and _finite(f.utilization) and f.utilization < t.utilization:  # type: ignore[operator]
            notes.append(f"utilization {f.utilization:.1%} < {t.utilization:.0%}")
        for channel, minimum in sorted(t.productivity.items()) if judged else ():
            done = f.productivity.get(channel)
            if done is not None and done < minimum:
                notes.append(f"{channel} {done:g}/day < {minimum:g}")
        if notes:
            short.append(UTILIZATION)
            details[UTILIZATION] = "; ".join(notes)
        if f.agent in low_agents:
            r = low_agents[f.agent]
            short.append(BOTTOM)
            details[BOTTOM] = f"rank {r.rank} of the bottom {len(low)} ({r.value:g})"
        out.append(AgentReview(f.agent, f.team, tuple(short), short[0] if short else None, details))
    return Review(tuple(out), low, missing)


def figures_from_report(
    rows: Iterable[Mapping[str, Any]],
    *,
    performance: str,
    handled_by_channel: Iterable[Mapping[str, Any]] = (),
    days: float = 1.0,
) -> list[AgentFigures]:
    """Each agent's figures from catalog report rows cut by agent (and team).

    `rows` carry the catalog's `occupancy`, `utilization`, `adherence` (when computable) and the
    chosen `performance` metric; `handled_by_channel` are rows of `handled` by agent and channel,
    turned into contacts handled per day over the period's `days`. Rows without an agent (e.g.
    abandoned contacts) are skipped.
    """
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    per_day: dict[str, dict[str, float]] = {}
    for row in handled_by_channel:
        agent, channel = row.get("agent"), row.get("channel")
        if agent is None or channel is None or not row.get("handled"):
            continue
        per_day.setdefault(agent, {})[channel] = float(row["handled"]) / days
    out: list[AgentFigures] = []
    for row in rows:
        agent = row.get("agent")
        if agent is None:
            continue
        out.append(
            AgentFigures(
                agent=agent,
                team=row.get("team"),
                adherence=_number(row.get("adherence")),
                occupancy=_number(row.get("occupancy")),
                utilization=_number(row.get("utilization")),
                productivity=per_day.get(agent, {}),
                performance=_number(row.get(performance)),
            )
        )
    return sorted(out, key=lambda f: f.agent)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


ENTERED = "entered"
STAYED = "stayed"
IMPROVED = "improved"
LEFT = "left"


@dataclass(frozen=True, slots=True)
class Tracked:
    """An agent on the bottom list now or last period, with the change in their figure."""

    agent: str
    status: str  # entered, stayed, improved (left the list), left (no figure this period)
    previous: float | None
    current: float | None
    periods_on_list: int
    getting_better: bool | None

    @property
    def change(self) -> float | None:
        """Current minus previous figure."""
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous


def track(
    previous: Sequence[Ranked],
    current: Sequence[Ranked],
    figures: Iterable[AgentFigures],
    *,
    higher_is_better: bool = True,
    streaks: Mapping[str, int] | None = None,
) -> list[Tracked]:
    """Who entered, who stayed (and whether getting better), who improved off the list."""
    now = {f.agent: f.performance for f in figures if _finite(f.performance)}
    before = {r.agent: r.value for r in previous}
    streaks = streaks or {}
    out: list[Tracked] = []
    for r in current:
        if r.agent in before:
            prev = before[r.agent]
            better = r.value > prev if higher_is_better else r.value < prev
            n = streaks.get(r.agent, 1) + 1
            out.append(Tracked(r.agent, STAYED, prev, r.value, n, better))
        else:
            out.append(Tracked(r.agent, ENTERED, None, r.value, 1, None))
    listed = {r.agent for r in current}
    for r in previous:
        if r.agent in listed:
            continue
        cur = now.get(r.agent)
        status = LEFT if cur is None else IMPROVED
        moved: bool | None = None
        if cur is not None:
            moved = cur > r.value if higher_is_better else cur < r.value
        out.append(Tracked(r.agent, status, r.value, cur, 0, moved))
    order = {ENTERED: 1, STAYED: 0, IMPROVED: 2, LEFT: 3}
    return sorted(out, key=lambda x: (order[x.status], x.agent))


def history(
    periods: Sequence[tuple[str, Sequence[AgentFigures]]], targets: Targets | None = None
) -> list[tuple[str, list[Tracked]]]:
    """The tracked bottom list across consecutive periods (oldest first)."""
    t = targets or Targets()
    out: list[tuple[str, list[Tracked]]] = []
    prev: tuple[Ranked, ...] = ()
    streaks: dict[str, int] = {}
    for label, figures in periods:
        low = bottom(figures, t.bottom_share, t.higher_is_better)
        rows = track(prev, low, figures, higher_is_better=t.higher_is_better, streaks=streaks)
        streaks = {r.agent: r.periods_on_list for r in rows if r.periods_on_list}
        out.append((label, rows))
        prev = low
    return out


__all__ = [
    "ADHERENCE",
    "BOTTOM",
    "ENTERED",
    "IMPROVED",
    "LAYERS",
    "LEFT",
    "OCCUPANCY",
    "STAYED",
    "UTILIZATION",
    "AgentFigures",
    "AgentReview",
    "Ranked",
    "Review",
    "Targets",
    "Tracked",
    "bottom",
    "figures_from_report",
    "history",
    "review",
    "track",
]
