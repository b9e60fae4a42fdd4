"""Properties of every report: ratios in bounds, roll-ups equal direct figures, halves add up.

Data sets are generated (contacts with random waits, fates and customers; agents with random state
timelines) and enter a SQLite store through the ingest path.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ccops.metrics import CATALOG, run_report
from ccops.store import make_engine, upgrade
from tests.metrics.handmade import ingest

START = datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
AS_OF = datetime(2026, 11, 10)
CONTACT_METRICS = [
    "offered", "answered", "handled", "abandoned", "short_abandoned", "ivr_contained",
    "service_level", "asa_seconds", "abandon_rate", "aht_seconds", "talk_seconds",
    "hold_seconds", "acw_seconds", "transfer_rate", "fcr_rate",
]  # fmt: skip
STATE_METRICS = ["occupancy", "utilization", "productivity"]
STATES = ["available", "ringing", "talking", "holding", "after_call_work", "break", "away"]

contacts_st = st.lists(
    st.tuples(
        st.integers(0, 3 * 86_400),  # offered, seconds after START
        st.sampled_from(["q1", "q2"]),
        st.sampled_from(["answer", "answer", "abandon", "transfer", "ivr"]),
        st.integers(0, 90),  # wait
        st.integers(1, 600),  # talk
        st.integers(0, 60),  # hold
        st.one_of(st.none(), st.integers(0, 120)),  # acw
        st.sampled_from(["a1", "a2", "a3"]),
        st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3", "k4"])),
        st.one_of(st.none(), st.sampled_from(["r1", "r2"])),
    ),
    min_size=1,
    max_size=40,
)
timeline_st = st.lists(
    st.tuples(st.integers(1, 5000), st.sampled_from(STATES)), min_size=1, max_size=12
)
states_st = st.fixed_dictionaries({"a1": timeline_st, "a2": timeline_st})


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def contact_events(contacts: list[tuple[Any, ...]], tag: str = "") -> list[dict[str, Any]]:
    """Canonical events for generated contacts."""
    out: list[dict[str, Any]] = []
    for i, (at, queue, fate, wait, talk, hold, acw, agent, cust, reason) in enumerate(contacts):
        key = f"c{tag}{i}"
        ch = "chat" if queue == "q2" else "voice"  # a queue's T defaults by its first channel
        offered = START + timedelta(seconds=at)
        offer = {"id": f"{key}-o", "type": "contact.offered", "at": _iso(offered),
                 "contact": key, "queue": queue, "channel": ch}  # fmt: skip
        if cust:
            offer["customer"] = cust
        if reason:
            offer["reason"] = reason
        out.append(offer)
        left = offered + timedelta(seconds=wait)
        if fate == "abandon":
            out.append({"id": f"{key}-a", "type": "contact.abandoned", "at": _iso(left),
                        "contact": key})  # fmt: skip
            continue
        if fate == "ivr":
            out.append({"id": f"{key}-e", "type": "contact.ended", "at": _iso(left),
                        "contact": key, "outcome": "contained_in_ivr"})  # fmt: skip
            continue
        ended = left + timedelta(seconds=talk + hold)
        out.append({"id": f"{key}-n", "type": "contact.answered", "at": _iso(left),
                    "contact": key, "agent": agent})  # fmt: skip
        if fate == "transfer":
            out.append({"id": f"{key}-t", "type": "contact.transferred", "at": _iso(ended),
                        "contact": key})  # fmt: skip
        out.append({"id": f"{key}-e", "type": "contact.ended", "at": _iso(ended),
                    "contact": key, "hold_seconds": hold})  # fmt: skip
        if acw is not None:
            out.append({"id": f"{key}-w", "type": "contact.wrapped",
                        "at": _iso(ended + timedelta(seconds=acw)), "contact": key})  # fmt: skip
    return out


def state_events(timelines: dict[str, list[tuple[int, str]]]) -> list[dict[str, Any]]:
    """Canonical agent-state events: each timeline from START, ending offline."""
    out = []
    for agent, timeline in timelines.items():
        at = START
        for i, (gap, state) in enumerate([*timeline, (1, "offline")]):
            out.append({"id": f"{agent}-{i}", "type": "agent.state", "at": _iso(at),
                        "agent": agent, "state": state})  # fmt: skip
            at += timedelta(seconds=gap)
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated SQLite store to copy for each example."""
    path = tmp_path_factory.mktemp("tpl") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


