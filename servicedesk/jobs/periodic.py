"""The periodic tick: every interval the scheduler enqueues one, and it asks each domain to do
its periodic work, each step in its own transaction so that one failing step does not stop the
others.

- tickets: give tickets waiting for dispatch without a dispatch clock one (those that waited
  before the clock existed; :func:`start_missing_dispatch_clocks`), so the sweep sees them;
- escalation: climb the ladder for tickets whose next step is due (:func:`run_sweep`);
- tickets: close resolved tickets the enterprise did not answer (:func:`auto_close_due`);
- notifications: release held SMS (:func:`release_held_sms`) and hand rows whose delivery job
  may be lost to the workers again (:func:`requeue_due_rows`);
- digests: the morning digest runs as a job of its own (:func:`digest_job`), written here
  instead when there is no Redis to enqueue it on (``flask jobs sweep`` in development, tests).

Each tick records a :class:`SweepRun` for the health page. Two ticks at once are harmless:
every step writes under unique keys or with compare-and-set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from flask import current_app

from servicedesk.clock import utcnow
from servicedesk.escalation.models import SweepRun
from servicedesk.escalation.sweep import SweepStats, run_sweep
from servicedesk.extensions import db
from servicedesk.jobs.queues import enqueue_digests, redis_connection
from servicedesk.notifications.digests import queue_morning_digests
from servicedesk.notifications.upkeep import release_held_sms, requeue_due_rows
from servicedesk.tickets.closing import auto_close_due
from servicedesk.tickets.sla import start_missing_dispatch_clocks

log = logging.getLogger(__name__)


@dataclass
class TickReport(SweepStats):
    """What one tick did, domain by domain: the escalation sweep's counts, then the other
    domains'; ``errors`` names the failed steps and tickets."""

    auto_closed: int = 0
    digests: int = 0
    enqueued: int = 0

    def count_sweep(self, stats: SweepStats) -> None:
        """Add one sweep's counts and errors to the tick's."""
        for counter in fields(SweepStats):
            if counter.name == "errors":
                self.errors.extend(stats.errors)
            else:
                total = getattr(self, counter.name) + getattr(stats, counter.name)
                setattr(self, counter.name, total)


def start_dispatch_clocks(now: datetime, report: TickReport) -> None:
    """Tickets: a ticket waiting for dispatch without a dispatch deadline gets one."""
    start_missing_dispatch_clocks(now)


def escalate(now: datetime, report: TickReport) -> None:
    """Escalation: fire the steps that are due."""
    report.count_sweep(run_sweep(now))


def close_silent_tickets(now: datetime, report: TickReport) -> None:
    """Tickets: close resolved tickets whose confirmation period ran out."""
    report.auto_closed += auto_close_due(now)


def release_sms(now: datetime, report: TickReport) -> None:
    """Notifications: held SMS whose hold is over go out (several as one digest)."""
    report.digests += release_held_sms(now)


def morning_digests(now: datetime, report: TickReport) -> None:
    """Digests: enqueue the digest job; without Redis (or when it cannot be reached) write the
    digests here, as the job would."""
    connection = redis_connection()
    if connection is not None:
        try:
            enqueue_digests(connection, now, current_app.config["JOB_TIMEOUT_SECONDS"])
            return
        except Exception as exc:  # Redis down: the digests must not wait for it
            log.warning("could not enqueue the digest job (%s); writing digests here", exc)
    report.digests += queue_morning_digests(now)


def requeue_lost_deliveries(now: datetime, report: TickReport) -> None:
    """Notifications: rows whose delivery job may be lost are enqueued again."""
    report.enqueued += len(requeue_due_rows(now))


#: The tick's steps, in order; each commits on its own.
STEPS: list[Callable[[datetime, TickReport], None]] = [
    start_dispatch_clocks,
    escalate,
    close_silent_tickets,
    release_sms,
    morning_digests,
    requeue_lost_deliveries,
]


def tick(now: datetime | None = None) -> TickReport:
    """One pass of every domain's periodic work; records a :class:`SweepRun`."""
    now = now or utcnow()
    report = TickReport()
    run = SweepRun(started_at=now)
    db.session.add(run)
    db.session.commit()
    for step in STEPS:
        try:
            step(now, report)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("tick step %s failed", step.__name__)
            report.errors.append(f"{step.__name__}: {exc}")
    run = db.session.get_one(SweepRun, run.id)
    run.finished_at = utcnow()
    run.due_tickets, run.firings = report.due_tickets, report.firings
    run.notifications, run.enqueued = report.notifications, report.enqueued
    run.error = "; ".join(report.errors)[:500] or None
    db.session.commit()
    return report
