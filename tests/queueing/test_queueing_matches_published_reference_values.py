"""Every row of ../shared/reference/erlang_reference.csv, against ccops.queueing."""

from __future__ import annotations

import csv
import re
from fractions import Fraction
from pathlib import Path

import pytest

from ccops.queueing import (
    erlang_a_metrics,
    erlang_a_service_level,
    erlang_b,
    erlang_c_metrics,
    offered_load,
    required_agents,
    scheduled_agents,
)

REPO = Path(__file__).resolve().parents[2]
CSV_PATH = Path("reference") / "erlang_reference.csv"


def _rows() -> list[tuple[int, dict[str, str]]]:
    import os

    shared = Path(os.environ.get("CCOPS_SHARED_DIR", REPO.parent / "shared"))
    path = shared / CSV_PATH
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        return [(k + 2, row) for k, row in enumerate(csv.DictReader(handle))]


ROWS = _rows()


def _rate(text: str) -> float:
    """The published 3.3333333 is 100 calls / 30 min: snap 7-digit decimals to their fraction."""
    value = float(text)
    frac = Fraction(text).limit_denominator(60)
    return float(frac) if abs(float(frac) - value) <= 1e-6 * value else value


def _tolerance(text: str) -> float:
    """Half a unit in the last published digit, and never tighter than 1e-9 relative."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return max(0.5 * 10.0**-decimals, 1e-9 * abs(float(text)))


def _value(row: dict[str, str]) -> float:
    model, metric = row["model"], row["metric"]
    rate = _rate(row["arrival_rate"])
    aht = float(row["aht"])
    load = rate * aht
    t_min = float(row["target_answer_time"] or 0) / 60.0
    n = float(row["agents"]) if row["agents"] else None
    if model == "erlang_b":
        return float(erlang_b(n, load))
    if model in ("erlang_c", "mm1_analytic", "mm1_simulation"):
        if metric == "traffic_intensity_erlangs":
            return float(offered_load(rate * 30, 30, aht))
        if metric.startswith("required_"):
            sl = float(re.search(r"_sl([0-9.]+?)(?:_|$)", metric).group(1))  # type: ignore[union-attr]
            occ = re.search(r"maxocc([0-9.]+?)(?:_|$)", metric)
            shrink = re.search(r"shrinkage([0-9.]+)$", metric)
            agents = required_agents(
                load,
                aht,
                t_min,
                service_level=sl,
                max_occupancy=float(occ.group(1)) if occ else None,
            )
            if shrink:
                return float(scheduled_agents(agents, float(shrink.group(1))))
            return float(agents)
        m = erlang_c_metrics(n, load, aht, t_min)
        return {
            "wait_probability": float(m.wait_probability),
            "service_level": float(m.service_level),
            "asa_seconds": float(m.asa) * 60.0,
            "occupancy": float(m.occupancy),
            "immediate_answer_probability": 1.0 - float(m.wait_probability),
            "mean_wait": float(m.asa),
            "mean_wait_simulated": float(m.asa),
        }[metric]
    assert model == "erlang_a", model
    patience = float(row["patience"])
    ma = erlang_a_metrics(n, load, aht, patience, t_min)
    definitions = {
        "service_level": "answered",
        "service_level_virtual_wait": "virtual_wait",
        "service_level_wait_incl_abandon": "wait_or_abandon",
        "service_level_among_served": "among_answered",
    }
    if metric in definitions:
        return float(erlang_a_service_level(n, load, aht, patience, t_min, definitions[metric]))
    return {
        "wait_probability": float(ma.wait_probability),
        "abandonment_probability": float(ma.abandon_probability),
        "occupancy": float(ma.occupancy),
        # pyworkforce's "average_speed_of_answer" is the mean wait of all arrivals (Lq / λ).
        "asa_seconds": float(ma.mean_wait) * 60.0,
    }[metric]


@pytest.mark.parametrize(
    ("line", "row"), ROWS, ids=[f"line{line}-{r['model']}-{r['metric']}" for line, r in ROWS]
)
def test_ccops_reproduces_each_published_reference_value(
    shared_dir: Path, line: int, row: dict[str, str]
) -> None:
    expected = float(row["value"])
    got = _value(row)
    if row["model"] == "mm1_simulation":
        # A 25-replication simulation estimate: the exact value must sit within its noise (5 %).
        assert got == pytest.approx(expected, rel=0.05), row["source"]
    elif published_minutes := re.search(r"=([0-9.]+) min", row["source"]):
        # Published in minutes (0.069919 min) and converted: compare in the published unit.
        text = published_minutes.group(1)
        assert abs(got / 60.0 - float(text)) <= _tolerance(text), (line, got, row["source"])
    else:
        assert abs(got - expected) <= _tolerance(row["value"]), (line, got, row["source"])


def test_the_reference_file_is_read_and_covers_every_model(shared_dir: Path) -> None:
    assert (shared_dir / CSV_PATH).is_file()
    assert {row["model"] for _, row in ROWS} >= {"erlang_b", "erlang_c", "erlang_a"}
    assert len(ROWS) >= 40


def test_erlang_a_answered_service_level_sits_below_the_other_published_definitions() -> None:
    """Answered within T ÷ offered counts abandoners as misses, so it is the strictest."""
    args = (14, 10.0, 3.0, 5.0, 20 / 60)
    answered = float(erlang_a_service_level(*args, "answered"))
    others = [
        float(erlang_a_service_level(*args, d))
        for d in ("virtual_wait", "wait_or_abandon", "among_answered")
    ]
    assert all(answered < other for other in others)
