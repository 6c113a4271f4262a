"""Read-only questions about the outbox: the delivery log, its filters, attempts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, distinct, or_, select
from sqlalchemy.orm import selectinload

from servicedesk.auth.models import User
from servicedesk.clock import park_zone
from servicedesk.extensions import db
from servicedesk.notifications.models import DeliveryAttempt, DeliveryStatus, Notification
from servicedesk.tickets.models import Ticket


@dataclass(frozen=True)
class DeliveryFilters:
    """What the delivery log is narrowed to; None leaves a filter out."""

    status: str | None = None
    channel: str | None = None
    kind: str | None = None
    recipient: str | None = None
    ticket: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def written_kinds() -> list[str]:
    """Every kind of message the outbox holds, sorted."""
    return list(db.session.scalars(select(distinct(Notification.kind)).order_by(Notification.kind)))


def _local_day_start(day: date) -> datetime:
    zone = park_zone()
    return datetime.combine(day, time.min, zone).astimezone(UTC).replace(tzinfo=None)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(filters: DeliveryFilters, query: Select) -> Select:
    """``query`` (over the outbox) narrowed to the rows the filters ask for."""
    query = query.join(User, User.id == Notification.recipient_id).outerjoin(
        Ticket, Ticket.id == Notification.ticket_id
    )
    for value, column in (
        (filters.status, Notification.status),
        (filters.channel, Notification.channel),
        (filters.kind, Notification.kind),
    ):
        if value:
            query = query.where(column == value)
    if filters.recipient:
        pattern = f"%{_escape_like(filters.recipient.strip())}%"
        query = query.where(
            or_(
                User.name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                Notification.address.ilike(pattern, escape="\\"),
            )
        )
    if filters.ticket:
        query = query.where(Ticket.reference == filters.ticket.strip().upper())
    if filters.date_from:
        query = query.where(Notification.created_at >= _local_day_start(filters.date_from))
    if filters.date_to:
        query = query.where(
            Notification.created_at < _local_day_start(filters.date_to + timedelta(days=1))
        )
    return query


def delivery_log(filters: DeliveryFilters) -> Select:
    """The messages the filters pick, newest first, with their recipients (for paging)."""
    return _filtered(
        filters, select(Notification).options(selectinload(Notification.recipient))
    ).order_by(Notification.created_at.desc(), Notification.id.desc())


def failed_ids(filters: DeliveryFilters, limit: int) -> list[int]:
    """The ids of at most ``limit`` failed messages the filters pick, oldest first."""
    return list(
        db.session.scalars(
            _filtered(filters, select(Notification.id))
            .where(Notification.status == DeliveryStatus.FAILED.value)
            .order_by(Notification.id)
            .limit(limit)
        )
    )


def attempts_by_message(ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    """The delivery attempts of these messages, oldest first, by message id."""
    attempts: dict[int, list[DeliveryAttempt]] = {}
    if ids:
        for attempt in db.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.notification_id.in_(ids))
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        ):
            attempts.setdefault(attempt.notification_id, []).append(attempt)
    return attempts


def tickets_by_id(ids: Iterable[int]) -> dict[int, Ticket]:
    """The tickets with these ids, by id."""
    return {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(set(ids))))}
