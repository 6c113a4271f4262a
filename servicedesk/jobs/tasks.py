"""RQ job functions. They take ids, reload, work, commit — inside the worker's app context."""

from __future__ import annotations

import logging
from datetime import datetime

from rq import get_current_job

from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.delivery import deliver
from servicedesk.notifications.digests import queue_morning_digests
from servicedesk.notifications.models import Notification
from servicedesk.tickets.models import Ticket

log = logging.getLogger(__name__)


def _job_id() -> str | None:
    job = get_current_job()
    return job.id if job else None


def deliver_job(notification_id: int) -> str:
    """Deliver one outbox row (see :mod:`servicedesk.notifications.delivery`)."""
    job_id = _job_id()
    job = get_current_job()
    worker = job.worker_name if job is not None else None
    outcome = deliver(notification_id, worker=worker, job_id=job_id)
    row = db.session.get(Notification, notification_id)
    reference = None
    if row is not None and row.ticket_id is not None:
        ticket = db.session.get(Ticket, row.ticket_id)
        reference = ticket.reference if ticket else None
    log.info(
        "job %s notification %s ticket %s %s: %s",
        job_id,
        notification_id,
        reference or "-",
        row.channel if row else "?",
        outcome,
    )
    return outcome


def tick_job() -> dict:
    """One periodic tick: every domain's periodic work (see :mod:`servicedesk.jobs.periodic`)."""
    report = tick()
    log.info(
        "job %s tick: %s due tickets, %s firings, %s messages, %s auto-closed, "
        "%s requeued, %s errors",
        _job_id(),
        report.due_tickets,
        report.firings,
        report.notifications,
        report.auto_closed,
        report.enqueued,
        len(report.errors),
    )
    return {
        "due_tickets": report.due_tickets,
        "firings": report.firings,
        "notifications": report.notifications,
        "auto_closed": report.auto_closed,
        "digests": report.digests,
        "enqueued": report.enqueued,
        "errors": report.errors,
    }


def digest_job(now: datetime) -> int:
    """Write the morning digests due at ``now`` (the enqueuing tick's moment); returns how many
    (see :mod:`servicedesk.notifications.digests`)."""
    written = queue_morning_digests(now)
    db.session.commit()
    log.info("job %s digests at %s: %s written", _job_id(), now.isoformat(), written)
    return written
