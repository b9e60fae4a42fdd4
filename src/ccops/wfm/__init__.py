"""Workforce management core: shift covering, schedules, forecasts and requirements."""

from ccops.wfm.cover import Candidates, CoverResult, candidates, cover, coverage_matrix, solve_cover

__all__ = [
    "Candidates",
    "CoverResult",
    "candidates",
    "cover",
    "coverage_matrix",
    "solve_cover",
]