class Stores:
    """Fresh stores copied from the template, loaded through the ingest path."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.template, self.folder, self.n = template, folder, 0

    def load(self, events: list[dict[str, Any]]) -> str:
        """A new store holding `events`; returns its URL."""
        self.n += 1
        path = self.folder / f"s{self.n}.db"
        shutil.copy(self.template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        if events:
            ingest(engine, events)
        engine.dispose()
        return url


@pytest.fixture(scope="module")
def stores(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Stores:
    """The store maker for this module."""
    return Stores(template, tmp_path_factory.mktemp("stores"))


SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a store is slow: report as is
)


def _close(a: dict[Any, dict[str, Any]], b: dict[Any, dict[str, Any]]) -> None:
    assert set(a) == set(b)
    for key in a:
        for m, v in a[key].items():
            assert v == pytest.approx(b[key].get(m, 0), abs=1e-6), (key, m)


@SETTINGS
@given(contacts=contacts_st, timelines=states_st)
def test_ratios_stay_within_their_bounds(
    stores: Stores, contacts: list[tuple[Any, ...]], timelines: dict[str, Any]
) -> None:
    url = stores.load(contact_events(contacts) + state_events(timelines))
    for by in ("interval15,queue", "day,channel", ""):
        for row in run_report(url, CONTACT_METRICS, by, as_of=AS_OF).rows:
            for m in CONTACT_METRICS:
                value = row[m]
                if value is None:
                    continue
                assert value >= 0
                if CATALOG[m].unit == "ratio":
                    assert value <= 1
            if row["offered"]:
                assert row["answered"] + row["abandoned"] + row["short_abandoned"] <= row["offered"]
    for row in run_report(url, STATE_METRICS, "hour,agent", as_of=AS_OF).rows:
        for m in ("occupancy", "utilization"):
            assert row[m] is None or 0 <= row[m] <= 1


def _rollup(
    measures: dict[tuple[Any, ...], dict[str, Any]], width: int, align: int = 0
) -> dict[tuple[Any, ...], dict[str, float]]:
    out: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (bucket, *rest), sums in measures.items():
        key = ((bucket - align) // width * width + align, *rest)
        for m, v in sums.items():
            out[key][m] += v or 0
    return {k: dict(v) for k, v in out.items()}


@SETTINGS
@given(contacts=contacts_st, timelines=states_st, zone=st.sampled_from(["UTC", "Asia/Shanghai"]))
def test_intervals_rolled_up_equal_the_coarser_grain_computed_directly(
    stores: Stores, contacts: list[tuple[Any, ...]], timelines: dict[str, Any], zone: str
) -> None:
    url = stores.load(contact_events(contacts) + state_events(timelines))
    metrics = CONTACT_METRICS + STATE_METRICS
    for fine, coarse, width, align in (
        ("interval15", "day", 86_400, 0),
        ("interval30", "hour", 3600, 0),
        ("hour", "week", 7 * 86_400, 4 * 86_400),
    ):
        by_fine = run_report(url, metrics, f"{fine},agent", time_zone=zone, as_of=AS_OF)
        by_coarse = run_report(url, metrics, f"{coarse},agent", time_zone=zone, as_of=AS_OF)
        direct = {k: {m: v or 0 for m, v in s.items()} for k, s in by_coarse.measures.items()}
        _close(_rollup(by_fine.measures, width, align), direct)


@SETTINGS
@given(contacts=contacts_st, timelines=states_st, cut=st.integers(1, 3 * 86_400))
def test_two_halves_of_a_data_set_add_up_to_the_whole(
    stores: Stores, contacts: list[tuple[Any, ...]], timelines: dict[str, Any], cut: int
) -> None:
    # split by customer (so first-contact resolution's repeats stay in one half) and by agent
    first = [c for c in contacts if c[8] in ("k1", "k2") or (c[8] is None and c[0] < cut)]
    second = [c for c in contacts if c not in first]
    whole = stores.load(contact_events(first, "a") + contact_events(second, "b")
                        + state_events(timelines))  # fmt: skip
    one = stores.load(contact_events(first, "a") + state_events({"a1": timelines["a1"]}))
    two = stores.load(contact_events(second, "b") + state_events({"a2": timelines["a2"]}))
    metrics = CONTACT_METRICS + STATE_METRICS
    parts: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for url in (one, two):
        for key, sums in run_report(url, metrics, "day", as_of=AS_OF).measures.items():
            for m, v in sums.items():
                parts[key][m] += v or 0
    total = run_report(whole, metrics, "day", as_of=AS_OF).measures
    _close({k: dict(v) for k, v in parts.items()}, {k: {m: v or 0 for m, v in s.items()}
                                                     for k, s in total.items()})  # fmt: skip
    # and a time window cut in two adds up too (repeats are looked for beyond a window's end)
    at = START.replace(tzinfo=None) + timedelta(seconds=cut)
    halves: dict[str, float] = defaultdict(float)
    for lo, hi in ((START.replace(tzinfo=None), at), (at, AS_OF)):
        for sums in run_report(whole, metrics, "", lo, hi, as_of=AS_OF).measures.values():
            for m, v in sums.items():
                halves[m] += v or 0
    (all_sums,) = run_report(whole, metrics, "", START.replace(tzinfo=None), AS_OF,
                             as_of=AS_OF).measures.values()  # fmt: skip
    for m, v in all_sums.items():
        assert halves[m] == pytest.approx(v or 0, abs=1e-6), m
