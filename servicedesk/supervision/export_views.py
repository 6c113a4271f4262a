"""The supervision files and the monthly bulletin, on the ``supervision`` blueprint.

The dashboard's slice table as CSV or XLSX (``export.csv``, ``export.xlsx``), the tickets behind
any number as CSV or XLSX (``tickets.csv``, ``tickets.xlsx``, read through the queue filters)
and the printable monthly bulletin (月度通报). The routes join the blueprint of
:mod:`servicedesk.supervision.views` (same URLs and endpoint names), guarded the same way;
registering ``bp`` from here brings them along.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from servicedesk.clock import park_zone, utcnow
from servicedesk.forms import in_calendar_years
from servicedesk.sla.labels import URGENCY_LABELS
from servicedesk.supervision import exports
from servicedesk.supervision import queries as reports
from servicedesk.supervision.metrics import METRICS, SLICES
from servicedesk.supervision.periods import Period, local_today, named_period
from servicedesk.supervision.views import (
    bp,
    format_change,
    format_figure,
    period_and_slice,
    ranked_task_forces,
    row_title,
    scope_label,
    supervision_required,
)
from servicedesk.tickets.labels import RATING_LABELS, status_label
from servicedesk.tickets.views import filters_from_request

__all__ = ["bp"]

#: The ticket list export stops here; a larger list is narrowed with the queue filters first.
MAX_EXPORTED_TICKETS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the dashboard's table, as a file ---------------------------------------------------------


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
        cells: list = [row_title(slice_name, row)]
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
    _form, period, slice_name = period_and_slice()
    header, rows = _table(slice_name, period)
    return _download(
        exports.csv_bytes(header, rows),
        "text/csv; charset=utf-8",
        _file_name(_("supervision"), period, slice_name, "csv"),
    )


@bp.route("/export.xlsx")
@supervision_required
def export_xlsx():
    _form, period, slice_name = period_and_slice()
    header, rows = _table(slice_name, period)
    caption = _(
        "%(scope)s, %(first)s – %(last)s",
        scope=scope_label(),
        first=period.first.isoformat(),
        last=period.last.isoformat(),
    )
    body = exports.xlsx_bytes(_("Metrics"), header, rows, caption=caption)
    return _download(body, XLSX, _file_name(_("supervision"), period, slice_name, "xlsx"))


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
    ranking = ranked_task_forces(reports.rows_for("task_force", period, scope, now))
    chains = reports.rows_for("chain", period, scope, now)
    return render_template(
        "supervision/bulletin.html",
        period=period,
        summary=summary,
        ranking=ranking,
        chains=chains,
        metrics=METRICS,
        row_title=row_title,
        format_figure=format_figure,
        format_change=format_change,
        scope_label=scope_label(),
        issued=local_today(now, park_zone()),
        cards=reports.open_by_card(scope),
    )
