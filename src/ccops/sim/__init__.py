"""The contact-center simulator (digital twin): kernels, engine, records and canonical events.

Public surface: `simulate_mmc` (fast M/M/c(+M) kernel), `ContactRecords` (the run's events in
columnar form), KPIs with confidence intervals (`records_kpis`, `batch_means`, `mean_ci`),
`iter_events` / `write_jsonl` (canonical events), and the distributions.
"""

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
from ccops.sim.emit import contact_key, iter_event_dicts, iter_events, iter_jsonl, write_jsonl
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
