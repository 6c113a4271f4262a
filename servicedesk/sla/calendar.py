"""Working time on the Chinese calendar: which days are worked and how many minutes lie between.

Pure: no database and no Flask. Every datetime going in or out is a naive UTC datetime (the form
the database stores); the calendar converts to its own time zone internally.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

WorkingHours = tuple[tuple[time, time], ...]

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
#: No deadline lies this many days beyond its start; reaching it means no day is ever worked.
_MAX_DAYS_SCANNED = 3660


def _parse_clock(text: str, source: str) -> time:
    match = _CLOCK.match(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(
            f"working hours {source!r}: {text.strip()!r} is not a time of day such as 09:00"
        )
    return time(int(match[1]), int(match[2]))


def parse_working_hours(text: str) -> WorkingHours:
    """Read ``"09:00-12:00,13:30-17:30"`` into ordered (start, end) periods of one day.

    Raises ValueError naming the problem: empty, malformed, end not after start, overlapping.
    """
    if not text or not text.strip():
        raise ValueError("working hours are empty: write them like 09:00-12:00,13:30-17:30")
    periods: list[tuple[time, time]] = []
    for part in text.split(","):
        if part.count("-") != 1:
            raise ValueError(
                f"working hours {text!r}: {part.strip()!r} is not a period such as 09:00-12:00"
            )
        start_text, end_text = part.split("-")
        start, end = _parse_clock(start_text, text), _parse_clock(end_text, text)
        if end <= start:
            raise ValueError(f"working hours {text!r}: {part.strip()!r} ends before it starts")
        if periods and start < periods[-1][1]:
            raise ValueError(
                f"working hours {text!r}: {part.strip()!r} overlaps or comes "
                f"before the period in front of it"
            )
        periods.append((start, end))
    return tuple(periods)


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours in one time zone, with an admin's overrides.

    ``overrides`` maps a day to working (True) or not (False) and always wins. For a year in
    ``manual_years`` the admin's rows are the whole truth on top of Monday–Friday; other years
    follow ``chinese_calendar`` (holidays off, 调休 make-up days on), or Monday–Friday when the
    package does not know the year.
    """

    tz: ZoneInfo
    hours: WorkingHours
    overrides: Mapping[date, bool] = field(default_factory=lambda: MappingProxyType({}))
    manual_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not self.hours:
            raise ValueError("a working calendar needs at least one working period a day")

    # --- days ---------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is worked: override, else manual year, else the statutory calendar."""
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.manual_years:
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def knows_year(self, year: int) -> bool:
        """True when the holidays of ``year`` are known (statutory package or entered by hand)."""
        if year in self.manual_years:
            return True
        return statutory_calendar_knows(year)

    @property
    def minutes_per_day(self) -> int:
        """Working minutes in one full working day (420 for 09:00–12:00 and 13:30–17:30)."""
        return sum(_minutes(start, end) for start, end in self.hours)

    # --- instants -----------------------------------------------------------------------

    def _local_date(self, moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(self.tz).date()

    def _to_utc(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC).replace(tzinfo=None)

    def _periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods (naive UTC) that end after ``moment``, in order."""
        day = self._local_date(moment)
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                for start, end in self.hours:
                    period_end = self._to_utc(day, end)
                    if period_end > moment:
                        yield self._to_utc(day, start), period_end
            day += timedelta(days=1)
        raise RuntimeError(f"no working day within {_MAX_DAYS_SCANNED} days of {moment}")

    def next_working_start(self, moment: datetime) -> datetime:
        """``moment`` itself when inside working hours, else the start of the next period."""
        start, _end = next(self._periods_from(moment))
        return max(start, moment)

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` of working time after ``start`` (naive UTC in and out).

        Counting begins at the next working period when ``start`` is outside working hours;
        a result landing exactly on a period's end stays there (17:30, not 09:00 next day).
        """
        if minutes < 0:
            raise ValueError("cannot add a negative number of working minutes")
        if minutes == 0:
            return start
        remaining = timedelta(minutes=minutes)
        for period_start, period_end in self._periods_from(start):
            begin = max(start, period_start)
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _periods_from never ends quietly")

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes from ``a`` to ``b`` (naive UTC); 0 unless ``b`` is after ``a``."""
        if b <= a:
            return 0
        total = timedelta()
        for period_start, period_end in self._periods_from(a):
            if period_start >= b:
                break
            total += min(period_end, b) - max(period_start, a)
        return int(total.total_seconds() // 60)

    def working_day_start(self, moment: datetime, days_after: int) -> datetime:
        """The opening time (naive UTC) of the ``days_after``-th working day after the local
        day of ``moment`` — "09:00 on each following working day" for reminders."""
        if days_after < 1:
            raise ValueError("days_after counts whole working days and starts at 1")
        day = self._local_date(moment)
        for _ in range(_MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            if self.is_working_day(day):
                days_after -= 1
                if days_after == 0:
                    return self._to_utc(day, self.hours[0][0])
        raise RuntimeError(f"no working day within {_MAX_DAYS_SCANNED} days of {moment}")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``days`` full working days after ``start`` (10:00 Monday + 1 → 10:00 Tuesday)."""
        return self.add_working_minutes(start, days * self.minutes_per_day)


def statutory_calendar_knows(year: int) -> bool:
    """Whether the installed ``chinese_calendar`` has the State Council's schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def statutory_holiday_name(day: date) -> str | None:
    """The statutory holiday or make-up day ``day`` belongs to, in English; None if unknown."""
    try:
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if name is None:
        return None
    return str(getattr(name, "value", name))
