"""RQ job functions. They take ids, reload, work, commit — inside the worker's app context."""

from __future__ import annotations

import logging

from rq import get_current_job

log = logging.getLogger(__name__)


def _job_id() -> str | None:
    job = get_current_job()
    return job.id if job else None


def deliver_job(notification_id: int) -> str:
    """Deliver one outbox row (see :mod:`servicedesk.notifications.delivery`)."""
    from servicedesk.extensions import db
    from servicedesk.notifications.delivery import deliver
    from servicedesk.notifications.models import Notification
    from servicedesk.tickets.models import Ticket

    job_id = _job_id()
    job = get_current_job()
    worker = job.worker_name if job is not None else None
    outcome = deliver(notification_id, worker=worker, job_id=job_id)
    row = db.session.get(Notification, notification_id)
    reference = None
    if row is not None and row.ticket_id is not None:
        ticket = db.session.get(Ticket, row.ticket_id)
        reference = ticket.reference if ticket else None
    log.info("job %s notification %s ticket %s %s: %s", job_id, notification_id,
             reference or "-", row.channel if row else "?", outcome)
    return outcome


def sweep_job() -> dict:
    """One escalation sweep (see :mod:`servicedesk.escalation.sweep`)."""
    from servicedesk.escalation.sweep import run_sweep

    stats = run_sweep()
    log.info("job %s sweep: %s due tickets, %s firings, %s messages, %s requeued, %s errors",
             _job_id(), stats.due_tickets, stats.firings, stats.notifications, stats.enqueued,
             len(stats.errors))
    return {"due_tickets": stats.due_tickets, "firings": stats.firings,
            "notifications": stats.notifications, "enqueued": stats.enqueued,
            "errors": stats.errors}
