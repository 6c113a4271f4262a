"""Writing messages into the outbox. A row is written once per unique key, inside the
transaction that decides it is needed; delivery jobs are enqueued only after that commits."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import update

from servicedesk import aftercommit
from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.enterprises.validators import is_mobile, normalise_mobile
from servicedesk.extensions import db
from servicedesk.notifications.models import DeliveryStatus, Notification
from servicedesk.notifications.render import render_notification
from servicedesk.sqlutil import affected_rows, insert_once
from servicedesk.tickets.models import Channel

log = logging.getLogger(__name__)

#: The after-commit work that enqueues delivery jobs (registered by :mod:`servicedesk.jobs`).
DELIVERIES = "notifications.deliveries"


def recipient_locale(user: User) -> str:
    """The language a person reads their messages in."""
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _address(user: User, channel: str) -> str | None:
    if channel == Channel.EMAIL:
        return user.email
    if user.mobile and is_mobile(user.mobile):
        return normalise_mobile(user.mobile)
    return None


def queue_notification(
    *,
    key: str,
    kind: str,
    recipient: User,
    channel: str,
    context: dict,
    ticket_id: int | None = None,
    reason: dict | None = None,
    now: datetime | None = None,
    folded_into: int | None = None,
) -> int | None:
    """Write one message for ``recipient`` on ``channel`` unless ``key`` was written before.

    Returns the new row's id (remembered for enqueueing after the commit), or None for a
    duplicate. A person without an address for the channel, or a message that could not be
    rendered, still gets a row, marked failed with the reason, so an admin sees it instead of
    it vanishing. With ``folded_into`` (a summary's id) the row is recorded as folded into
    that summary and never sent on its own.
    """
    now = now or utcnow()
    locale = recipient_locale(recipient)
    address = _address(recipient, channel)
    try:
        rendered = render_notification(kind, locale, context)
    except Exception as exc:  # a broken template: keep a failed row an admin can see and retry
        log.exception("could not render %s for user %s", kind, recipient.id)
        rendered = None
        render_error = f"could not render the {kind} message: {exc}"
    values = {
        "key": key,
        "kind": kind,
        "ticket_id": ticket_id,
        "recipient_id": recipient.id,
        "channel": channel,
        "address": address,
        "locale": locale,
        "created_at": now,
        "next_attempt_at": now,
        "reason": reason,
        "attempts": 0,
    }
    if rendered is None:
        values.update(subject=kind, body_text="", body_html=None)
    elif channel == Channel.SMS:
        values.update(
            subject=rendered.subject[:300],
            body_text=rendered.sms_text,
            body_html=None,
            sms_template=kind,
            sms_params=rendered.sms_params,
        )
    else:
        values.update(
            subject=rendered.subject[:300], body_text=rendered.text, body_html=rendered.html
        )
    if rendered is None:
        values.update(
            status=DeliveryStatus.FAILED.value, next_attempt_at=None, last_error=render_error[:2000]
        )
    elif address is None:
        values.update(
            status=DeliveryStatus.FAILED.value,
            next_attempt_at=None,
            last_error="no mobile number on file"
            if channel == Channel.SMS
            else "no e-mail address on file",
        )
    elif folded_into is not None:
        values.update(
            status=DeliveryStatus.FOLDED.value, next_attempt_at=None, digest_id=folded_into
        )
    else:
        values["status"] = DeliveryStatus.PENDING.value
    notification_id = insert_once(Notification, values, ["key"])
    if notification_id is not None and values["status"] == DeliveryStatus.PENDING.value:
        remember_for_delivery(notification_id)
    return notification_id


def remember_for_delivery(notification_id: int) -> None:
    """Enqueue this row's delivery job once the current transaction commits (never if it
    rolls back); every row remembered in one transaction goes to Redis in one pipeline."""
    if has_app_context():
        aftercommit.queue(DELIVERIES, notification_id)


def cancel_pending(ticket_id: int, kinds_prefix: str | None = None, reason: str = "") -> int:
    """Cancel every message for a ticket that has not gone out yet (ticket closed ...)."""
    query = update(Notification).where(
        Notification.ticket_id == ticket_id,
        Notification.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.HELD.value]),
    )
    if kinds_prefix:
        query = query.where(Notification.kind.startswith(kinds_prefix))
    result = db.session.execute(
        query.values(
            status=DeliveryStatus.CANCELLED.value, next_attempt_at=None, last_error=reason or None
        )
    )
    return affected_rows(result)
