"""The outbox: one row per message to one person on one channel, and the log of every attempt."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.extensions import Model
from servicedesk.sqlutil import enum_type


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a worker (or for its next attempt)
    SENDING = "sending"  # claimed by a worker; a lease that runs out makes it pending again
    SENT = "sent"
    HELD = "held"  # SMS in quiet hours or over the daily cap; goes out in the morning digest
    FOLDED = "folded"  # held SMS that went out inside a digest
    FAILED = "failed"  # gave up after retries, or could not be sent at all; an admin may retry
    CANCELLED = "cancelled"  # no longer relevant (ticket closed, deadline met)


class Notification(Model):
    """One message to one recipient on one channel, identified by a unique key so that nothing
    is ever written twice; delivery jobs take its id, claim it, send, and mark it."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notification_recipient_channel_sent_at", "recipient_id", "channel", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    sms_template: Mapped[str | None] = mapped_column(String(40))
    sms_params: Mapped[dict | None] = mapped_column(JSON)
    #: Why this message exists, for the admin: e.g. {"stage": "resolve", "level": "yellow"}.
    reason: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, 10, "status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    #: Last time the sweep (re)queued a delivery job for this row.
    enqueued_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    hold_reason: Mapped[str | None] = mapped_column(String(20))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"))

    recipient: Mapped[User] = relationship()


class DeliveryAttempt(Model):
    """The delivery log: every try to send a notification, with its outcome."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # sent / retry / failed / held / cancelled
    detail: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))
    job_id: Mapped[str | None] = mapped_column(String(100))
    duration_ms: Mapped[int | None]


class NotificationPreference(Model):
    """A person's choice for one kind of message on one channel (absent: the default)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool]
