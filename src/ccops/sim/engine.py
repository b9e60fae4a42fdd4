"""The general engine: multi-skill, multi-channel routing with priorities, overflow, schedules.

One heap of (time, seq, kind, x, y) tuples plus a pre-sorted array of fresh arrivals; per-contact
results go into flat lists (the records), agent state changes into one log. Nothing else is
allocated per event, so a month of a 150-seat center runs in seconds.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ccops.sim.arrivals import generate_arrivals
from ccops.sim.distributions import Distribution
from ccops.sim.emit import STATE_CODE
from ccops.sim.records import (
    ABANDONED,
    CONTAINED,
    HANDLED,
    TRANSFERRED,
    ContactRecords,
)
from ccops.sim.rota import Rota
from ccops.sim.routing import SkillPool, WaitingLine
from ccops.sim.scenario import Scenario, Team

_END, _WRAP, _ABANDON, _OVERFLOW, _ARRIVE, _SHIFT_ON, _SHIFT_OFF, _ACT_ON, _ACT_OFF = range(9)
_AVAILABLE = STATE_CODE["available"]
_TALKING = STATE_CODE["talking"]
_HOLDING = STATE_CODE["holding"]
_ACW = STATE_CODE["after_call_work"]
_OFFLINE = STATE_CODE["offline"]
_WAITING, _SERVING, _DONE = 0, 1, 2


def _stream(dist: Distribution, rng: np.random.Generator) -> Callable[[], float]:
    """The next value of `dist` on each call, sampled in blocks of 4,096 (a generator's
    ``__next__``: cheaper per draw than a Python method)."""

    def values() -> Iterator[float]:
        while True:
            yield from dist.sample(rng, 4096).tolist()

    return values().__next__


def _uniforms(rng: np.random.Generator) -> Callable[[], float]:
    """Uniform(0, 1) draws, in blocks of 8,192."""

    def values() -> Iterator[float]:
        while True:
            yield from rng.random(8192).tolist()

    return values().__next__


@dataclass(frozen=True, slots=True)
class _Options:
    days: int
    seed: int
    priorities: bool


class _Run:
    """The state of one simulation run (private; see `simulate`)."""

    def __init__(
        self, scenario: Scenario, days: int, seed: int, priorities: bool, rota: Rota | None = None
    ) -> None:
        self.sc = scenario
        self.rota = rota
        self.opt = _Options(days, seed, priorities)
        self.horizon = days * 86400.0
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        qs = scenario.queues
        skills = scenario.skills
        self.skill_index = {s: k for k, s in enumerate(skills)}
        si = self.skill_index
        qnames = [q.name for q in qs]
        self.q_skill = [si[q.skill] for q in qs]
        self.q_over = [si[q.overflow_skill] if q.overflow_skill else -1 for q in qs]
        self.q_over_after = [q.overflow_after for q in qs]
        self.q_msg = [q.is_message for q in qs]
        self.q_hold_p = [q.hold_probability for q in qs]
        self.q_xfer_p = [q.transfer_probability for q in qs]
        self.q_resolve_p = [q.resolution_probability for q in qs]
        self.q_repeat_p = [q.repeat_probability for q in qs]
        self.q_ivr_p = [q.ivr_containment for q in qs]
        self.q_callback = [q.callback_queue_length for q in qs]
        self.q_talk = [_stream(q.talk, rng) for q in qs]
        self.q_hold = [_stream(q.hold, rng) for q in qs]
        self.q_acw = [_stream(q.acw, rng) for q in qs]
        self.q_patience = [_stream(q.patience, rng) for q in qs]
        self.q_repeat = [_stream(q.repeat_after, rng) for q in qs]
        self.q_xfer_to = [qnames.index(q.transfer_to) if q.transfer_to else -1 for q in qs]
        self.reason_names: list[str] = []
        for q in qs:
            for r in q.reasons:
                if r not in self.reason_names:
                    self.reason_names.append(r)
        self.q_reasons = [[self.reason_names.index(r) for r in q.reasons] for q in qs]
        self.segment_names: list[str] = []
        for q in qs:
            if q.segment and q.segment not in self.segment_names:
                self.segment_names.append(q.segment)
        self.q_segment = [self.segment_names.index(q.segment) if q.segment else -1 for q in qs]
        self.u = _uniforms(rng)
        skill_msg = [False] * len(skills)
        for q in qs:
            skill_msg[si[q.skill]] = q.is_message
            if q.overflow_skill:
                skill_msg[si[q.overflow_skill]] = q.is_message
        self.skill_msg = skill_msg
        # Agents.
        names: list[str] = []
        team_of: list[int] = []
        if rota is not None:
            team_index = {t.name: ti for ti, t in enumerate(scenario.teams)}
            names = list(rota.names)
            team_of = [team_index[a.team] for a in rota.agents]
        else:
            for ti, team in enumerate(scenario.teams):
                for k in range(team.agents):
                    names.append(agent_name(team, k))
                    team_of.append(ti)
        self.agent_names = names
        n_agents = len(names)
        levels: list[list[float]] = [[] for _ in skills]
        for team in scenario.teams:
            for s, p in team.skills:
                levels[si[s]].append(p)
        self.pools = [SkillPool(lv or [1.0]) for lv in levels]
        prio = [q.priority if priorities else 0 for q in qs]
        self.lines = [WaitingLine(k, prio[k], q.is_message) for k, q in enumerate(qs)]
        self.over_lines = [WaitingLine(k, prio[k], q.is_message) for k, q in enumerate(qs)]
        self.prof: list[dict[int, float]] = []
        self.slots: list[list[tuple[OrderedDict[int, None], bool]]] = []
        self.lines_of: list[list[WaitingLine]] = []
        for a in range(n_agents):
            team = scenario.teams[team_of[a]]
            prof = {si[s]: p for s, p in team.skills}
            self.prof.append(prof)
            self.slots.append([(self.pools[s].tier_of(p), skill_msg[s]) for s, p in prof.items()])
            mine = [self.lines[k] for k in range(len(qs)) if self.q_skill[k] in prof]
            mine += [self.over_lines[k] for k in range(len(qs)) if self.q_over[k] in prof]
            mine.sort(key=lambda w: -w.priority)
            self.lines_of.append(mine)
        # proficiency of each agent on each queue's skill (or its overflow skill): talk ÷ it
        self.speed = [
            [prof.get(self.q_skill[q]) or prof.get(self.q_over[q], 1.0) for q in range(len(qs))]
            for prof in self.prof
        ]
        self.conc = [scenario.teams[team_of[a]].concurrency for a in range(n_agents)]
        self.ready = [False] * n_agents
        self.on_shift = [False] * n_agents
        self.excl = [-1] * n_agents
        self.chats = [0] * n_agents
        self.pending: list[list[tuple[int, float]]] = [[] for _ in range(n_agents)]
        self.last_state = [_OFFLINE] * n_agents
        self.act_token = [0] * n_agents
        self.team_of = team_of
        # Contacts (flat lists, one entry per contact).
        self.arrival: list[float] = []
        self.queue: list[int] = []
        self.answered: list[float] = []
        self.abandoned: list[float] = []
        self.ended: list[float] = []
        self.wrapped: list[float] = []
        self.agent: list[int] = []
        self.hold: list[float] = []
        self.outcome: list[int] = []
        self.customer: list[int] = []
        self.reason: list[int] = []
        self.resolved: list[int] = []
        self.transfer_to: list[int] = []
        self.parent: list[int] = []
        self.vhold: list[bool] = []
        self.state: list[int] = []
        self.qlen = [0] * len(qs)
        self.next_customer = 0
        self.log: list[tuple[float, int, int, int]] = []
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.seq = 0

    # --- helpers -------------------------------------------------------------------------

    def push(self, t: float, kind: int, x: int, y: int = 0) -> None:
        """Schedule an event."""
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, kind, x, y))

    def set_state(self, t: float, a: int, code: int, q: int = -1) -> None:
        """Log an agent state change (repeated 'available' is skipped)."""
        if code == _AVAILABLE and self.last_state[a] == _AVAILABLE:
            return
        self.last_state[a] = code
        self.log.append((t, a, code, q))

    def refresh(self, a: int) -> None:
        """Put the agent into exactly the skill pools it can take work from now."""
        free = self.ready[a] and self.excl[a] < 0 and not self.pending[a]
        can_excl = free and self.chats[a] == 0
        can_msg = free and self.chats[a] < self.conc[a]
        for tier, is_msg in self.slots[a]:
            want = can_msg if is_msg else can_excl
            if want:
                if a not in tier:
                    tier[a] = None
            elif a in tier:
                del tier[a]

    def new_contact(self, t: float, q: int, customer: int, parent: int, reason: int) -> int:
        """Append a contact row; return its index."""
        i = len(self.arrival)
        self.arrival.append(t)
        self.queue.append(q)
        self.answered.append(math.nan)
        self.abandoned.append(math.nan)
        self.ended.append(math.nan)
        self.wrapped.append(math.nan)
        self.agent.append(-1)
        self.hold.append(math.nan)
        self.outcome.append(ABANDONED)
        self.customer.append(customer)
        self.reason.append(reason)
        self.resolved.append(-1)
        self.transfer_to.append(-1)
        self.parent.append(parent)
        self.vhold.append(False)
        self.state.append(_WAITING)
        return i

    def next_open(self, t: float, q: int) -> float:
        """Move a call-back time to the next hour in which the queue gets contacts at all."""
        spec = self.sc.queues[q]
        if spec.forecast is not None or spec.profile == "flat":
            return t
        p = self.sc.profiles[spec.profile]
        weekday0 = self.sc.start.weekday()
        for step in range(24 * 8):
            hour = int(t // 3600.0) + step
            if p.hourly[hour % 24] > 0 and p.weekly[(weekday0 + hour // 24) % 7] > 0:
                return t if step == 0 else hour * 3600.0 + (t % 3600.0)
        return t

    def preallocate(self, times: list[float], queues: np.ndarray) -> None:
        """Rows 0..n-1 are the fresh arrivals, in time order; later contacts are appended."""
        n = len(times)
        nan = math.nan
        self.arrival = list(times)
        self.queue = queues.tolist()
        self.answered = [nan] * n
        self.abandoned = [nan] * n
        self.ended = [nan] * n
        self.wrapped = [nan] * n
        self.agent = [-1] * n
        self.hold = [nan] * n
        self.outcome = [ABANDONED] * n
        self.customer = list(range(1, n + 1))
        self.next_customer = n
        reason = np.full(n, -1, dtype=np.int64)
        for q, options in enumerate(self.q_reasons):
            if options:
                mine = queues == q
                pick = self.rng.integers(0, len(options), int(mine.sum()))
                reason[mine] = np.asarray(options, dtype=np.int64)[pick]
        self.reason = reason.tolist()
        self.resolved = [-1] * n
        self.transfer_to = [-1] * n
        self.parent = [-1] * n
        self.vhold = [False] * n
        self.state = [_WAITING] * n

    # --- contact flow --------------------------------------------------------------------

    def offer(self, i: int, t: float) -> None:
        """A contact enters its queue: IVR, an idle agent, or the waiting line."""
        q = self.queue[i]
        ivr = self.q_ivr_p[q]
        if ivr > 0 and self.u() < ivr:
            self.state[i] = _DONE
            self.outcome[i] = CONTAINED
            self.ended[i] = t + self.sc.queues[q].ivr_seconds
            return
        a = self.pools[self.q_skill[q]].take()
        if a >= 0:
            self.answer(i, a, t)
            return
        self.lines[q].contacts.append(i)
        limit = self.q_callback[q]
        if (
            limit is not None
            and self.qlen[q] >= limit
            and self.u() < self.sc.queues[q].callback_acceptance
        ):
            self.vhold[i] = True  # virtual hold: keeps its place, called back, never abandons
        else:
            patience = self.q_patience[q]()
            if patience < math.inf:
                self.push(t + patience, _ABANDON, i)
        self.qlen[q] += 1
        over = self.q_over_after[q]
        if over is not None:
            self.push(t + over, _OVERFLOW, i)

    def answer(self, i: int, a: int, t: float) -> None:
        """Agent a takes contact i at time t."""
        q = self.queue[i]
        self.state[i] = _SERVING
        self.answered[i] = t
        self.agent[i] = a
        talk = self.q_talk[q]() / self.speed[a][q]
        hold_p = self.q_hold_p[q]
        hold = self.q_hold[q]() if hold_p > 0 and self.u() < hold_p else 0.0
        self.hold[i] = hold
        self.seq += 1
        heapq.heappush(self.heap, (t + talk + hold, self.seq, _END, a, i))
        if self.q_msg[q]:
            self.chats[a] += 1
            if self.chats[a] == 1:
                self.set_state(t, a, _TALKING, q)
            self.refresh(a)
        else:
            self.excl[a] = i
            self.last_state[a] = _TALKING
            log = self.log
            log.append((t, a, _TALKING, q))
            if hold > 0:
                half = t + talk / 2.0
                log.append((half, a, _HOLDING, q))
                log.append((half + hold, a, _TALKING, q))
            for tier, _ in self.slots[a]:  # busy on a voice or email contact: in no pool
                tier.pop(a, None)

    def end(self, a: int, i: int, t: float) -> None:
        """The conversation ends: transfer, resolution and repeat; after-call work begins."""
        q = self.queue[i]
        self.ended[i] = t
        u = self.u
        xfer_p = self.q_xfer_p[q]
        if xfer_p > 0 and u() < xfer_p:
            self.outcome[i] = TRANSFERRED
            to = self.q_xfer_to[q]
            self.transfer_to[i] = to
            j = self.new_contact(t, to, self.customer[i], i, self.reason[i])
            self.offer(j, t)
        else:
            self.outcome[i] = HANDLED
            resolve_p = self.q_resolve_p[q]
            ok = resolve_p >= 1.0 or u() < resolve_p
            self.resolved[i] = int(ok)
            repeat_p = self.q_repeat_p[q]
            if not ok and repeat_p > 0 and u() < repeat_p:
                back = self.next_open(t + self.q_repeat[q](), q)
                if back < self.horizon:
                    j = self.new_contact(back, q, self.customer[i], -1, self.reason[i])
                    self.push(back, _ARRIVE, j)
        acw = self.q_acw[q]()
        if acw > 0:
            if not self.q_msg[q]:
                self.set_state(t, a, _ACW, q)
            self.push(t + acw, _WRAP, a, i)
        else:
            self.wrap(a, i, t)

    def wrap(self, a: int, i: int, t: float) -> None:
        """After-call work ends: the agent frees a slot and looks for more work."""
        self.wrapped[i] = t
        if self.q_msg[self.queue[i]]:
            self.chats[a] -= 1
        else:
            self.excl[a] = -1
        self.freed(a, t)

    def freed(self, a: int, t: float) -> None:
        """The agent has capacity again: pending break or log-off first, else pull work."""
        if self.excl[a] < 0 and self.chats[a] == 0 and self.pending[a]:
            code, minutes = self.pending[a].pop(0)
            if code == _OFFLINE:
                self.go_offline(a, t)
            else:
                self.start_activity(a, code, minutes, t)
            return
        if not self.ready[a]:
            return
        self.pull(a, t)
        if self.excl[a] >= 0:  # took a voice or email contact: answer() left it in no pool
            return
        if self.chats[a] == 0:
            self.set_state(t, a, _AVAILABLE)
        self.refresh(a)

    def pull(self, a: int, t: float) -> None:
        """Take waiting contacts: highest priority first, then the longest waiting."""
        state = self.state
        arrival = self.arrival
        while self.excl[a] < 0 and not self.pending[a]:
            chats = self.chats[a]
            best: WaitingLine | None = None
            best_t = math.inf
            for line in self.lines_of[a]:
                if best is not None and line.priority < best.priority:
                    break
                if line.message:
                    if chats >= self.conc[a]:
                        continue
                elif chats:
                    continue
                dq = line.contacts
                while dq and state[dq[0]] != _WAITING:
                    dq.popleft()
                if dq and arrival[dq[0]] < best_t:
                    best, best_t = line, arrival[dq[0]]
            if best is None:
                return
            i = best.contacts.popleft()
            self.qlen[self.queue[i]] -= 1
            self.answer(i, a, t)

    # --- schedules -------------------------------------------------------------------------

    def start_activity(self, a: int, code: int, minutes: float, t: float) -> None:
        """Begin a break, lunch, training or meeting now."""
        self.ready[a] = False
        self.act_token[a] += 1
        self.set_state(t, a, code)
        self.refresh(a)
        self.push(t + minutes * 60.0, _ACT_OFF, a, self.act_token[a])

    def go_offline(self, a: int, t: float) -> None:
        """Log off at the end of the shift."""
        self.on_shift[a] = False
        self.ready[a] = False
        self.act_token[a] += 1
        self.set_state(t, a, _OFFLINE)
        self.refresh(a)

    def schedule(self) -> None:
        """Push every agent's shifts, activities and log-offs for the run."""
        if self.rota is not None:
            self.schedule_rota(self.rota)
            return
        weekday0 = self.sc.start.weekday()
        a = 0
        for team in self.sc.teams:
            n_shifts = len(team.shifts)
            for k in range(team.agents):
                shift = team.shifts[k % n_shifts]
                spread = shift.stagger_minutes * 60.0
                offset = ((k // n_shifts) * 643.0) % spread if spread > 0 else 0.0
                for d in range(self.opt.days):
                    if (weekday0 + d) % 7 not in shift.days:
                        continue
                    s = d * 86400.0 + shift.start_minutes * 60.0
                    self.push(s, _SHIFT_ON, a)
                    for act in shift.activities:
                        when = s + act.after_minutes * 60.0 + offset
                        code = STATE_CODE[act.state] * 100000 + int(act.minutes * 60)
                        self.push(when, _ACT_ON, a, code)
                    self.push(s + shift.hours * 3600.0, _SHIFT_OFF, a)
                a += 1

    def schedule_rota(self, rota: Rota) -> None:
        """Push the rota's shifts and activities at their given times."""
        for a, agent in enumerate(rota.agents):
            for shift in agent.shifts:
                if shift.start >= self.horizon:
                    continue
                self.push(shift.start, _SHIFT_ON, a)
                for act in shift.activities:
                    code = STATE_CODE[act.state] * 100000 + int(act.minutes * 60)
                    self.push(act.start, _ACT_ON, a, code)
                self.push(shift.end, _SHIFT_OFF, a)

    # --- main loop -------------------------------------------------------------------------

    def run(self) -> ContactRecords:
        """Run to the end; return the records."""
        self.schedule()
        arr_t, arr_q = generate_arrivals(self.sc, self.opt.days, self.rng)
        times = arr_t.tolist()
        n = len(times)
        self.preallocate(times, arr_q)
        k = 0
        heap = self.heap
        pop = heapq.heappop
        state = self.state  # the same list object for the whole run (rows are only appended)
        while True:
            if k < n and (not heap or times[k] <= heap[0][0]):
                self.offer(k, times[k])
                k += 1
                continue
            if not heap:
                break
            t, _, kind, x, y = pop(heap)
            if kind == _END:
                self.end(x, y, t)
            elif kind == _WRAP:
                self.wrap(x, y, t)
            elif kind == _ABANDON:
                if state[x] == _WAITING:
                    state[x] = _DONE
                    self.abandoned[x] = t
                    self.qlen[self.queue[x]] -= 1
            elif kind == _OVERFLOW:
                if state[x] == _WAITING:
                    q = self.queue[x]
                    self.over_lines[q].contacts.append(x)
                    a = self.pools[self.q_over[q]].take()
                    if a >= 0:
                        self.qlen[q] -= 1
                        self.answer(x, a, t)
            elif kind == _ARRIVE:
                self.offer(x, t)
            elif kind == _SHIFT_ON:
                self.on_shift[x] = True
                self.ready[x] = True
                self.pending[x].clear()
                if self.excl[x] < 0 and self.chats[x] == 0:
                    self.set_state(t, x, _AVAILABLE)
                self.freed(x, t)
            elif kind == _SHIFT_OFF:
                if not self.on_shift[x]:
                    continue
                if self.excl[x] >= 0 or self.chats[x] > 0:
                    self.pending[x].append((_OFFLINE, 0.0))
                    self.refresh(x)
                else:
                    self.go_offline(x, t)
            elif kind == _ACT_ON:
                if not self.on_shift[x]:
                    continue
                code, seconds = divmod(y, 100000)
                if self.excl[x] >= 0 or self.chats[x] > 0 or not self.ready[x]:
                    self.pending[x].append((code, seconds / 60.0))
                    self.refresh(x)
                else:
                    self.start_activity(x, code, seconds / 60.0, t)
            elif kind == _ACT_OFF:
                if y != self.act_token[x] or not self.on_shift[x]:
                    continue
                self.ready[x] = True
                self.set_state(t, x, _AVAILABLE)
                self.freed(x, t)
        return self.records()

    def records(self) -> ContactRecords:
        """The run's contacts as columnar records."""
        qs = self.sc.queues
        queue = np.asarray(self.queue, dtype=np.int64)
        return ContactRecords(
            start=self.sc.start,
            seed=self.opt.seed,
            queue_names=tuple(q.name for q in qs),
            queue_channels=tuple(q.channel for q in qs),
            agent_names=tuple(self.agent_names),
            arrival=np.asarray(self.arrival),
            queue=queue,
            answered=np.asarray(self.answered),
            abandoned=np.asarray(self.abandoned),
            ended=np.asarray(self.ended),
            wrapped=np.asarray(self.wrapped),
            agent=np.asarray(self.agent, dtype=np.int64),
            hold=np.asarray(self.hold),
            outcome=np.asarray(self.outcome, dtype=np.int64),
            customer=np.asarray(self.customer, dtype=np.int64),
            vip_tier=np.asarray([q.vip_tier for q in qs], dtype=np.int64)[queue],
            priority=np.asarray([q.priority for q in qs], dtype=np.int64)[queue],
            segment=(
                np.asarray(self.q_segment, dtype=np.int64)[queue] if self.segment_names else None
            ),
            segment_names=tuple(self.segment_names),
            reason=np.asarray(self.reason, dtype=np.int64) if self.reason_names else None,
            reason_names=tuple(self.reason_names),
            resolved=np.asarray(self.resolved, dtype=np.int64),
            transfer_to=np.asarray(self.transfer_to, dtype=np.int64),
            parent=np.asarray(self.parent, dtype=np.int64),
            virtual_hold=np.asarray(self.vhold, dtype=np.bool_),
            agent_log=self.log,
        )


def agent_name(team: Team, k: int) -> str:
    """The name the simulator gives the k-th (0-based) agent of a team, e.g. ``north-007``."""
    return f"{team.name.lower().replace(' ', '-')}-{k + 1:03d}"


def simulate(
    scenario: Scenario, days: int, seed: int, priorities: bool = True, rota: Rota | None = None
) -> ContactRecords:
    """Simulate `days` days of the center; same seed, same records (priorities off: plain FIFO).

    With a `rota`, its named agents work its shifts instead of the teams' templates.
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    if rota is not None:
        rota.check(scenario)
    # The run allocates millions of tuples and floats but no reference cycles: the cyclic
    # garbage collector would only rescan them (a quarter of the run time on long runs).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Run(scenario, days, seed, priorities, rota).run()
    finally:
        if collecting:
            gc.enable()
