"""Sampling: reproducible from its seed, quotas and strata respected, no contact twice."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccops.quality.sampling import (
    RANDOM,
    Candidate,
    Evaluator,
    Sample,
    allocate,
    assign,
    draw,
    iso_week,
    long_handle,
    transfers,
    vip,
)


def _contacts(n_agents: int = 5, per_agent: int = 40, seed: int = 0) -> list[Candidate]:
    rng = random.Random(seed)
    out = []
    for a in range(n_agents):
        for i in range(per_agent):
            queue = "billing" if i % 4 else "sales"  # 3/4 billing, 1/4 sales
            out.append(
                Candidate(
                    contact=f"a{a}-c{i}",
                    agent=f"agent-{a}",
                    queue=queue,
                    channel="voice" if i % 2 else "chat",
                    handle_seconds=rng.uniform(60, 1200),
                    transferred=rng.random() < 0.1,
                    vip=rng.random() < 0.05,
                )
            )
    return out


def test_the_same_seed_gives_the_same_sample_whatever_the_input_order() -> None:
    contacts = _contacts()
    shuffled = contacts[:]
    random.Random(9).shuffle(shuffled)
    first = draw(contacts, 4, seed=1, rules=[long_handle(900), transfers()])
    again = draw(shuffled, 4, seed=1, rules=[long_handle(900), transfers()])
    assert first == again
    assert draw(contacts, 4, seed=2).samples != draw(contacts, 4, seed=1).samples


def test_each_agent_gets_the_quota_split_over_strata_in_proportion() -> None:
    contacts = [
        Candidate(f"a{a}-c{i}", f"agent-{a}", "billing" if i < 30 else "sales", "voice")
        for a in range(5)
        for i in range(40)
    ]
    run = draw(contacts, 4, seed=3)
    per_agent = Counter(s.agent for s in run.samples)
    assert set(per_agent.values()) == {4} and len(per_agent) == 5
    for agent in per_agent:
        strata = Counter(s.stratum[0] for s in run.samples if s.agent == agent)
        assert strata == {"billing": 3, "sales": 1}
    assert run.shortfalls == ()


def test_targeted_samples_come_on_top_of_the_quota_and_match_their_rule() -> None:
    contacts = _contacts()
    run = draw(contacts, 4, seed=5, rules=[long_handle(900, per_agent=2), vip()])
    by_contact = {c.contact: c for c in contacts}
    for s in run.samples:
        if s.reason == "long_handle":
            assert by_contact[s.contact].handle_seconds >= 900  # type: ignore[operator]
        if s.reason == "vip":
            assert by_contact[s.contact].vip
    reasons = Counter((s.agent, s.reason) for s in run.samples)
    for a in range(5):
        assert reasons[(f"agent-{a}", RANDOM)] == 4
        assert reasons[(f"agent-{a}", "long_handle")] == 2


def test_an_agent_with_too_few_contacts_is_reported_short() -> None:
    run = draw(_contacts(n_agents=1, per_agent=3), 4, seed=1)
    assert len(run.samples) == 3
    assert [(s.agent, s.wanted, s.got) for s in run.shortfalls] == [("agent-0", 4, 3)]


def test_runs_never_sample_a_contact_already_sampled() -> None:
    contacts = _contacts(per_agent=10)
    seen: set[str] = set()
    for week in range(3):
        run = draw(contacts, 3, seed=week, rules=[transfers()], already_sampled=seen)
        keys = [s.contact for s in run.samples]
        assert len(keys) == len(set(keys))
        assert not seen & set(keys)
        seen |= set(keys)
    left = {c.contact for c in contacts} - seen
    last = draw(contacts, 10, seed=9, already_sampled=seen)
    assert {s.contact for s in last.samples} == left


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 30), min_size=1, max_size=6),
    quota=st.integers(0, 40),
    seed=st.integers(0, 2**31),
    taken=st.sets(st.integers(0, 200), max_size=50),
)
def test_properties_hold_for_any_pool(sizes: list[int], quota: int, seed: int, taken) -> None:
    contacts = [
        Candidate(f"k{len(sizes) * i + q}", agent=f"a{q % 2}", queue=f"q{q}")
        for q, size in enumerate(sizes)
        for i in range(size)
    ]
    already = {f"k{t}" for t in taken}
    run = draw(contacts, quota, seed=seed, already_sampled=already)
    keys = [s.contact for s in run.samples]
    assert len(keys) == len(set(keys)) and not set(keys) & already
    for agent, n in Counter(s.agent for s in run.samples).items():
        assert n <= quota
        eligible = sum(1 for c in contacts if c.agent == agent and c.contact not in already)
        assert n == min(quota, eligible)


@given(quota=st.integers(0, 50), sizes=st.lists(st.integers(0, 20), min_size=1, max_size=8))
def test_allocation_fills_the_quota_without_overfilling_a_stratum(quota: int, sizes) -> None:
    alloc = allocate(quota, sizes)
    assert sum(alloc) == min(quota, sum(sizes))
    assert all(0 <= a <= s for a, s in zip(alloc, sizes, strict=True))


def test_allocation_is_proportional() -> None:
    assert allocate(4, [30, 10]) == [3, 1]
    assert allocate(4, [1, 30, 10]) == [0, 3, 1]
    assert allocate(5, [1, 1, 30]) == [0, 0, 5]
    assert allocate(6, [10, 10, 10]) == [2, 2, 2]
    assert allocate(7, [10, 10, 10]) == [3, 2, 2]  # remainders tie: the first stratum


def test_assignment_balances_by_capacity_and_never_gives_evaluators_their_own_contacts() -> None:
    samples = [Sample(f"c{i}", f"agent-{i % 3}", RANDOM, ("q", "voice")) for i in range(30)]
    evaluators = [
        Evaluator("qa-1"),
        Evaluator("vendor", kind="third_party", capacity=2.0),
        Evaluator("lead-0", agent="agent-0"),
    ]
    owners = assign(samples, evaluators, seed=4)
    assert owners == assign(samples, evaluators, seed=4)
    load = Counter(owners)
    assert load["vendor"] == pytest.approx(15, abs=1)
    assert load["qa-1"] == pytest.approx(7.5, abs=1)
    for s, e in zip(samples, owners, strict=True):
        assert not (e == "lead-0" and s.agent == "agent-0")


def test_iso_weeks_run_monday_to_monday() -> None:
    assert iso_week("2026-W45") == (date(2026, 11, 2), date(2026, 11, 9))
    with pytest.raises(ValueError, match="ISO week"):
        iso_week("2026-45")
