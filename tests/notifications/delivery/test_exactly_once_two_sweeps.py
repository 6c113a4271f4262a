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
from tests.notifications.delivery.conftest import folded, overdue_ticket, rows
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
    assert sum(r.firings + r.superseded for r in results) == db.session.scalar(
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


def test_two_sweeps_at_once_deliver_each_folded_reminder_and_summary_once(
    app, stack, reachable_park, client_for, monkeypatch
):
    """Every deadline of a ticket due at once is one message per person and channel; a person
    with reminders about more than REMINDER_SUMMARY_OVER tickets gets one summary instead."""
    monkeypatch.setitem(app.config, "REMINDER_SUMMARY_OVER", 2)
    park = reachable_park
    pool = stack.workers(3)
    refs = [overdue_ticket(park, client_for, days_late=3) for _ in range(3)]

    results = _sweep_twice_at_once()
    assert [r.errors for r in results] == [[], []]
    summaries = [row for row in rows() if row.kind == "escalation_summary"]
    inboxes = [(row.recipient_id, row.channel) for row in summaries]
    assert len(inboxes) == len(set(inboxes)) > 0  # one summary per person and channel
    assert (park.lead.id, "sms") in inboxes and (park.supervisor.id, "email") in inboxes
    replaced = folded()
    # Each summary replaces one message per ticket, recorded, never sent on its own.
    assert {row.digest_id for row in replaced} == {row.id for row in summaries}
    assert len(replaced) == len(refs) * len(summaries)
    assert all(row.kind == "escalation" for row in replaced)
    # Nobody hears twice about one ticket on one channel in one sweep.
    told = [
        (row.ticket_id, row.recipient_id, row.channel)
        for row in [*rows(), *replaced]
        if row.kind == "escalation"
    ]
    assert len(told) == len(set(told))
    assert sum(r.notifications for r in results) == len(told) + len(summaries)

    stack.wait_all_sent(pool, timeout=25)
    sent = stack.assert_exactly_once()  # a folded row sent alone would be a stray
    assert all(row.attempts == 1 for row in sent)
    received = {mail.message_id for mail in stack.smtp.messages}
    assert all(row.provider_id in received for row in sent if row.channel == "email")
    assert {row.status for row in folded()} == {"folded"}
    assert not stack.sweep.errors
