"""Two sweeps at the same moment, with real workers delivering what they write: every
reminder is written once, sent once and received once."""

import threading

import pytest
from flask import current_app
from sqlalchemy import func, select

from servicedesk.escalation.models import EscalationFiring
from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.models import Notification
from tests.notifications.delivery.conftest import overdue_ticket, rows
from tests.tickets.conftest import ticket

pytestmark = pytest.mark.workers


def _sweep_twice_at_once() -> list:
    # Flask annotates the ``current_app`` proxy as the Flask app it stands for.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(tick())
            except Exception as exc:  # reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep, name=f"sweep-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a sweep hung"
    assert not errors, errors
    return results


def test_two_sweeps_at_the_same_moment_deliver_every_reminder_once(
    stack, reachable_park, client_for
):
    park = reachable_park
    pool = stack.workers(3)
    refs = [overdue_ticket(park, client_for, days_late=3) for _ in range(4)]

    results = _sweep_twice_at_once()
    assert [r.errors for r in results] == [[], []]
    escalations = db.session.scalars(
        select(Notification).where(Notification.kind == "escalation")
    ).all()
    assert escalations, "the sweeps wrote no reminder"
    assert {row.channel for row in escalations} == {"email", "sms"}
    assert sum(r.notifications for r in results) == len(escalations)
    assert sum(r.firings for r in results) == db.session.scalar(
        select(func.count()).select_from(EscalationFiring)
    )
    assert all(ticket(ref).card == "red" for ref in refs)

    stack.wait_all_sent(pool, timeout=25)
    sent = stack.assert_exactly_once()
    assert all(row.attempts == 1 for row in sent)
    # The reminders are among them: each person got each step once per channel.
    steps = [
        (
            row.ticket_id,
            row.recipient_id,
            row.channel,
            row.reason["stage"],
            row.reason["level"],
            row.reason["repeat_no"],
        )
        for row in rows()
        if row.kind == "escalation"
    ]
    assert len(steps) == len(set(steps)) == len(escalations)
    # Jobs log the ticket reference and the job id of every delivery.
    job_log = pool.log_text()
    assert all(
        f"ticket {ref} sms: sent" in job_log and f"ticket {ref} email: sent" in job_log
        for ref in refs
    )
    assert not stack.sweep.errors
