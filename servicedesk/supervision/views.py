"""The supervision dashboard (督办看板), its exports and the printable monthly bulletin.

Supervisors and admins see the whole park; a task-force lead sees the task forces they lead;
everyone else is told the pages do not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_

from servicedesk.clock import park_zone, utcnow
from servicedesk.forms import in_calendar_years
from servicedesk.sla.labels import URGENCY_LABELS
from servicedesk.supervision import exports
from servicedesk.supervision import queries as reports
from servicedesk.supervision.forms import PeriodForm
from servicedesk.supervision.metrics import METRICS, SLICES, Metric
from servicedesk.supervision.periods import (
    Period,
    local_today,
    named_period,
    previous_period,
    trailing_months,
)
from servicedesk.tickets import queries as ticket_queries
from servicedesk.tickets.labels import CARD_LABELS, RATING_LABELS, label, status_label
from servicedesk.tickets.views import filters_from_request

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

#: The ticket list export stops here; a larger list is narrowed with the queue filters first.
MAX_EXPORTED_TICKETS = 50_000
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


def _row_title(slice_name: str, row: reports.Row) -> str:
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


def _ranked(rows: list[reports.Row]) -> list[tuple[str, reports.Row]]:
    """Task forces by on-time resolution rate, then satisfaction; those with nothing last."""

    def order(row: reports.Row):
        rate = row.current["resolved_on_time"].value
        satisfaction = row.current["satisfaction"].value
        return (rate is None, -(rate or 0), -(satisfaction or 0), row.title or "")

    return [(_row_title("task_force", r), r) for r in sorted(rows, key=order) if r.key is not None]


def _picked() -> tuple[PeriodForm, Period, str]:
    form = PeriodForm(formdata=request.args)
    form.validate()
    return form, form.chosen_period(utcnow()), form.chosen_slice()


def _scope_label() -> str:
    if reports.sees_whole_park(current_user):
        return _("Whole park")
    return "、".join(reports.task_force_names(reports.led_task_force_ids(current_user)))


# --- pages ------------------------------------------------------------------------------------


@bp.route("/")
@supervision_required
def dashboard():
    form, period, slice_name = _picked()
    now = utcnow()
    tz = park_zone()
    scope = reports.scope_for(current_user)
    summary = reports.rows_for("park", period, scope, now)[0]
    rows = reports.rows_for(slice_name, period, scope, now)
    by_task_force = (
        rows if slice_name == "task_force" else reports.rows_for("task_force", period, scope, now)
    )
    trend = reports.trend(trailing_months(period, TREND_MONTHS, tz), scope, now)
    ranking = _ranked(by_task_force)
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
        row_title=_row_title,
        number_url=number_url,
        format_figure=format_figure,
        format_change=format_change,
        scope_label=_scope_label(),
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


def _table(slice_name: str, period: Period) -> tuple[list[str], list[list]]:
    """The dashboard's slice table as plain cells: header and rows."""
    header = [str(SLICES[slice_name].label)]
    for metric in METRICS.values():
        if metric.kind == "count":
            header.append(str(metric.label))
            continue
        header += [
            f"{metric.label} · {_('numerator')}",
            f"{metric.label} · {_('denominator')}",
            str(metric.label),
        ]
    rows = []
    for row in reports.rows_for(slice_name, period, reports.scope_for(current_user), utcnow()):
        cells: list = [_row_title(slice_name, row)]
        for metric in METRICS.values():
            figure = row.current[metric.name]
            if metric.kind == "count":
                cells.append(int(figure.numerator))
                continue
            value = figure.value
            cells += [
                round(figure.numerator / 60, 1)
                if metric.kind == "mean_hours"
                else int(figure.numerator),
                figure.denominator,
                None if value is None else round(value, 1),
            ]
        rows.append(cells)
    return header, rows


def _file_name(stem: str, period: Period, slice_name: str, extension: str) -> str:
    return f"{stem}_{period.key}_{slice_name}.{extension}"


