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
from ccops.sim.emit import contact_key, iter_events, write_jsonl
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

__all__ = [
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
