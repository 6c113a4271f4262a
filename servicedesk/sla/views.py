"""Admin pages: the working calendar. The time-limit pages, which list categories, are added to
this blueprint by the tickets room (``tickets/sla_admin_views.py``)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from servicedesk.auth.access import admin_required
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.forms import int_arg
from servicedesk.sla import calendar_store
from servicedesk.sla.calendar_store import load_calendar, local_today
from servicedesk.sla.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarDayForm,
    CalendarYearForm,
    ConfirmForm,
)

bp = Blueprint("sla", __name__, url_prefix="/admin")


def _calendar_year() -> int:
    year = int_arg("year")
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return local_today().year
    return year


def _render_calendar(
    year: int, day_form: CalendarDayForm | None = None, year_form: CalendarYearForm | None = None
):
    missing_years = calendar_store.missing_calendar_years()
    if year_form is None:
        # Offer the year the calendar lacks, unless the admin is looking at another unknown one.
        suggested = (
            year if not load_calendar().knows_year(year) or not missing_years else missing_years[0]
        )
        year_form = CalendarYearForm(formdata=None, year=suggested)
    return render_template(
        "sla/calendar.html",
        year=year,
        entries=calendar_store.year_entries(year),
        manual=year in load_calendar().manual_years,
        missing_years=missing_years,
        day_form=day_form or CalendarDayForm(formdata=None),
        year_form=year_form,
        remove_form=ConfirmForm(),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )


@bp.route("/calendar")
@admin_required
def calendar():
    """One year's holidays and make-up days, the missing-year warning and the entry forms."""
    return _render_calendar(_calendar_year())


@bp.route("/calendar/days", methods=["POST"])
@admin_required
def add_day():
    """Declare a single day a holiday or a working day."""
    form = CalendarDayForm()
    if not form.validate_on_submit():
        return _render_calendar(_calendar_year(), day_form=form)
    calendar_store.set_day(form.day.data, form.kind.data == "working", form.note.data)
    db.session.commit()
    flash(_("%(day)s is saved.", day=form.day.data.isoformat()), "success")
    return redirect(url_for("sla.calendar", year=form.day.data.year))


@bp.route("/calendar/days/<day>/remove", methods=["POST"])
@admin_required
def remove_day(day: str):
    """Forget the admin's word on one day."""
    try:
        which = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            calendar_store.remove_day(which)
        except Refused as exc:
            flash(str(exc), "warning")
        else:
            db.session.commit()
            flash(_("%(day)s follows the normal calendar again.", day=which.isoformat()), "success")
    return redirect(url_for("sla.calendar", year=which.year))


@bp.route("/calendar/year", methods=["POST"])
@admin_required
def enter_year():
    """Enter a whole year's holidays and make-up days (replaces what the year had)."""
    form = CalendarYearForm()
    if form.validate_on_submit():
        holidays, makeup_days = form.parsed_days()
        try:
            calendar_store.enter_year(form.year.data, holidays, makeup_days, form.source.data)
        except Refused as exc:
            form.holidays.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _(
                    "The holidays of %(year)d are saved: %(holidays)d holidays and %(makeup)d "
                    "make-up working days.",
                    year=form.year.data,
                    holidays=len({d for d, _n in holidays}),
                    makeup=len({d for d, _n in makeup_days}),
                ),
                "success",
            )
            return redirect(url_for("sla.calendar", year=form.year.data))
    year = (
        form.year.data
        if isinstance(form.year.data, int) and not form.year.errors
        else _calendar_year()
    )
    return _render_calendar(year, year_form=form)
