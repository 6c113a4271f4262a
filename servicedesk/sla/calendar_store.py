"""The working calendar as the admin left it: settings plus the CalendarDay/CalendarYear rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from types import MappingProxyType

from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from servicedesk.clock import park_zone, utcnow
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.sla.calendar import (
    WorkingCalendar,
    parse_working_hours,
    statutory_holiday_name,
)
from servicedesk.sla.models import CalendarDay, CalendarYear

_G_KEY = "_working_calendar"

#: chinese_calendar names its holidays in English; these make them translatable.
HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Spring Festival": _l("Spring Festival"),
    "Tomb-sweeping Day": _l("Tomb-sweeping Day"),
    "Labour Day": _l("Labour Day"),
    "Dragon Boat Festival": _l("Dragon Boat Festival"),
    "National Day": _l("National Day"),
    "Mid-autumn Festival": _l("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _l("Anti-Fascist 70th Day"),
}


def _cache_owner() -> object | None:
    # Tests run many requests inside one app context, so ``g`` alone would outlive a request.
    # Flask annotates the ``request`` proxy as the Request it stands for.
    return (
        request._get_current_object()  # type: ignore[attr-defined]
        if has_request_context()
        else None
    )


def load_calendar() -> WorkingCalendar:
    """The park's working calendar, built once per request (or app context) and cached on ``g``.

    Code that changes CalendarDay/CalendarYear rows without this module calls
    :func:`forget_calendar` afterwards.
    """
    owner, calendar = g.get(_G_KEY, (None, None))
    if calendar is None or owner is not _cache_owner():
        days = db.session.scalars(select(CalendarDay)).all()
        years = db.session.scalars(select(CalendarYear.year)).all()
        calendar = WorkingCalendar(
            tz=park_zone(),
            hours=parse_working_hours(current_app.config["WORKING_HOURS"]),
            overrides=MappingProxyType({row.day: row.is_working for row in days}),
            manual_years=frozenset(years),
        )
        setattr(g, _G_KEY, (_cache_owner(), calendar))
    return calendar


def forget_calendar() -> None:
    """Drop the cached calendar so the next :func:`load_calendar` reads the rows again."""
    g.pop(_G_KEY, None)


def local_today() -> date:
    """Today's date in the park's time zone."""
    tz = park_zone()
    return utcnow().replace(tzinfo=UTC).astimezone(tz).date()


def missing_calendar_years() -> list[int]:
    """This year and next year, where the calendar does not know the holidays."""
    calendar = load_calendar()
    this_year = local_today().year
    return [year for year in (this_year, this_year + 1) if not calendar.knows_year(year)]


def _day_rows(days: list[tuple[date, str]], is_working: bool) -> dict[date, CalendarDay]:
    rows: dict[date, CalendarDay] = {}
    for day, name in days:
        if day not in rows:
            rows[day] = CalendarDay(
                day=day, is_working=is_working, note=(name or "").strip()[:100] or None
            )
    return rows


def enter_year(
    year: int,
    holidays: list[tuple[date, str]],
    makeup_days: list[tuple[date, str]],
    note: str | None = None,
) -> CalendarYear:
    """Replace ``year``'s days with the given holidays and make-up working days.

    From then on the year counts Monday–Friday plus exactly these rows, whatever the statutory
    package says. Raises :class:`Refused` when a day is outside the year or in both lists.
    """
    for day, _name in [*holidays, *makeup_days]:
        if day.year != year:
            raise Refused(_("%(day)s is not in %(year)d.", day=day.isoformat(), year=year))
    off, on = _day_rows(holidays, False), _day_rows(makeup_days, True)
    both = sorted(set(off) & set(on))
    if both:
        raise Refused(
            _(
                "%(day)s is listed both as a holiday and as a make-up working day.",
                day=both[0].isoformat(),
            )
        )
    db.session.execute(
        delete(CalendarDay).where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
        )
    )
    db.session.add_all([*off.values(), *on.values()])
    record = db.session.get(CalendarYear, year)
    if record is None:
        record = CalendarYear(year=year)
        db.session.add(record)
    record.entered_at = utcnow()
    record.note = (note or "").strip()[:200] or None
    db.session.flush()
    forget_calendar()
    return record


def set_day(day: date, is_working: bool, note: str | None = None) -> CalendarDay:
    """Declare one day working or not, replacing what was said about it before."""
    row = db.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.is_working = is_working
    row.note = (note or "").strip()[:100] or None
    db.session.flush()
    forget_calendar()
    return row


def remove_day(day: date) -> None:
    """Forget the admin's word on ``day``; raises :class:`Refused` if there was none."""
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise Refused(_("Nothing was entered for %(day)s.", day=day.isoformat()))
    db.session.delete(row)
    db.session.flush()
    forget_calendar()


@dataclass(frozen=True)
class CalendarEntry:
    """A day of a year that is not simply "Monday to Friday worked, weekend off"."""

    day: date
    is_working: bool
    name: str | None
    #: True: an admin's row; False: the statutory calendar package.
    entered_by_admin: bool


def year_entries(year: int) -> list[CalendarEntry]:
    """The days of ``year`` that differ from Monday–Friday, plus every row the admin entered."""
    calendar = load_calendar()
    notes = {
        row.day: row.note
        for row in db.session.scalars(
            select(CalendarDay).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        )
    }
    entries = []
    day = date(year, 1, 1)
    while day.year == year:
        working = calendar.is_working_day(day)
        if day in notes:
            entries.append(CalendarEntry(day, working, notes[day], True))
        elif working != (day.weekday() < 5):
            name = statutory_holiday_name(day)
            label = None if name is None else HOLIDAY_NAMES.get(name, name)
            entries.append(CalendarEntry(day, working, label, False))
        day += timedelta(days=1)
    return entries
