"""The aggregate statements behind the supervisors' numbers, built from the metric definitions.

:func:`aggregate_query` turns every metric of :mod:`servicedesk.supervision.metrics` into
``SUM(CASE WHEN ... THEN 1 ELSE 0 END)`` columns (numerator and denominator, one pair per
reporting bucket, named by :func:`column_name`), grouped by the slice, with the yellow and red
firings joined per ticket; :func:`open_tickets_query` counts the open tickets by a grouping.
The dashboard, the exports and the bulletin all read these statements. Pure: SQLAlchemy
expressions only, no session, no request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, true

from servicedesk.escalation.models import EscalationFiring, Level
from servicedesk.supervision.metrics import METRICS, Bucket, Metric, Slice, within
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.rules import OPEN_STATUSES

_OPEN = [s.value for s in OPEN_STATUSES]
_CARD_LEVELS = (Level.YELLOW.value, Level.RED.value)


def column_name(metric: str, part: str, index: int) -> str:
    """The label of one aggregate column: ``sign_on_time__num__0``."""
    return f"{metric}__{part}__{index}"


def _aggregates(metric: Metric, buckets: Sequence[Bucket], now: datetime, firings) -> list[Any]:
    columns: list[Any] = []
    for index, bucket in enumerate(buckets):
        denominator = metric.denominator(bucket, now)
        if metric.kind == "count":
            level = Level.YELLOW.value if metric.name == "yellow_cards" else Level.RED.value
            counted = func.sum(firings.c[f"{level}__{index}"])
            columns.append(func.coalesce(counted, 0).label(column_name(metric.name, "num", index)))
            continue
        if metric.kind == "mean_hours":
            assert metric.minutes is not None, f"{metric.name}: a mean needs its column"
            numerator = func.sum(case((denominator, metric.minutes), else_=0))
        else:
            assert metric.numerator is not None, f"{metric.name}: a rate needs a numerator"
            numerator = func.sum(
                case((and_(denominator, metric.numerator(bucket, now)), 1), else_=0)
            )
        columns.append(func.coalesce(numerator, 0).label(column_name(metric.name, "num", index)))
        columns.append(
            func.coalesce(func.sum(case((denominator, 1), else_=0)), 0).label(
                column_name(metric.name, "den", index)
            )
        )
    return columns


def _firings_per_ticket(buckets: Sequence[Bucket]):
    """Yellow and red firings per ticket and bucket, to join to the tickets."""
    columns = [
        func.sum(
            case(
                (
                    and_(
                        EscalationFiring.level == level, within(EscalationFiring.fired_at, bucket)
                    ),
                    1,
                ),
                else_=0,
            )
        ).label(f"{level}__{index}")
        for index, bucket in enumerate(buckets)
        for level in _CARD_LEVELS
    ]
    start = min(b[0] for b in buckets)
    end = max(b[1] for b in buckets)
    return (
        select(EscalationFiring.ticket_id, *columns)
        .where(
            EscalationFiring.level.in_(_CARD_LEVELS),
            within(EscalationFiring.fired_at, (start, end)),
        )
        .group_by(EscalationFiring.ticket_id)
        .subquery("firings")
    )


def aggregate_query(
    buckets: Sequence[Bucket],
    slice_: Slice,
    now: datetime,
    scope: ColumnElement[bool] | None = None,
    metrics: Sequence[Metric] | None = None,
) -> Select:
    """One statement: every metric's numerator and denominator for every bucket, one row per
    slice key (one row for the whole park). ``scope`` narrows the tickets (a lead's teams)."""
    metrics = list(METRICS.values()) if metrics is None else list(metrics)
    firings = _firings_per_ticket(buckets)
    columns = [c for m in metrics for c in _aggregates(m, buckets, now, firings)]
    if slice_.key is not None:
        query = select(slice_.key.label("key"), slice_.title.label("title"), *columns)
    else:
        query = select(literal(None).label("key"), literal(None).label("title"), *columns)
    query = slice_.joins(query.select_from(Ticket))
    query = query.outerjoin(firings, firings.c.ticket_id == Ticket.id)
    query = query.where(scope if scope is not None else true())
    if slice_.key is not None:
        query = query.group_by(slice_.key, slice_.title).order_by(slice_.title)
    return query


def open_tickets_query(
    group: Any,
    scope: ColumnElement[bool] | None = None,
    joins: Callable[[Select], Select] | None = None,
) -> Select:
    """Open tickets counted by ``group`` (their card, their task force ...)."""
    query = select(group.label("key"), func.count(Ticket.id).label("tickets")).select_from(Ticket)
    if joins is not None:
        query = joins(query)
    return query.where(Ticket.status.in_(_OPEN), scope if scope is not None else true()).group_by(
        group
    )
