"""Routing: idle-agent pools per skill (best proficiency, then longest idle) and waiting lines."""

from __future__ import annotations

from collections import OrderedDict, deque


class SkillPool:
    """Agents free to take one more contact of a skill, by proficiency tier, longest idle first."""

    __slots__ = ("tiers", "levels")

    def __init__(self, levels: list[float]) -> None:
        self.levels = sorted(set(levels), reverse=True)
        self.tiers: list[OrderedDict[int, None]] = [OrderedDict() for _ in self.levels]

    def tier_of(self, proficiency: float) -> OrderedDict[int, None]:
        """The tier that holds agents of this proficiency."""
        return self.tiers[self.levels.index(proficiency)]

    def take(self) -> int:
        """The best, longest-idle agent (without removing it), or -1 when none is free."""
        for tier in self.tiers:
            if tier:
                return next(iter(tier))
        return -1


class WaitingLine:
    """Contacts waiting for one skill, first in first out; stale entries are skipped lazily."""

    __slots__ = ("queue", "priority", "contacts", "message")

    def __init__(self, queue: int, priority: int, message: bool) -> None:
        self.queue = queue
        self.priority = priority
        self.message = message
        self.contacts: deque[int] = deque()
