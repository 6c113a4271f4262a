"""The supervision dashboard (督办看板): the ``supervision`` blueprint, its guard and the page.

Supervisors and admins see the whole park; a task-force lead sees the task forces they lead;
everyone else is told the pages do not exist (404). The files and the printable bulletin join
this blueprint from :mod:`servicedesk.supervision.export_views`, using the shaping helpers here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_

from servicedesk.clock import park_zone, utcnow
from servicedesk.sla.labels import URGENCY_LABELS
from servicedesk.supervision import queries as reports
from servicedesk.supervision.forms import PeriodForm
from servicedesk.supervision.metrics import METRICS, SLICES, Metric
from servicedesk.supervision.periods import Period, previous_period, trailing_months
from servicedesk.tickets import queries as ticket_queries
from servicedesk.tickets.labels import CARD_LABELS, label

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

TREND_MONTHS = 12


def supervision_required(view: Callable) -> Callable:
    """Sign-in required; then 404 unless the user supervises (see ``may_supervise``)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not reports.may_supervise(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


# --- the tickets behind a number, as a queue filter ------------------------------------------


def _ticket_set(metric: Metric) -> Callable[[ticket_queries.TicketFilters], ColumnElement[bool]]:
    def condition(filters: ticket_queries.TicketFilters) -> ColumnElement[bool]:
        where = reports.ticket_set_condition(metric, filters, utcnow())
        # What a lead counted: the teams they lead, not every team they belong to.
        scope = reports.scope_for(current_user) if current_user.is_authenticated else None
        return and_(where, scope) if scope is not None else where

    return condition


@bp.record_once
def _register_ticket_sets(_state) -> None:
    for metric in METRICS.values():
        ticket_queries.register_ticket_set(metric.name, metric.label, _ticket_set(metric))


# --- shaping for the page ---------------------------------------------------------------------


def _filter_args(slice_name: str, key) -> dict:
    """The queue filter of one table row (a task force, a chain ...)."""
    name = SLICES[slice_name].queue_filter
    if name is None:
        return {}
    if name in ("task_force", "chain"):
        return {name: key or 0}
    return {name: key}


def number_url(metric: str, part: str, period: Period, slice_name: str = "park", key=None) -> str:
    """The queue page listing the tickets behind one numerator or denominator."""
    args = {"view": "all", "set": metric, "part": part, **_filter_args(slice_name, key)}
    if not METRICS[metric].current:
        args.update({"from": period.first.isoformat(), "to": period.last.isoformat()})
    return url_for("tickets.queue", **args)


def row_title(slice_name: str, row: reports.Row) -> str:
    """The readable name of one table row (an urgency's label; "No task force" for none)."""
    if slice_name == "urgency":
        labels: dict = URGENCY_LABELS
        return str(labels.get(row.key, row.key))
    if row.key is None and slice_name in ("task_force", "chain"):
        return _("No task force") if slice_name == "task_force" else _("No industry chain")
    return row.title


def format_figure(figure: reports.Figure | None) -> str:
    """87.5%, 12.3 h, 4 — or a dash when there is nothing to divide."""
    if figure is None or figure.value is None:
        return "—"
    if figure.kind == "count":
        return str(int(figure.value))
    if figure.kind == "mean_hours":
        return _("%(hours).1f h", hours=figure.value)
    return f"{figure.value:.1f}%"


def format_change(current: reports.Figure, previous: reports.Figure | None) -> str:
    """+2.5 pp, −1.0 h, +3 against the previous period; a dash when either is empty."""
    delta = reports.change(current, previous)
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    if current.kind == "count":
        return f"{sign}{abs(int(delta))}"
    if current.kind == "mean_hours":
        return _("%(sign)s%(hours).1f h", sign=sign, hours=abs(delta))
    return _("%(sign)s%(points).1f pp", sign=sign, points=abs(delta))


def _value(figure: reports.Figure) -> float | None:
    return None if figure.value is None else round(figure.value, 1)


def _charts(
    trend: list[reports.Row],
    ranking: list[tuple[str, reports.Row]],
    cards: dict[str, int],
    workload: list[tuple[int | None, str, int]],
) -> dict:
    """What static/js/supervision.js draws; the same numbers are in the tables below each."""
    return {
        "trend": {
            "months": [row.title for row in trend],
            "series": [
                {
                    "name": str(METRICS[name].label),
                    "values": [_value(row.current[name]) for row in trend],
                }
                for name in ("sign_on_time", "resolved_on_time", "satisfaction")
            ],
        },
        "ranking": {
            "names": [title for title, _row in ranking],
            "values": [_value(row.current["resolved_on_time"]) for _t, row in ranking],
            "label": str(METRICS["resolved_on_time"].label),
        },
        "cards": {
            "names": [label(CARD_LABELS, card) for card in cards],
            "keys": list(cards),
            "values": list(cards.values()),
        },
        "workload": {
            "names": [name or _("No task force") for _k, name, _n in workload],
            "values": [n for _k, _name, n in workload],
        },
    }


def ranked_task_forces(rows: list[reports.Row]) -> list[tuple[str, reports.Row]]:
    """Task forces by on-time resolution rate, then satisfaction; those with nothing last."""

    def order(row: reports.Row):
        rate = row.current["resolved_on_time"].value
        satisfaction = row.current["satisfaction"].value
        return (rate is None, -(rate or 0), -(satisfaction or 0), row.title or "")

    return [(row_title("task_force", r), r) for r in sorted(rows, key=order) if r.key is not None]


def period_and_slice() -> tuple[PeriodForm, Period, str]:
    """The period form read from the query string, with the period and the slice it chose."""
    form = PeriodForm(formdata=request.args)
    form.validate()
    return form, form.chosen_period(utcnow()), form.chosen_slice()


def scope_label() -> str:
    """Whose tickets the numbers count: the whole park, or the names of the led task forces."""
    if reports.sees_whole_park(current_user):
        return _("Whole park")
    return "、".join(reports.task_force_names(reports.led_task_force_ids(current_user)))


# --- pages ------------------------------------------------------------------------------------


@bp.route("/")
@supervision_required
def dashboard():
    form, period, slice_name = period_and_slice()
    now = utcnow()
    tz = park_zone()
    scope = reports.scope_for(current_user)
    summary = reports.rows_for("park", period, scope, now)[0]
    rows = reports.rows_for(slice_name, period, scope, now)
    by_task_force = (
        rows if slice_name == "task_force" else reports.rows_for("task_force", period, scope, now)
    )
    trend = reports.trend(trailing_months(period, TREND_MONTHS, tz), scope, now)
    ranking = ranked_task_forces(by_task_force)
    cards = reports.open_by_card(scope)
    workload = reports.open_by_task_force(scope)
    return render_template(
        "supervision/dashboard.html",
        form=form,
        period=period,
        previous=previous_period(period, tz),
        slice_name=slice_name,
        slice_label=SLICES[slice_name].label,
        summary=summary,
        rows=rows,
        trend=trend,
        ranking=ranking,
        cards=cards,
        workload=workload,
        metrics=METRICS,
        charts=_charts(trend, ranking, cards, workload),
        row_title=row_title,
        number_url=number_url,
        format_figure=format_figure,
        format_change=format_change,
        scope_label=scope_label(),
        card_labels=CARD_LABELS,
        export_args=_export_args(form),
    )


def _export_args(form: PeriodForm) -> dict:
    args = {"period": form.period.data, "slice": form.chosen_slice()}
    if form.period.data == "custom" and form.date_from.data and form.date_to.data:
        args.update(
            {"date_from": form.date_from.data.isoformat(), "date_to": form.date_to.data.isoformat()}
        )
    return args
