"""A rota: named agents with their exact shifts and activities, instead of a team's templates.

A scenario's teams describe agents by shift templates (every agent of a team on the same
pattern). To try a real schedule on the twin — a roster from :mod:`ccops.wfm`, or a published
one — the simulator takes a rota: each agent's team (its skills and chat concurrency) and its
shifts, with breaks, lunches, training and meetings at given times. Times are seconds after the
scenario's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccops.sim.scenario import ACTIVITY_STATES, Scenario, ScenarioError


@dataclass(frozen=True, slots=True)
class RotaActivity:
    """An activity inside a shift: break, lunch, training, meeting or away."""

    state: str
    start: float  # seconds after the scenario start
    minutes: float


@dataclass(frozen=True, slots=True)
class RotaShift:
    """One shift: logged in over [start, end), off the phone during its activities."""

    start: float  # seconds after the scenario start
    end: float
    activities: tuple[RotaActivity, ...] = ()


@dataclass(frozen=True, slots=True)
class RotaAgent:
    """A named agent of one of the scenario's teams, with its shifts."""

    name: str
    team: str
    shifts: tuple[RotaShift, ...]


@dataclass(frozen=True, slots=True)
class Rota:
    """Who works when, agent by agent."""

    agents: tuple[RotaAgent, ...]

    def check(self, scenario: Scenario) -> None:
        """Raise ScenarioError naming the agent and shift if the rota cannot run on `scenario`.

        Shifts after the end of a run are allowed (a run may try the first days of a rota).
        """
        teams = {t.name for t in scenario.teams}
        seen: set[str] = set()
        problems: list[str] = []
        for agent in self.agents:
            if agent.name in seen:
                problems.append(f"agent {agent.name!r}: listed twice")
            seen.add(agent.name)
            if agent.team not in teams:
                problems.append(
                    f"agent {agent.name!r}: no team {agent.team!r} in the scenario "
                    f"(one of {', '.join(sorted(teams))})"
                )
            previous_end = -1.0
            for shift in sorted(agent.shifts, key=lambda s: s.start):
                where = f"agent {agent.name!r}, shift at {shift.start:g} s"
                if not 0.0 <= shift.start < shift.end:
                    problems.append(f"{where}: must start at or after 0 and end after it starts")
                if shift.start < previous_end:
                    problems.append(f"{where}: overlaps the shift before")
                previous_end = shift.end
                for act in shift.activities:
                    if act.state not in ACTIVITY_STATES:
                        problems.append(
                            f"{where}: unknown activity {act.state!r} "
                            f"(one of {', '.join(ACTIVITY_STATES)})"
                        )
                    if not shift.start <= act.start < shift.end or act.minutes <= 0:
                        problems.append(f"{where}: activity at {act.start:g} s is not inside it")
        if problems:
            raise ScenarioError("rota: " + "; ".join(problems[:10]))

    @property
    def names(self) -> tuple[str, ...]:
        """The agents' names, in rota order."""
        return tuple(a.name for a in self.agents)


def rota_activities(rota: Rota) -> list[tuple[str, str, float, float]]:
    """The rota as activities (agent, activity, start s, end s): each shift's work spans around
    its breaks, lunches and other activities — the inverse of :func:`rota_from_activities`."""
    out: list[tuple[str, str, float, float]] = []
    for agent in rota.agents:
        for shift in agent.shifts:
            cursor = shift.start
            for act in sorted(shift.activities, key=lambda x: x.start):
                if act.start > cursor:
                    out.append((agent.name, "work", cursor, act.start))
                end = act.start + act.minutes * 60.0
                kind = "off_phone" if act.state == "away" else act.state
                out.append((agent.name, kind, act.start, end))
                cursor = end
            if shift.end > cursor:
                out.append((agent.name, "work", cursor, shift.end))
    return out


def rota_from_activities(
    spans: Sequence[tuple[str, str, float, float]], teams: dict[str, str]
) -> Rota:
    """A rota from published activities (agent, activity, start s, end s) and agent → team.

    Touching spans of one agent form one shift; "work" is time on the phones and every other
    activity (break, lunch, training, meeting; "off_phone" as away) is taken inside the shift.
    Agents of `teams` without activities are in the rota, off all the time.
    """
    unknown = sorted({a for a, *_ in spans} - set(teams))
    if unknown:
        raise ScenarioError(f"rota: no team for agent(s) {', '.join(unknown[:5])}")
    by_agent: dict[str, list[tuple[float, float, str]]] = {name: [] for name in teams}
    for agent, activity, start, end in spans:
        by_agent[agent].append((start, end, activity))
    agents: list[RotaAgent] = []
    for name, team in teams.items():
        shifts: list[RotaShift] = []
        current: list[tuple[float, float, str]] = []
        for span in sorted(by_agent[name]) + [(float("inf"), float("inf"), "")]:
            if current and span[0] > current[-1][1]:
                acts = tuple(
                    RotaActivity("away" if kind == "off_phone" else kind, s, (e - s) / 60.0)
                    for s, e, kind in current
                    if kind != "work"
                )
                shifts.append(RotaShift(current[0][0], current[-1][1], acts))
                current = []
            current.append(span)
        agents.append(RotaAgent(name, team, tuple(shifts)))
    return Rota(tuple(agents))
