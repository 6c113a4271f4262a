"""The morning digest: each working day, every lead and supervisor hears which tickets are due
today and which are overdue.

The digest job, enqueued by the periodic tick on every pass, calls :func:`queue_morning_digests`.
Before the digest time, and on weekends and holidays, it does nothing; after it, the first pass
writes the day's digests under keys naming the day, and later passes see those rows and return
at once. A pass runs inside one transaction, so "any digest row for today" means the day's
digests are written; two passes at the same moment are harmless, as each row is written once
per unique key.

A reader who is away gets their digest through their deputy (on the deputy's channels, saying
whom it covers for), still keyed by the reader: one digest per reader and day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from servicedesk.absences.queries import stand_ins_at
from servicedesk.auth.models import User
from servicedesk.auth.queries import supervisors
from servicedesk.clock import park_zone
from servicedesk.extensions import db
from servicedesk.i18n import local_datetime
from servicedesk.links import external_url, ticket_url
from servicedesk.notifications.listeners import channels_for
from servicedesk.notifications.models import Notification
from servicedesk.notifications.outbox import queue_notification
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import MESSAGE_CHANNELS, Ticket

TOPIC = "digest"
KIND = "morning_digest"


@dataclass(frozen=True)
class DueTicket:
    """One line of a digest."""

    ref: str
    title: str
    task_force_id: int | None
    task_force: str
    due_at: datetime


@dataclass
class Reader:
    """A person who gets a digest and the task forces whose tickets they see (None: all)."""

    user: User
    task_force_ids: set[int] | None = field(default_factory=set)


def local_day(now: datetime) -> tuple[date, time]:
    """The park's local date and wall-clock time at ``now`` (naive UTC)."""
    local = now.replace(tzinfo=UTC).astimezone(park_zone())
    return local.date(), local.time()


def day_end(day: date) -> datetime:
    """The end of the local ``day`` (midnight after it) as naive UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=park_zone())
    return midnight.astimezone(UTC).replace(tzinfo=None)


def digest_time() -> time:
    """When the morning digest goes out (MORNING_DIGEST_AT, local time)."""
    return time.fromisoformat(current_app.config["MORNING_DIGEST_AT"].strip())


def digest_due(now: datetime) -> date | None:
    """The local day whose digest may be written at ``now``, or None (too early, day off)."""
    day, clock = local_day(now)
    if clock < digest_time() or not load_calendar().is_working_day(day):
        return None
    return day


def digest_key(day: date, user: User, channel: str) -> str:
    """The outbox key of one person's digest of ``day`` on one channel."""
    return f"digest:{day.isoformat()}:{user.id}:{channel}"


def already_written(day: date, people: list[Reader]) -> bool:
    """Whether an earlier pass wrote the digests of ``day`` (exact keys: the unique index)."""
    keys = [
        digest_key(day, reader.user, channel) for reader in people for channel in MESSAGE_CHANNELS
    ]
    return (
        db.session.scalar(select(Notification.id).where(Notification.key.in_(keys)).limit(1))
        is not None
    )


def readers() -> list[Reader]:
    """Every active supervisor (the whole park) and every active lead of an active task force."""
    by_id: dict[int, Reader] = {u.id: Reader(u, None) for u in supervisors()}
    led = db.session.execute(
        select(TaskForce.id, User)
        .join(User, TaskForce.lead_id == User.id)
        .where(TaskForce.active.is_(True), User.active.is_(True))
        .order_by(User.id)
    ).all()
    for task_force_id, lead in led:
        reader = by_id.setdefault(lead.id, Reader(lead))
        if reader.task_force_ids is not None:
            reader.task_force_ids.add(task_force_id)
    return list(by_id.values())


def due_tickets(until: datetime) -> list[DueTicket]:
    """Tickets with a deadline still to meet before ``until``, most urgent first."""
    rows = db.session.execute(
        select(
            Ticket.reference, Ticket.title, Ticket.task_force_id, TaskForce.name, Ticket.next_due_at
        )
        .outerjoin(TaskForce, Ticket.task_force_id == TaskForce.id)
        .where(Ticket.next_due_at.is_not(None), Ticket.next_due_at < until)
        .order_by(Ticket.next_due_at, Ticket.id)
    ).all()
    return [DueTicket(r[0], r[1], r[2], r[3] or "", r[4]) for r in rows]


def _line(ticket: DueTicket) -> dict:

    return {
        "ref": ticket.ref,
        "title": ticket.title,
        "task_force": ticket.task_force,
        "due": local_datetime(ticket.due_at),
        "url": ticket_url(ticket.ref),
    }


def digest_context(reader: Reader, tickets: list[DueTicket], now: datetime) -> dict | None:
    """The digest of one reader: due today and overdue; None when both are empty."""
    seen = [
        t
        for t in tickets
        if reader.task_force_ids is None or t.task_force_id in reader.task_force_ids
    ]
    overdue = [t for t in seen if t.due_at < now]
    due_today = [t for t in seen if t.due_at >= now]
    if not overdue and not due_today:
        return None
    # A park with thousands of open tickets must not make a thousand-line message: each
    # section lists the most urgent, then "... and N more" with the link to the queue.
    cap = current_app.config["DIGEST_MAX_LINES"]
    return {
        "due_today": [_line(t) for t in due_today[:cap]],
        "due_today_count": len(due_today),
        "overdue": [_line(t) for t in overdue[:cap]],
        "overdue_count": len(overdue),
        "recipient": reader.user.name,
        "url": external_url("tickets.queue"),
    }


def queue_morning_digests(now: datetime) -> int:
    """Write today's digests if it is a working day past the digest time; returns rows written."""
    day = digest_due(now)
    if day is None:
        return 0
    people = readers()
    if not people or already_written(day, people):
        return 0
    tickets = due_tickets(day_end(day))
    if not tickets:
        return 0
    written = 0
    stand_ins = stand_ins_at(now)
    for reader in people:
        context = digest_context(reader, tickets, now)
        if context is None:
            continue
        receiver = stand_ins.recipient_for(reader.user)
        if receiver.id != reader.user.id:
            context = {**context, "recipient": receiver.name, "covering_for": [reader.user.name]}
        for channel in channels_for(receiver, TOPIC):
            if queue_notification(
                key=digest_key(day, reader.user, channel),
                kind=KIND,
                recipient=receiver,
                channel=channel,
                context=context,
                reason={"digest": day.isoformat()},
                now=now,
            ):
                written += 1
    return written
