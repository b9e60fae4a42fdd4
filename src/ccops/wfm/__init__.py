"""Workforce management core: shift covering, named-agent schedules, requirements, workload."""

from ccops.wfm.cover import Candidates, CoverResult, candidates, cover, coverage_matrix, solve_cover
from ccops.wfm.requirements import Requirements, combined_shrinkage, requirements
from ccops.wfm.schedule import (
    Agent,
    Assignment,
    Contract,
    Schedule,
    ShiftTemplate,
    schedule,
    violations,
)
from ccops.wfm.workload import Workload, workload

__all__ = [
    "Agent",
    "Assignment",
    "Candidates",
    "Contract",
    "CoverResult",
    "Requirements",
    "Schedule",
    "ShiftTemplate",
    "Workload",
    "candidates",
    "combined_shrinkage",
    "cover",
    "coverage_matrix",
    "requirements",
    "schedule",
    "solve_cover",
    "violations",
    "workload",
]
