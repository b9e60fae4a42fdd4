"""Queueing core: Erlang B, C and A, and staffing (pure numpy/scipy, vectorised over intervals)."""

from ccops.queueing.erlang_a import ErlangAMetrics, erlang_a_metrics, erlang_a_service_level
from ccops.queueing.erlang_b import erlang_b, log_erlang_b
from ccops.queueing.erlang_c import ErlangCMetrics, erlang_c, erlang_c_metrics
from ccops.queueing.staffing import (
    Staffing,
    offered_load,
    required_agents,
    scheduled_agents,
    staffing,
)

__all__ = [
    "ErlangAMetrics",
    "ErlangCMetrics",
    "Staffing",
    "erlang_a_metrics",
    "erlang_a_service_level",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "log_erlang_b",
    "offered_load",
    "required_agents",
    "scheduled_agents",
    "staffing",
]
