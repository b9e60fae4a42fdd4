"""The contact-center simulator (digital twin): kernels, engine, records and canonical events.

Public surface: `simulate_mmc` (fast M/M/c(+M) kernel), `load_scenario` + `simulate` (the general
engine), `ContactRecords` (a run's events in columnar form), KPIs with confidence intervals
(`records_kpis`, `batch_means`, `replicate`), canonical events (`iter_events`, `iter_jsonl`,
`write_jsonl`), the demo center (`demo_run`, `demo_events`) and the distributions.
"""

from ccops.sim.demo import DEMO_SCENARIO, DemoRun, demo_events, demo_run
from ccops.sim.distributions import (
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    Never,
    distribution_from_spec,
)
from ccops.sim.emit import (
    contact_key,
    event_count,
    iter_event_dicts,
    iter_events,
    iter_jsonl,
    write_jsonl,
)
from ccops.sim.engine import simulate
from ccops.sim.kpis import (
    KPI_NAMES,
    Estimate,
    Kpis,
    array_batch_means,
    batch_means,
    compute_kpis,
    facts_kpis,
    mean_ci,
    records_kpis,
)
from ccops.sim.mmc import simulate_mmc
from ccops.sim.records import ContactRecords
from ccops.sim.replications import (
    ReplicationReport,
    first_contact_resolution,
    replicate,
    run_kpis,
)
from ccops.sim.scenario import (
    Activity,
    Profile,
    Queue,
    Scenario,
    ScenarioError,
    Shift,
    Team,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "DEMO_SCENARIO",
    "DemoRun",
    "ReplicationReport",
    "demo_events",
    "demo_run",
    "event_count",
    "first_contact_resolution",
    "replicate",
    "run_kpis",
    "Activity",
    "Profile",
    "Queue",
    "Scenario",
    "ScenarioError",
    "Shift",
    "Team",
    "iter_event_dicts",
    "iter_jsonl",
    "load_scenario",
    "parse_scenario",
    "simulate",
    "KPI_NAMES",
    "Constant",
    "ContactRecords",
    "Distribution",
    "DistributionError",
    "Empirical",
    "Estimate",
    "Exponential",
    "Gamma",
    "Kpis",
    "array_batch_means",
    "LogNormal",
    "Never",
    "batch_means",
    "compute_kpis",
    "contact_key",
    "distribution_from_spec",
    "facts_kpis",
    "iter_events",
    "mean_ci",
    "records_kpis",
    "simulate_mmc",
    "write_jsonl",
]
