"""Read the metrics for one person: who may see what, and the numbers shaped for the page.

Every number comes from :func:`servicedesk.supervision.aggregates.aggregate_query`; this module
only decides the buckets and the scope, runs the statements and names the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, true

from servicedesk.auth.models import Role, User
from servicedesk.clock import park_zone
from servicedesk.enterprises.models import Enterprise
from servicedesk.extensions import db
from servicedesk.supervision.aggregates import aggregate_query, column_name, open_tickets_query
from servicedesk.supervision.metrics import METRICS, SLICES, Bucket, Metric, ticket_condition
from servicedesk.supervision.periods import Period, local_period, months_of, previous_period
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.models import Category, Ticket
from servicedesk.tickets.queries import TicketFilters, apply_filters


def led_task_force_ids(user: User) -> list[int]:
    """The task forces ``user`` leads."""
    return list(
        db.session.scalars(
            select(TaskForce.id).where(TaskForce.lead_id == user.id).order_by(TaskForce.id)
        )
    )


def sees_whole_park(user: User) -> bool:
    return user.has_role(Role.SUPERVISOR, Role.ADMIN)


def may_supervise(user: User) -> bool:
    """Supervisors and admins, and the lead of at least one task force."""
    if not user.is_authenticated:
        return False
    return sees_whole_park(user) or (user.has_role(Role.LEAD) and bool(led_task_force_ids(user)))


def scope_for(user: User) -> ColumnElement[bool] | None:
    """None for the whole park; a lead's own task forces otherwise."""
    if sees_whole_park(user):
        return None
    return Ticket.task_force_id.in_(led_task_force_ids(user))


@dataclass
class Figure:
    """A numerator over a denominator (no denominator: a plain count)."""

    kind: str
    numerator: float
    denominator: int | None

    @property
    def value(self) -> float | None:
        """The rate in percent, the mean in hours, or the count; None when nothing to divide."""
        if self.kind == "count":
            return self.numerator
        if not self.denominator:
            return None
        if self.kind == "mean_hours":
            return self.numerator / self.denominator / 60
        return 100 * self.numerator / self.denominator


def change(current: Figure, previous: Figure | None) -> float | None:
    """Current minus previous (percentage points, hours or a count); None if either is empty."""
    if previous is None or current.value is None or previous.value is None:
        return None
    return current.value - previous.value


@dataclass
class Row:
    """One line of the table: a slice key (a task force, a month ...) and its figures."""

    key: object
    title: str
    period: Period
    current: dict[str, Figure] = field(default_factory=dict)
    previous: dict[str, Figure] = field(default_factory=dict)


def _figures(result, index: int) -> dict[str, Figure]:
    figures = {}
    for metric in METRICS.values():
        numerator = result._mapping[column_name(metric.name, "num", index)] or 0
        denominator = (
            None
            if metric.kind == "count"
            else int(result._mapping[column_name(metric.name, "den", index)] or 0)
        )
        figures[metric.name] = Figure(metric.kind, float(numerator), denominator)
    return figures


def _buckets(periods: list[Period]) -> list[Bucket]:
    return [(p.start, p.end) for p in periods]


def rows_for(
    slice_name: str, period: Period, scope: ColumnElement[bool] | None, now: datetime
) -> list[Row]:
    """The table of one slice: each row's figures now and in the previous period."""
    tz = park_zone()
    if slice_name == "month":
        months = months_of(period, tz)
        periods = [previous_period(months[0], tz), *months]
        result = db.session.execute(
            aggregate_query(_buckets(periods), SLICES["park"], now, scope)
        ).one()
        return [
            Row(
                month.first.strftime("%Y-%m"),
                month.first.strftime("%Y-%m"),
                month,
                _figures(result, index + 1),
                _figures(result, index),
            )
            for index, month in enumerate(months)
        ]
    periods = [period, previous_period(period, tz)]
    slice_ = SLICES[slice_name]
    rows = []
    for result in db.session.execute(aggregate_query(_buckets(periods), slice_, now, scope)):
        rows.append(Row(result.key, result.title, period, _figures(result, 0), _figures(result, 1)))
    return rows


def trend(months: list[Period], scope: ColumnElement[bool] | None, now: datetime) -> list[Row]:
    """The whole scope month by month (one statement)."""
    result = db.session.execute(aggregate_query(_buckets(months), SLICES["park"], now, scope)).one()
    return [
        Row(m.first.strftime("%Y-%m"), m.first.strftime("%Y-%m"), m, _figures(result, i))
        for i, m in enumerate(months)
    ]


def open_by_card(scope: ColumnElement[bool] | None) -> dict[str, int]:
    """Open tickets per colour card held now."""
    counts: dict[str, int] = {
        key: n for key, n in db.session.execute(open_tickets_query(Ticket.card, scope))
    }
    return {card: int(counts.get(card, 0)) for card in ("none", "blue", "yellow", "red")}


def open_by_task_force(scope: ColumnElement[bool] | None) -> list[tuple[int | None, str, int]]:
    """Open tickets per task force (the workload), largest first."""
    query = open_tickets_query(Ticket.task_force_id, scope)
    counts: dict[int | None, int] = {key: n for key, n in db.session.execute(query)}
    names: dict[int, str] = {
        key: name
        for key, name in db.session.execute(
            select(TaskForce.id, TaskForce.name).where(TaskForce.id.in_([k for k in counts if k]))
        )
    }
    rows = [(key, names.get(key, "") if key else "", int(n)) for key, n in counts.items()]
    return sorted(rows, key=lambda r: (-r[2], r[1]))


def ticket_set_condition(
    metric: Metric, filters: TicketFilters, now: datetime
) -> ColumnElement[bool]:
    """The tickets behind one number, from the queue's filters (local days ``from``..``to``)."""
    if filters.date_from and filters.date_to:
        period = local_period(filters.date_from, filters.date_to, park_zone())
        bucket = (period.start, period.end)
    else:
        bucket = (datetime.min, datetime.max)
    return ticket_condition(metric, filters.part or "den", bucket, now)


def task_force_names(ids: list[int]) -> list[str]:
    """The names of these task forces, in order."""
    return list(
        db.session.scalars(
            select(TaskForce.name).where(TaskForce.id.in_(ids)).order_by(TaskForce.name)
        )
    )


def exported_tickets(user: User, filters: TicketFilters, limit: int) -> list[tuple[Any, ...]]:
    """The tickets behind a number, as rows for a file: what ``user`` may see within their
    supervision scope, matching the queue ``filters``, oldest first, at most ``limit``."""
    query = (
        select(
            Ticket.reference,
            Ticket.title,
            Enterprise.name,
            TaskForce.name,
            Category.name,
            Ticket.urgency,
            Ticket.status,
            Ticket.filed_at,
            Ticket.dispatched_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.rating,
            Ticket.handling_minutes,
        )
        .join(Enterprise, Enterprise.id == Ticket.enterprise_id)
        .join(Category, Category.id == Ticket.category_id)
        .outerjoin(TaskForce, TaskForce.id == Ticket.task_force_id)
        .where(visible_tickets(user))
    )
    scope = scope_for(user)
    query = apply_filters(query.where(scope if scope is not None else true()), filters)
    rows = db.session.execute(query.order_by(Ticket.filed_at, Ticket.id).limit(limit))
    return [tuple(row) for row in rows]
