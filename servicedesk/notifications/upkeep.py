"""The outbox's periodic upkeep: held SMS go out once their hold is over, and rows whose
delivery job may be lost are handed to the workers again. The periodic tick
(:mod:`servicedesk.jobs.periodic`) calls both, each in its own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from servicedesk.extensions import db
from servicedesk.notifications.models import DeliveryStatus, Notification
from servicedesk.notifications.outbox import queue_notification, remember_for_delivery


def requeue_due_rows(now: datetime) -> list[int]:
    """Rows whose delivery job may be lost (Redis restarted, enqueue failed, worker killed):
    due pending rows not queued recently, and sending rows whose lease ran out. Their jobs are
    enqueued once the caller commits; returns their ids."""
    config = current_app.config
    grace = now - timedelta(seconds=config["REENQUEUE_GRACE_SECONDS"])
    lease = now - timedelta(seconds=config["DELIVERY_LEASE_SECONDS"])
    not_recent = or_(
        Notification.enqueued_at.is_(None) & (Notification.created_at <= grace),
        Notification.enqueued_at <= grace,
    )
    ids: list[int] = list(
        db.session.scalars(
            select(Notification.id)
            .where(
                or_(
                    and_(
                        Notification.status == DeliveryStatus.PENDING.value,
                        Notification.next_attempt_at <= now,
                        not_recent,
                    ),
                    and_(
                        Notification.status == DeliveryStatus.SENDING.value,
                        Notification.claimed_at <= lease,
                        not_recent,
                    ),
                )
            )
            .order_by(Notification.next_attempt_at)
            .limit(config["SWEEP_BATCH_SIZE"] * 10)
        ).all()
    )
    if ids:
        db.session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(enqueued_at=now)
        )
        for notification_id in ids:
            remember_for_delivery(notification_id)
    return ids


def release_held_sms(now: datetime) -> int:
    """Held SMS whose quiet hours or cap are over: one goes out as it is, several as a digest.
    Returns how many SMS digests were written."""
    held = db.session.scalars(
        select(Notification)
        .where(
            Notification.status == DeliveryStatus.HELD.value, Notification.next_attempt_at <= now
        )
        .order_by(Notification.recipient_id, Notification.id)
    ).all()
    by_person: dict[int, list[Notification]] = {}
    for row in held:
        by_person.setdefault(row.recipient_id, []).append(row)
    digests = 0
    for rows in by_person.values():
        if len(rows) == 1:
            row = rows[0]
            row.status = DeliveryStatus.PENDING
            row.next_attempt_at = now
            db.session.flush()
            remember_for_delivery(row.id)
            continue
        refs = sorted({r.sms_params.get("ref", "") for r in rows if r.sms_params} - {""})
        digest_id = queue_notification(
            key=f"smsdigest:{rows[0].recipient_id}:{rows[0].id}",
            kind="sms_digest",
            recipient=rows[0].recipient,
            channel="sms",
            context={"count": len(rows), "refs": refs[:3], "more": max(len(refs) - 3, 0)},
            reason={"folded": [r.id for r in rows]},
            now=now,
        )
        if digest_id is None:
            continue
        digests += 1
        for row in rows:
            row.status = DeliveryStatus.FOLDED
            row.digest_id = digest_id
            row.next_attempt_at = None
    return digests
