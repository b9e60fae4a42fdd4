"""Workload calculator: business targets → contacts → agent hours → head count.

sales = revenue goal ÷ revenue per sale; contacts = sales ÷ conversion rate (contacts handled per
sale made) + sales × service contacts per sale (after-sale contacts each sale brings); workload
hours = contacts × AHT; agent hours = workload ÷ occupancy; paid hours = agent hours ÷
(1 − shrinkage); head count = ceil(paid hours ÷ paid hours per agent in the period).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Workload:
    """Each step of the calculation, so a planner can see where the head count comes from."""

    sales: float
    contacts: float
    workload_hours: float
    agent_hours: float
    paid_hours: float
    head_count: int


def workload(
    revenue_goal: float,
    revenue_per_sale: float,
    conversion_rate: float,
    aht_seconds: float,
    hours_per_agent: float,
    *,
    service_contacts_per_sale: float = 0.0,
    occupancy: float = 0.85,
    shrinkage: float = 0.3,
) -> Workload:
    """Head count needed to reach ``revenue_goal`` in a period with ``hours_per_agent`` paid."""
    checks = (
        (revenue_goal >= 0, "revenue_goal must be >= 0"),
        (revenue_per_sale > 0, "revenue_per_sale must be > 0"),
        (0 < conversion_rate <= 1, "conversion_rate must be in (0, 1]"),
        (aht_seconds > 0, "aht_seconds must be > 0"),
        (hours_per_agent > 0, "hours_per_agent must be > 0"),
        (service_contacts_per_sale >= 0, "service_contacts_per_sale must be >= 0"),
        (0 < occupancy <= 1, "occupancy must be in (0, 1]"),
        (0 <= shrinkage < 1, "shrinkage must be in [0, 1)"),
    )
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
    sales = revenue_goal / revenue_per_sale
    contacts = sales / conversion_rate + sales * service_contacts_per_sale
    workload_hours = contacts * aht_seconds / 3600.0
    agent_hours = workload_hours / occupancy
    paid_hours = agent_hours / (1.0 - shrinkage)
    heads = math.ceil(paid_hours / hours_per_agent * (1.0 - 1e-12))
    return Workload(sales, contacts, workload_hours, agent_hours, paid_hours, heads)
