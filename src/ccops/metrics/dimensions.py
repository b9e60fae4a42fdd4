"""The dimensions a report may cut metrics by: time grains and the attributes of contacts/agents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ccops.metrics.errors import DimensionError

DimensionKind = Literal["time", "contact", "agent"]

EPOCH = datetime(1970, 1, 1)
DAY = 86_400
WEEK_ALIGN = 4 * DAY  # 1970-01-05 was a Monday: weeks start on Monday


@dataclass(frozen=True, slots=True)
class Dimension:
    """One way to cut a metric: a time grain or an attribute, with its names and meaning."""

    id: str
    name_en: str
    name_zh: str
    kind: DimensionKind
    description: str
    width_seconds: int | None = None  # fixed-width time grains; None for month and attributes
    align_seconds: int = 0

    @property
    def is_time(self) -> bool:
        """Whether this is a time grain (at most one per report)."""
        return self.kind == "time"


DIMENSIONS: dict[str, Dimension] = {
    d.id: d
    for d in (
        Dimension("interval15", "15-minute interval", "15分钟时段", "time",
                  "Start of the 15-minute interval", 900),
        Dimension("interval30", "30-minute interval", "30分钟时段", "time",
                  "Start of the 30-minute interval", 1800),
        Dimension("hour", "Hour", "小时", "time", "Start of the hour", 3600),
        Dimension("day", "Day", "日", "time", "The day", DAY),
        Dimension("week", "Week", "周", "time", "The Monday the week starts on", 7 * DAY,
                  WEEK_ALIGN),
        Dimension("month", "Month", "月", "time", "The first day of the month"),
        Dimension("queue", "Queue", "队列", "contact", "The key of the contact's (last) queue"),
        Dimension("channel", "Channel", "渠道", "contact", "voice, sms, email, chat, app, social"),
        Dimension("direction", "Direction", "方向", "contact", "inbound or outbound"),
        Dimension("segment", "Customer segment", "客户分群", "contact",
                  "The contact's segment snapshot, else the customer's segment"),
        Dimension("vip_tier", "VIP tier", "VIP等级", "contact",
                  "The contact's VIP tier snapshot, else the customer's tier (0 = not VIP)"),
        Dimension("agent", "Agent", "坐席", "agent", "The agent's key (who answered the contact)"),
        Dimension("team", "Team", "班组", "agent", "The key of the agent's team"),
    )
}  # fmt: skip

ALIASES = {"interval": "interval30", "vip": "vip_tier", "customer_segment": "segment"}
TIME_GRAINS = tuple(d.id for d in DIMENSIONS.values() if d.is_time)
CONTACT_DIMENSIONS = frozenset(DIMENSIONS)
AGENT_DIMENSIONS = frozenset((*TIME_GRAINS, "agent", "team"))


def parse_dimensions(names: str | list[str] | tuple[str, ...] | None) -> tuple[Dimension, ...]:
    """Dimensions from 'day,queue' or a list; unknown names or two time grains raise."""
    if names is None:
        return ()
    items = names.split(",") if isinstance(names, str) else list(names)
    out: list[Dimension] = []
    for raw in items:
        name = raw.strip()
        if not name:
            continue
        name = ALIASES.get(name, name)
        if name not in DIMENSIONS:
            raise DimensionError(
                f"unknown dimension {raw.strip()!r}; known: {', '.join(DIMENSIONS)}"
            )
        if DIMENSIONS[name] in out:
            raise DimensionError(f"dimension {name!r} given twice")
        out.append(DIMENSIONS[name])
    grains = [d.id for d in out if d.is_time]
    if len(grains) > 1:
        raise DimensionError(f"at most one time grain per report, got {', '.join(grains)}")
    return tuple(out)


def zone(name: str | None) -> ZoneInfo:
    """The time zone named `name` (default UTC); an unknown name raises DimensionError."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise DimensionError(
            f"unknown time zone {name!r} (use an IANA name, e.g. Asia/Shanghai)"
        ) from None


def epoch(ts: datetime) -> int:
    """Whole seconds since 1970 of a naive-UTC or aware datetime."""
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return int((ts - EPOCH).total_seconds() // 1)


def offsets(tz: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int]]:
    """(from-epoch, UTC offset seconds) segments of `tz` covering [lo, hi]; first starts at lo."""

    def off(t: int) -> int:
        delta = datetime.fromtimestamp(t, UTC).astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    segments = [(lo, off(lo))]
    step = 6 * 3600
    t = lo
    while t < hi:
        nxt = min(t + step, hi)
        if off(nxt) != segments[-1][1]:
            a, b = t, nxt  # the change lies in (a, b]: bisect to the second
            while b - a > 1:
                mid = (a + b) // 2
                if off(mid) == segments[-1][1]:
                    a = mid
                else:
                    b = mid
            segments.append((b, off(b)))
        t = nxt
    return segments


def bucket_value(dim: Dimension, local_epoch: int) -> date | datetime:
    """The Python value shown for a time bucket that starts at `local_epoch` (local seconds)."""
    start = EPOCH + timedelta(seconds=int(local_epoch))
    if dim.id in ("day", "week", "month"):
        return start.date()
    return start


def bucket_start(dim: Dimension, local_epoch: int) -> int:
    """The local epoch of the start of the `dim` bucket holding `local_epoch` (pure Python)."""
    if dim.width_seconds is not None:
        w, a = dim.width_seconds, dim.align_seconds
        return (local_epoch - a) // w * w + a
    day = EPOCH + timedelta(seconds=local_epoch)
    return epoch(datetime(day.year, day.month, 1))


def month_starts(lo: int, hi: int) -> list[int]:
    """Epochs of the first of each month from the month holding `lo` to the one holding `hi`."""
    first = EPOCH + timedelta(seconds=lo)
    year, month = first.year, first.month
    out: list[int] = []
    while True:
        start = epoch(datetime(year, month, 1))
        if start > hi:
            return out
        out.append(start)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