@bp.route("/export.csv")
@supervision_required
def export_csv():
    _form, period, slice_name = _picked()
    header, rows = _table(slice_name, period)
    return _download(
        exports.csv_bytes(header, rows),
        "text/csv; charset=utf-8",
        _file_name(_("supervision"), period, slice_name, "csv"),
    )


@bp.route("/export.xlsx")
@supervision_required
def export_xlsx():
    _form, period, slice_name = _picked()
    header, rows = _table(slice_name, period)
    caption = _(
        "%(scope)s, %(first)s – %(last)s",
        scope=_scope_label(),
        first=period.first.isoformat(),
        last=period.last.isoformat(),
    )
    body = exports.xlsx_bytes(_("Metrics"), header, rows, caption=caption)
    return _download(body, XLSX, _file_name(_("supervision"), period, slice_name, "xlsx"))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = exports.content_disposition(filename)
    return response


# --- the tickets behind a number, as a file -----------------------------------------------


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(park_zone()).strftime("%Y-%m-%d %H:%M")


def _ticket_rows() -> tuple[list[str], list[list]]:

    found = reports.exported_tickets(current_user, filters_from_request(), MAX_EXPORTED_TICKETS)
    header = [
        _("Reference"),
        _("Title"),
        _("Enterprise"),
        _("Task force"),
        _("Category"),
        _("Urgency"),
        _("Status"),
        _("Filed"),
        _("Dispatched"),
        _("Resolved"),
        _("Closed"),
        _("Rating"),
        _("Handling time (working hours)"),
    ]
    urgencies: dict = URGENCY_LABELS
    rows = [
        [
            ref,
            title,
            enterprise,
            team or "",
            category,
            str(urgencies.get(urgency, urgency)),
            status_label(status),
            _local(filed),
            _local(dispatched),
            _local(resolved),
            _local(closed),
            str(RATING_LABELS.get(rating, "")) if rating else "",
            None if minutes is None else round(minutes / 60, 1),
        ]
        for (
            ref,
            title,
            enterprise,
            team,
            category,
            urgency,
            status,
            filed,
            dispatched,
            resolved,
            closed,
            rating,
            minutes,
        ) in found
    ]
    return header, rows


def _tickets_file_name(extension: str) -> str:
    parts = [_("tickets"), request.args.get("set") or "all", request.args.get("part") or ""]
    parts += [request.args.get("from") or "", request.args.get("to") or ""]
    return "_".join(p for p in parts if p) + f".{extension}"


@bp.route("/tickets.csv")
@supervision_required
def tickets_csv():
    header, rows = _ticket_rows()
    return _download(
        exports.csv_bytes(header, rows), "text/csv; charset=utf-8", _tickets_file_name("csv")
    )


@bp.route("/tickets.xlsx")
@supervision_required
def tickets_xlsx():
    header, rows = _ticket_rows()
    return _download(
        exports.xlsx_bytes(_("Tickets"), header, rows), XLSX, _tickets_file_name("xlsx")
    )


# --- the monthly bulletin ---------------------------------------------------------------------


def _bulletin_month(now: datetime) -> Period:
    tz = park_zone()
    text = request.args.get("month", "")
    try:
        first: date | None = date.fromisoformat(f"{text}-01")
    except ValueError:
        first = None
    # 0001-01 and 9999-12 parse, but their months reach past what a datetime can hold.
    if first is None or not in_calendar_years(first):
        return named_period("last_month", local_today(now, tz), tz)
    return named_period("this_month", first, tz)


@bp.route("/bulletin")
@supervision_required
def bulletin():
    now = utcnow()
    period = _bulletin_month(now)
    scope = reports.scope_for(current_user)
    summary = reports.rows_for("park", period, scope, now)[0]
    ranking = _ranked(reports.rows_for("task_force", period, scope, now))
    chains = reports.rows_for("chain", period, scope, now)
    return render_template(
        "supervision/bulletin.html",
        period=period,
        summary=summary,
        ranking=ranking,
        chains=chains,
        metrics=METRICS,
        row_title=_row_title,
        format_figure=format_figure,
        format_change=format_change,
        scope_label=_scope_label(),
        issued=local_today(now, park_zone()),
        cards=reports.open_by_card(scope),
    )
