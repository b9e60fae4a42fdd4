"""The multi-skill engine: VIP priority shortens VIP waits; overflow cuts abandonment."""

from __future__ import annotations

from typing import Any

import numpy as np

from ccops.sim import parse_scenario, records_kpis, simulate

ALL_DAY = {"start": "00:00", "hours": 24, "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}


def center(queues: list[dict[str, Any]], teams: list[dict[str, Any]]) -> dict[str, Any]:
    """A scenario dict with 24/7 shifts for every team."""
    for t in teams:
        t.setdefault("shifts", [ALL_DAY])
    return {"center": {"name": "test", "start": "2026-01-05"}, "queues": queues, "teams": teams}


def shared_pool_center(vip_priority: int) -> dict[str, Any]:
    """One team serves general and VIP voice; VIP is 15% of a heavy load (rho about 0.95)."""
    return center(
        [
            {
                "name": "general",
                "skill": "general",
                "priority": 1,
                "daily_volume": 5200,
                "aht": 300,
            },
            {
                "name": "vip",
                "skill": "vip",
                "priority": vip_priority,
                "daily_volume": 920,
                "aht": 300,
            },
        ],
        [{"name": "Floor", "agents": 22, "skills": ["general", "vip"]}],
    )


def test_vip_priority_makes_vip_wait_much_shorter_than_without_priority() -> None:
    sc_prio = parse_scenario(shared_pool_center(10))
    with_prio = simulate(sc_prio, days=6, seed=1)
    without = simulate(sc_prio, days=6, seed=1, priorities=False)
    vip_prio = records_kpis(with_prio, queue="vip", warmup=3600).asa_seconds
    vip_fifo = records_kpis(without, queue="vip", warmup=3600).asa_seconds
    gen_fifo = records_kpis(without, queue="general", warmup=3600).asa_seconds
    gen_prio = records_kpis(with_prio, queue="general", warmup=3600).asa_seconds
    # Without priority the shared FIFO pool treats both alike: similar waits.
    assert abs(vip_fifo - gen_fifo) < 0.25 * gen_fifo
    # With priority a VIP waits only for the next agent to free up (about AHT/c = 14 s when all
    # are busy), far less than the general queue's wait; general pays a little for it.
    assert vip_prio < 0.25 * vip_fifo
    assert vip_prio < 20.0
    assert gen_prio > gen_fifo


def overflow_center(overflow: bool) -> dict[str, Any]:
    """VIP (2 dedicated agents, load 4 erlangs: overloaded) next to an idle-ish general team."""
    vip: dict[str, Any] = {
        "name": "vip",
        "skill": "vip",
        "priority": 10,
        "daily_volume": 1440,
        "aht": 240,
        "patience": {"kind": "exponential", "mean": 60},
    }
    if overflow:
        vip |= {"overflow_after": 20, "overflow_skill": "general"}
    return center(
        [
            vip,
            {
                "name": "general",
                "skill": "general",
                "priority": 1,
                "daily_volume": 2880,
                "aht": 240,
                "patience": {"kind": "exponential", "mean": 60},
            },
        ],
        [
            {"name": "VIP desk", "agents": 2, "skills": ["vip"]},
            {"name": "Floor", "agents": 14, "skills": ["general"]},
        ],
    )


def test_overflow_to_a_secondary_skill_lowers_vip_abandonment() -> None:
    alone = simulate(parse_scenario(overflow_center(False)), days=4, seed=2)
    helped = simulate(parse_scenario(overflow_center(True)), days=4, seed=2)
    ab_alone = records_kpis(alone, queue="vip").abandon_rate
    ab_helped = records_kpis(helped, queue="vip").abandon_rate
    # Alone: 2 agents for 4 erlangs, so at least half the offered load must leave unserved.
    assert ab_alone > 0.45
    # With overflow, anyone still waiting at 20 s goes to an idle generalist, so only those whose
    # patience is under 20 s can abandon: at most 1 - exp(-20/60) = 0.28.
    assert ab_helped < 1 - np.exp(-20 / 60)
    overflowed = helped.agent[(helped.queue == 0) & (helped.agent >= 2)]
    assert overflowed.size > 0  # generalists (agents 2..) did take VIP contacts
