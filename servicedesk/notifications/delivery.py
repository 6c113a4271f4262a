"""Delivering one outbox row: claim it, check it is still wanted, send it, mark it.

Exactly once comes from the database, not from the queue: a job may run twice (RQ delivers at
least once), but only the job that claims the row (an UPDATE that moves it to ``sending`` with a
fresh token) sends it, and only the holder of that token may mark it. A worker killed mid-send
leaves the row ``sending``; once its lease runs out the sweep hands it to another worker. The
one window no database can close — the server accepted the message, the worker died before
marking it — is narrowed by sending the same Message-ID / idempotency key on every attempt.
"""

from __future__ import annotations

import hashlib
import logging
import time as timer
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, func, or_, select, update

from servicedesk.clock import park_zone, utcnow
from servicedesk.extensions import db
from servicedesk.notifications.channels import DeliveryError
from servicedesk.notifications.channels.email import EmailMessage, email_sender_from_config
from servicedesk.notifications.channels.sms import SmsMessage, sms_provider_from_config
from servicedesk.notifications.models import (
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
)
from servicedesk.notifications.outbox import remember_for_delivery
from servicedesk.notifications.quiet import (
    local_day_bounds,
    next_morning,
    parse_quiet_hours,
    quiet_until,
)
from servicedesk.sqlutil import affected_rows, retrying_on_sqlite_busy
from servicedesk.tickets.models import Channel

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (DELIVERY_BACKOFF_SECONDS, the last
    value repeating); the sweep hands the row to a worker again once that time is up."""
    steps = [
        int(x) for x in str(current_app.config["DELIVERY_BACKOFF_SECONDS"]).split(",") if x.strip()
    ] or [60]
    return timedelta(seconds=steps[min(max(attempts, 1), len(steps)) - 1])


def claim(notification_id: int, now: datetime) -> str | None:
    """Move the row to ``sending`` under a fresh token if it is due (or its lease ran out)."""
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    token = uuid.uuid4().hex
    db.session.commit()
    claimed_at = utcnow()  # the lease runs from the claim, not from when the job started
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            or_(
                and_(
                    Notification.status == DeliveryStatus.PENDING.value,
                    Notification.next_attempt_at <= now,
                ),
                and_(
                    Notification.status == DeliveryStatus.SENDING.value,
                    Notification.claimed_at < now - lease,
                ),
            ),
        )
        .values(
            status=DeliveryStatus.SENDING.value,
            claimed_at=claimed_at,
            claim_token=token,
            attempts=Notification.attempts + 1,
        )
    )
    db.session.commit()
    return token if affected_rows(result) == 1 else None


def _finish(
    notification_id: int,
    token: str,
    outcome: str,
    detail: str | None,
    job: tuple[str | None, str | None],
    started: float,
    **values,
) -> bool:
    """Mark the claimed row (only while we still hold the claim) and log the attempt."""

    def mark() -> bool:
        result = db.session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.claim_token == token,
                Notification.status == DeliveryStatus.SENDING.value,
            )
            .values(claim_token=None, **values)
        )
        db.session.add(
            DeliveryAttempt(
                notification_id=notification_id,
                outcome=outcome,
                detail=detail,
                worker=job[0],
                job_id=job[1],
                duration_ms=int((timer.monotonic() - started) * 1000),
                attempted_at=utcnow(),
            )
        )
        db.session.commit()
        return affected_rows(result) == 1

    db.session.commit()  # end any read transaction: the marking must wait its turn, not fail
    return retrying_on_sqlite_busy(mark)


#: Where the app keeps its "is this message still wanted?" checks, by message kind.
_STILL_WANTED = "servicedesk.still_wanted"


def register_still_wanted(
    app: Flask, kind: str, check: Callable[[Notification], str | None]
) -> None:
    """Let a higher room decide whether its messages of ``kind`` should still go out:
    ``check(row)`` returns why not, or None. Escalation registers its check this way."""
    app.extensions.setdefault(_STILL_WANTED, {})[kind] = check


def still_wanted(row: Notification) -> str | None:
    """Why the message is no longer wanted (ticket closed, deadline met ...), or None."""
    if not row.recipient.active:
        return "recipient deactivated"
    check = current_app.extensions.get(_STILL_WANTED, {}).get(row.kind)
    if check is not None and row.ticket_id is not None:
        return check(row)
    return None


def _sms_hold(row: Notification, now: datetime) -> tuple[str, datetime] | None:
    config = current_app.config
    zone = park_zone()
    quiet = parse_quiet_hours(config["SMS_QUIET_HOURS"])
    until = quiet_until(now, quiet, zone)
    if until is not None:
        return "quiet_hours", until
    start, end = local_day_bounds(now, zone)
    sent_today = db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.recipient_id == row.recipient_id,
            Notification.channel == Channel.SMS.value,
            Notification.status == DeliveryStatus.SENT.value,
            Notification.sent_at >= start,
            Notification.sent_at < end,
        )
    ).scalar_one()
    if sent_today >= config["SMS_DAILY_CAP"]:
        return "daily_cap", next_morning(now, quiet, zone)
    return None


def channel_senders(app) -> tuple:
    """The e-mail sender and SMS provider of this app, built once from its settings."""
    senders = app.extensions.get("servicedesk.channels")
    if senders is None:
        senders = (email_sender_from_config(app.config), sms_provider_from_config(app.config))
        app.extensions["servicedesk.channels"] = senders
    return senders


def _send(row: Notification) -> str:
    email_sender, sms_provider = channel_senders(current_app)
    # Only rows with an address are ever pending: queue_notification marks a row without one
    # failed, and an admin's retry_failed skips it.
    assert row.address is not None, f"notification {row.id} has no address"
    if row.channel == Channel.SMS.value:
        return sms_provider.send(
            SmsMessage(
                to=row.address,
                template=row.sms_template or row.kind,
                params=dict(row.sms_params or {}),
                text=row.body_text,
                idempotency_key=row.key,
            )
        )

    return email_sender.send(
        EmailMessage(
            to=row.address,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            message_id=message_id(row),
        )
    )


def message_id(row: Notification) -> str:
    """The same Message-ID on every attempt, so a resent message can be recognised."""
    domain = current_app.config["MAIL_MESSAGE_ID_DOMAIN"]
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<gc-{row.id}-{digest}@{domain}>"


def deliver(notification_id: int, worker: str | None = None, job_id: str | None = None) -> str:
    """Claim, check, send and mark one outbox row; returns what happened (for the job log)."""
    started = timer.monotonic()
    now = utcnow()
    token = claim(notification_id, now)
    if token is None:
        return "not claimed (already handled, not due, or claimed by another worker)"
    job = (worker, job_id)
    row = db.session.get_one(Notification, notification_id)  # we just claimed it
    reason = still_wanted(row)
    if reason:
        _finish(
            row.id,
            token,
            "cancelled",
            reason,
            job,
            started,
            status=DeliveryStatus.CANCELLED.value,
            next_attempt_at=None,
            last_error=reason,
        )
        return f"cancelled: {reason}"
    if row.channel == Channel.SMS.value and row.kind != "sms_digest":
        hold = _sms_hold(row, now)
        if hold is not None:
            why, until = hold
            _finish(
                row.id,
                token,
                "held",
                why,
                job,
                started,
                status=DeliveryStatus.HELD.value,
                hold_reason=why,
                next_attempt_at=until,
            )
            return f"held ({why}) until {until.isoformat()}"
    db.session.commit()  # no transaction stays open while we talk to the outside world
    try:
        provider_id = _send(row)
    except DeliveryError as exc:
        attempts = row.attempts
        give_up = not exc.retryable or attempts >= current_app.config["DELIVERY_MAX_ATTEMPTS"]
        detail = str(exc)[:2000]
        if give_up:
            _finish(
                row.id,
                token,
                "failed",
                detail,
                job,
                started,
                status=DeliveryStatus.FAILED.value,
                next_attempt_at=None,
                last_error=detail,
            )
            log.warning("notification %s failed for good: %s", row.id, detail)
            return f"failed: {detail}"
        _finish(
            row.id,
            token,
            "retry",
            detail,
            job,
            started,
            status=DeliveryStatus.PENDING.value,
            last_error=detail,
            next_attempt_at=utcnow() + backoff(attempts),
        )
        return f"retry later: {detail}"
    _finish(
        row.id,
        token,
        "sent",
        provider_id,
        job,
        started,
        status=DeliveryStatus.SENT.value,
        sent_at=utcnow(),
        provider_id=(provider_id or "")[:200],
        last_error=None,
        next_attempt_at=None,
    )
    return "sent"


def retry_failed(notification_id: int) -> bool:
    """An admin's retry: a failed row becomes pending again with a fresh attempt budget, and its
    delivery job is enqueued after the caller commits."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == DeliveryStatus.FAILED.value,
            Notification.address.is_not(None),
            Notification.body_text != "",
        )
        .values(
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error=None,
        )
    )
    if affected_rows(result) != 1:
        return False

    remember_for_delivery(notification_id)  # enqueued as soon as the caller commits
    return True
