"""The demo center: its scenario file and its events, in time order, for `make demo`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ccops.events import Event
from ccops.sim.emit import event_count, iter_events, iter_events_with_bodies, iter_jsonl
from ccops.sim.engine import simulate
from ccops.sim.records import ContactRecords
from ccops.sim.rota import Rota
from ccops.sim.scenario import Scenario, load_scenario

DEMO_SCENARIO = Path(__file__).resolve().parents[3] / "examples" / "demo-center.toml"


class DemoRun:
    """A simulated demo period: `total` events, yielded by `events()` or `jsonl()` in time order."""

    def __init__(self, records: ContactRecords) -> None:
        self.records = records
        self.total = event_count(records)

    def events(self) -> Iterator[Event]:
        """The canonical event models (built without re-validation), oldest first."""
        return iter_events(self.records)

    def events_with_bodies(self) -> Iterator[tuple[Event, str]]:
        """The events with their canonical JSON, so the store need not serialise them again."""
        return iter_events_with_bodies(self.records)

    def jsonl(self) -> Iterator[bytes]:
        """The same events as canonical JSON lines (what a file import would read)."""
        return iter_jsonl(self.records)


def demo_run(
    scenario: Scenario | str | Path = DEMO_SCENARIO,
    days: int = 30,
    seed: int = 1,
    rota: Rota | None = None,
) -> DemoRun:
    """Simulate the demo center for `days` days (about 2-3 s for 30 days), on a rota if given."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return DemoRun(simulate(sc, days, seed, rota=rota))


def demo_events(
    scenario: Scenario | str | Path = DEMO_SCENARIO, days: int = 30, seed: int = 1
) -> Iterator[Event]:
    """Yield the demo center's canonical events in time order."""
    return demo_run(scenario, days, seed).events()
