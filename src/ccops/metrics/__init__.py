"""One metric catalog: every KPI defined once, computed the same on every engine.

Public surface: the catalog (`CATALOG`, `Metric`, `get_metric`), the dimensions (`DIMENSIONS`),
`run_report` / `explain_contacts`, the sources (`connect`, `connect_parquet`, `export_parquet`),
the definitions page (`render_markdown`, `render_html`) and the errors.
"""

from ccops.metrics.catalog import CATALOG, MEASURES, REQUIREMENTS, Measure, Metric, get_metric
from ccops.metrics.dimensions import DIMENSIONS, Dimension
from ccops.metrics.docs import catalog_json, render_html, render_markdown
from ccops.metrics.errors import (
    DimensionError,
    MetricError,
    MetricUnavailableError,
    SourceError,
    UnknownMetricError,
)
from ccops.metrics.report import Report, explain_contacts, run_report
from ccops.metrics.sources import METRIC_TABLES, connect, connect_parquet, export_parquet

__all__ = [
    "CATALOG",
    "DIMENSIONS",
    "MEASURES",
    "METRIC_TABLES",
    "REQUIREMENTS",
    "Dimension",
    "DimensionError",
    "Measure",
    "Metric",
    "MetricError",
    "MetricUnavailableError",
    "Report",
    "SourceError",
    "UnknownMetricError",
    "connect",
    "catalog_json",
    "connect_parquet",
    "explain_contacts",
    "export_parquet",
    "get_metric",
    "render_html",
    "render_markdown",
    "run_report",
]
