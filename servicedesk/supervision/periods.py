"""Reporting periods in the park's local time, turned into naive-UTC half-open ranges.

Pure: no database and no Flask. A period runs from local midnight of its first day to local
midnight after its last day; the database stores naive UTC, so both ends are converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: The period picker's choices, in the order shown.
PERIOD_KINDS = ("this_month", "last_month", "this_quarter", "this_year", "custom")


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last`` (both included) and their UTC bounds [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def key(self) -> str:
        """Short text for file names: ``2026-03`` for a calendar month, else first_last."""
        if self.first.day == 1 and _month_end(self.first) == self.last:
            return self.first.strftime("%Y-%m")
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def local_period(first: date, last: date, tz: ZoneInfo) -> Period:
    """The period of local days ``first``..``last`` (swapped if given backwards)."""
    if last < first:
        first, last = last, first
    return Period(first, last, _utc(first, tz), _utc(last + timedelta(days=1), tz))


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def _month_end(day: date) -> date:
    return _add_months(day.replace(day=1), 1) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The park's local date at ``now`` (naive UTC)."""
    return now.replace(tzinfo=UTC).astimezone(tz).date()


def named_period(kind: str, today: date, tz: ZoneInfo) -> Period:
    """This month, last month, this quarter or this year, as whole calendar spans."""
    month = today.replace(day=1)
    if kind == "last_month":
        first = _add_months(month, -1)
        return local_period(first, month - timedelta(days=1), tz)
    if kind == "this_quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return local_period(first, _add_months(first, 3) - timedelta(days=1), tz)
    if kind == "this_year":
        return local_period(date(today.year, 1, 1), date(today.year, 12, 31), tz)
    return local_period(month, _month_end(month), tz)


def previous_period(period: Period, tz: ZoneInfo) -> Period:
    """The period just before, of the same length: the previous month, quarter or year for
    whole calendar spans, otherwise the same number of days immediately before."""
    first, last = period.first, period.last
    if first.day == 1 and last == _month_end(last):
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        earlier = _add_months(first, -months)
        return local_period(earlier, first - timedelta(days=1), tz)
    return local_period(first - timedelta(days=period.days), first - timedelta(days=1), tz)


def months_of(period: Period, tz: ZoneInfo) -> list[Period]:
    """The calendar months the period touches, each cut to the period."""
    months = []
    month = period.first.replace(day=1)
    while month <= period.last:
        months.append(
            local_period(max(month, period.first), min(_month_end(month), period.last), tz)
        )
        month = _add_months(month, 1)
    return months


def trailing_months(period: Period, count: int, tz: ZoneInfo) -> list[Period]:
    """``count`` whole calendar months ending with the month of the period's last day."""
    last_month = period.last.replace(day=1)
    firsts = [_add_months(last_month, -n) for n in range(count - 1, -1, -1)]
    return [local_period(first, _month_end(first), tz) for first in firsts]
