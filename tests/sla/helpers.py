"""Shared helpers for the SLA tests: the park's calendar and local Shanghai times."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from servicedesk.sla.calendar import WorkingCalendar, parse_working_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARK_HOURS = "09:00-12:00,13:30-17:30"
DAY = 420  # working minutes in one park working day


def park_calendar(**kwargs) -> WorkingCalendar:
    """The calendar the park runs on, optionally with overrides or manual years."""
    return WorkingCalendar(tz=SHANGHAI, hours=parse_working_hours(PARK_HOURS), **kwargs)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as the naive UTC datetime the database stores."""
    moment = datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
    return moment.astimezone(UTC).replace(tzinfo=None)
