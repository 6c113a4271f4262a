"""Tickets (诉求), their append-only timeline, attachments, site visits and extension requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.enterprises.models import Enterprise, KeyProject
from servicedesk.extensions import Model
from servicedesk.sla.vocabulary import CategoryKind, Urgency
from servicedesk.sqlutil import enum_type
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.rules import OPEN_STATUSES, Status


class Channel(enum.StrEnum):
    """A way to reach someone: how the enterprise prefers to be contacted, and (e-mail, SMS)
    what the outbox sends on."""

    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"


#: The channels the notifications can send a message on.
MESSAGE_CHANNELS = (Channel.EMAIL, Channel.SMS)


class Card(enum.StrEnum):
    """The colour card a ticket holds; it only ever climbs while the ticket is open."""

    NONE = "none"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"


CARD_RANK = {Card.NONE: 0, Card.BLUE: 1, Card.YELLOW: 2, Card.RED: 3}


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class Category(Model):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=CategoryKind.ASSISTANCE.value)
    default_task_force_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_force.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(default=True)

    default_task_force: Mapped[TaskForce | None] = relationship()

    def __str__(self) -> str:
        return self.name


class ReferenceSequence(Model):
    """The last reference number handed out in a year (GC-2026-000123)."""

    __tablename__ = "reference_sequence"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Ticket(Model):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status_resolve_due_at", "status", "resolve_due_at"),
        Index("ix_ticket_task_force_status", "task_force_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    key_project_id: Mapped[int | None] = mapped_column(ForeignKey("key_project.id"))
    urgency: Mapped[str] = mapped_column(String(10), default=Urgency.NORMAL.value)
    preferred_channel: Mapped[str] = mapped_column(String(10), default=Channel.EMAIL.value)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(
        enum_type(Status, 20, "status"), default=Status.FILED, index=True
    )
    #: Chain-leader enterprise or key project: tighter limits (green channel).
    green_channel: Mapped[bool] = mapped_column(default=False)
    task_force_id: Mapped[int | None] = mapped_column(ForeignKey("task_force.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    #: While the ticket waits in the dispatcher's queue: dispatch by then (from filing or the
    #: latest return). Kept after the dispatch, for the page and the metrics.
    dispatch_due_at: Mapped[datetime | None]
    sign_due_at: Mapped[datetime | None]
    first_contact_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    #: The earliest deadline still to be met (None while paused or closed); queues sort on it
    #: and reminders look it up. Kept current by ``tickets.deadlines.refresh_deadlines``.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    #: The colour card (none/blue/yellow/red); only climbs while the ticket is open.
    card: Mapped[Card] = mapped_column(enum_type(Card, 10, "card"), default=Card.NONE)
    #: Bumped whenever the clocks start again (dispatch, transfer, rework, return), so a new clock
    #: climbs the ladder afresh.
    clock_epoch: Mapped[int] = mapped_column(default=0)
    #: When the current clocks started (dispatch, transfer, rework or a return to dispatch;
    #: None until the first dispatch, whose clock runs from ``filed_at``).
    clock_started_at: Mapped[datetime | None]
    #: When the sweep should next look at this ticket; the sweep finds due tickets through
    #: this index instead of scanning every open ticket.
    next_escalation_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Set while the clock is paused (waiting for the enterprise).
    paused_at: Mapped[datetime | None]
    extension_working_days: Mapped[int] = mapped_column(default=0)
    #: Deadline met? Recorded at the moment of the action, for the metrics.
    dispatched_on_time: Mapped[bool | None]
    signed_on_time: Mapped[bool | None]
    contacted_on_time: Mapped[bool | None]
    resolved_on_time: Mapped[bool | None]
    #: Working minutes from filing to the latest resolution (waiting for the enterprise
    #: included); set when the ticket is resolved, cleared on rework. See tickets/handling.py.
    handling_minutes: Mapped[int | None]
    #: Working minutes from filing to the first contact with the enterprise (the dispatcher's
    #: time included); set at the first contact. See tickets/handling.py.
    response_minutes: Mapped[int | None]

    resolution_summary: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(20))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rework_count: Mapped[int] = mapped_column(default=0)
    #: confirmed / auto / withdrawn
    close_reason: Mapped[str | None] = mapped_column(String(20))

    #: Optimistic lock: two people acting on the same ticket at once, one wins.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    category: Mapped[Category] = relationship()
    key_project: Mapped[KeyProject | None] = relationship()
    task_force: Mapped[TaskForce | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Ticket {self.reference} {self.status}>"

    @property
    def is_open(self) -> bool:

        return Status(self.status) in OPEN_STATUSES


class EventKind(enum.StrEnum):
    FILED = "filed"
    DISPATCHED = "dispatched"
    TRANSFERRED = "transferred"
    RETURNED = "returned"
    SIGNED = "signed"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    NOTE = "note"
    INFO_REQUESTED = "info_requested"
    ENTERPRISE_REPLIED = "enterprise_replied"
    SITE_VISIT = "site_visit"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REJECTED = "extension_rejected"
    RESOLVED = "resolved"
    RATED = "rated"
    REOPENED = "reopened"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    CARD_RAISED = "card_raised"


class TicketEvent(Model):
    """One entry on a ticket's timeline. Rows are only ever added."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the system
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Shown to the enterprise? Internal notes and staff-only events are not.
    public: Mapped[bool] = mapped_column(default=True)
    body: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    from_status: Mapped[Status | None] = mapped_column(enum_type(Status, 20, "from_status"))
    to_status: Mapped[Status | None] = mapped_column(enum_type(Status, 20, "to_status"))
    #: What changed besides the status, as {"field": [before, after]} plus event details.
    changes: Mapped[dict | None] = mapped_column(JSON)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="event")


class Attachment(Model):
    """A file stored outside ``static/`` under a random name, served only as a download."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Internal attachments (on notes) are not shown to the enterprise.
    public: Mapped[bool] = mapped_column(default=True)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    event: Mapped[TicketEvent | None] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()


class SiteVisit(Model):
    """一线工作法: staff went to the enterprise's site."""

    __tablename__ = "site_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    visited_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(200))
    participants: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text)

    recorded_by: Mapped[User] = relationship()
    event: Mapped[TicketEvent | None] = relationship()


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ExtensionRequest(Model):
    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    working_days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_type(ExtensionStatus, 10, "status"), default=ExtensionStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
