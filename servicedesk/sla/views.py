"""Admin pages: the time-limit table (category × tier) and the working calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from servicedesk.auth.access import admin_required
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.sla import calendar_store, services
from servicedesk.sla.calendar_store import load_calendar, local_today
from servicedesk.sla.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarDayForm,
    CalendarYearForm,
    ConfirmForm,
    PolicyForm,
    minutes_to_hours,
)
from servicedesk.sla.models import Tier
from servicedesk.sla.policy import Limits, default_limits
from servicedesk.tickets.models import Category, CategoryKind
from servicedesk.tickets.queries import categories as all_categories

bp = Blueprint("sla", __name__, url_prefix="/admin")

TIER_LABELS = {
    Tier.NORMAL: _l("Normal"),
    Tier.URGENT: _l("Urgent"),
    Tier.GREEN: _l("Green channel"),
}
KIND_LABELS = {
    CategoryKind.CONSULTATION: _l("Consultation"),
    CategoryKind.ASSISTANCE: _l("Assistance"),
    CategoryKind.COORDINATION: _l("Coordination"),
}


@dataclass(frozen=True)
class PolicyCell:
    """What one category × tier cell shows: the limits and where they come from."""

    limits: Limits
    #: "own" (this row's policy), "park" (the all-categories policy) or "builtin".
    source: str
    #: Built-in limits of the all-categories row, whose resolve limit depends on the kind.
    by_kind: dict[CategoryKind, Limits] | None = None


def _cell(category: Category | None, tier: Tier, minutes_per_day: int) -> PolicyCell:
    own = services.policy_row(category.id if category else None, tier)
    if own is not None:
        return PolicyCell(Limits(own.sign_minutes, own.first_contact_minutes,
                                 own.resolve_minutes), "own")
    if category is None:
        by_kind = {kind: default_limits(kind, tier, minutes_per_day) for kind in CategoryKind}
        return PolicyCell(by_kind[CategoryKind.ASSISTANCE], "builtin", by_kind)
    park = services.policy_row(None, tier)
    if park is not None:
        return PolicyCell(Limits(park.sign_minutes, park.first_contact_minutes,
                                 park.resolve_minutes), "park")
    return PolicyCell(default_limits(category.kind, tier, minutes_per_day), "builtin")


def _tier_or_404(tier: str) -> Tier:
    try:
        return Tier(tier)
    except ValueError:
        abort(404)


def _category_or_404(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    return db.get_or_404(Category, category_id)


def _policy_url(endpoint: str, category: Category | None, tier: Tier) -> str:
    if category is None:
        return url_for(f"sla.{endpoint}_all", tier=tier.value)
    return url_for(f"sla.{endpoint}", category_id=category.id, tier=tier.value)


@bp.route("/sla")
@admin_required
def policies():
    """Every category × tier with the limits that apply and where they come from."""
    minutes_per_day = load_calendar().minutes_per_day
    categories = all_categories()
    rows = [(category, {tier: _cell(category, tier, minutes_per_day) for tier in Tier})
            for category in [None, *categories]]
    return render_template("sla/policies.html", rows=rows, tiers=list(Tier),
                           tier_labels=TIER_LABELS, kind_labels=KIND_LABELS, hours=minutes_to_hours,
                           policy_url=_policy_url, minutes_per_day=minutes_per_day)


@bp.route("/sla/all/<tier>", methods=["GET", "POST"], endpoint="edit_policy_all")
@bp.route("/sla/category/<int:category_id>/<tier>", methods=["GET", "POST"])
@admin_required
def edit_policy(tier: str, category_id: int | None = None):
    """Set one category's (or every category's) limits for one tier, in working hours."""
    tier = _tier_or_404(tier)
    category = _category_or_404(category_id)
    minutes_per_day = load_calendar().minutes_per_day
    cell = _cell(category, tier, minutes_per_day)
    form = PolicyForm()
    if request.method == "GET":
        form.sign_hours.data = minutes_to_hours(cell.limits.sign_minutes)
        form.first_contact_hours.data = minutes_to_hours(cell.limits.first_contact_minutes)
        if cell.by_kind is None:  # one resolve limit for every kind is the admin's choice
            form.resolve_hours.data = minutes_to_hours(cell.limits.resolve_minutes)
    if form.validate_on_submit():
        try:
            services.save_policy(category, tier, Limits(*form.minutes()))
        except ValueError as exc:
            form.resolve_hours.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The time limits are saved. They apply to tickets dispatched from now on."),
                  "success")
            return redirect(url_for("sla.policies"))
    return render_template("sla/policy_form.html", form=form, category=category, tier=tier,
                           tier_labels=TIER_LABELS, kind_labels=KIND_LABELS, cell=cell,
                           hours=minutes_to_hours, reset_form=ConfirmForm(),
                           reset_url=_policy_url("reset_policy", category, tier),
                           minutes_per_day=minutes_per_day)


@bp.route("/sla/all/<tier>/reset", methods=["POST"], endpoint="reset_policy_all")
@bp.route("/sla/category/<int:category_id>/<tier>/reset", methods=["POST"])
@admin_required
def reset_policy(tier: str, category_id: int | None = None):
    """Drop an admin-set row so the park-wide or built-in limits apply again."""
    tier = _tier_or_404(tier)
    category = _category_or_404(category_id)
    if ConfirmForm().validate_on_submit() and services.reset_policy(category, tier):
        db.session.commit()
        flash(_("The limits are back to the default."), "success")
    return redirect(url_for("sla.policies"))


def _calendar_year() -> int:
    year = request.args.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return local_today().year
    return year


def _render_calendar(year: int, day_form: CalendarDayForm | None = None,
                     year_form: CalendarYearForm | None = None):
    missing_years = calendar_store.missing_calendar_years()
    if year_form is None:
        # Offer the year the calendar lacks, unless the admin is looking at another unknown one.
        suggested = year if not load_calendar().knows_year(year) or not missing_years \
            else missing_years[0]
        year_form = CalendarYearForm(formdata=None, year=suggested)
    return render_template(
        "sla/calendar.html", year=year, entries=calendar_store.year_entries(year),
        manual=year in load_calendar().manual_years, missing_years=missing_years,
        day_form=day_form or CalendarDayForm(formdata=None), year_form=year_form,
        remove_form=ConfirmForm(), first_year=FIRST_YEAR, last_year=LAST_YEAR,
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
            flash(_("%(day)s follows the normal calendar again.", day=which.isoformat()),
                  "success")
    return redirect(url_for("sla.calendar", year=which.year))


@bp.route("/calendar/year", methods=["POST"])
@admin_required
def enter_year():
    """Enter a whole year's holidays and make-up days (replaces what the year had)."""
    form = CalendarYearForm()
    if form.validate_on_submit():
        holidays, makeup_days = form.parsed_days()
        try:
            calendar_store.enter_year(form.year.data, holidays, makeup_days,
                                      form.source.data)
        except Refused as exc:
            form.holidays.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The holidays of %(year)d are saved: %(holidays)d holidays and %(makeup)d "
                    "make-up working days.", year=form.year.data,
                    holidays=len({d for d, _n in holidays}),
                    makeup=len({d for d, _n in makeup_days})), "success")
            return redirect(url_for("sla.calendar", year=form.year.data))
    year = form.year.data if isinstance(form.year.data, int) and not form.year.errors \
        else _calendar_year()
    return _render_calendar(year, year_form=form)
