"""The metric layer's exceptions: one base class, so callers catch what they mean."""

from __future__ import annotations


class MetricError(ValueError):
    """Any problem with a report request (unknown metric, bad dimension, missing data)."""


class UnknownMetricError(MetricError):
    """A metric id that is not in the catalog."""


class DimensionError(MetricError):
    """An unknown dimension, or one the requested metric may not be cut by."""


class MetricUnavailableError(MetricError):
    """A metric whose data the store does not hold yet (schedules, surveys, QA, cost rates)."""


class SourceError(MetricError):
    """A store URL or Parquet folder that cannot be opened as a metric source."""
