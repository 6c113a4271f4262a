"""A worker SIGKILLed while it sends a sweep's reminders, folded and summarised: the message it
was handing over is delivered once after the lease, every summary and folded reminder once,
and no reminder a summary replaced goes out on its own."""

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.delivery import message_id
from servicedesk.notifications.models import Notification
from tests.notifications.delivery.conftest import attempt_log, folded, overdue_ticket, rows

pytestmark = pytest.mark.workers

REMINDER_KINDS = ("escalation", "escalation_summary")


def test_a_worker_killed_mid_summary_leaves_every_reminder_delivered_once(
    app, stack, reachable_park, client_for, monkeypatch
):
    monkeypatch.setitem(app.config, "REMINDER_SUMMARY_OVER", 2)
    stack.configure(MAIL_TIMEOUT=30)
    park = reachable_park
    refs = [overdue_ticket(park, client_for, days_late=3) for _ in range(3)]
    with stack.workers(1) as first:  # the filing notices go out, with no sweep yet
        first.wait_until(
            lambda: all(row.status == "sent" for row in rows()),
            timeout=25,
            what="the filing notices to be sent",
        )
    assert not [row for row in rows() if row.kind in REMINDER_KINDS]

    stack.smtp.set_mode("stall")
    doomed = stack.workers(1)
    report = tick()
    db.session.commit()
    assert report.errors == []
    summaries = [row for row in rows() if row.kind == "escalation_summary"]
    assert summaries, "three overdue tickets for one lead raised no summary"
    stack.smtp.wait_until_stalled(1, timeout=15)
    stuck = db.session.scalars(select(Notification).where(Notification.status == "sending")).one()
    assert stuck.kind in REMINDER_KINDS and stuck.channel == "email"
    rescuer = stack.workers(1)

    victim = doomed.workers[0]
    doomed.kill(victim)
    stack.smtp.release(accept=True)  # too late: its client is gone

    stack.wait_all_sent(rescuer, timeout=40)
    stack.assert_exactly_once(expect_attempts={stuck.id: 2})
    assert [entry.outcome for entry in attempt_log(stuck.id)] == ["sent"]
    assert not victim.alive and victim.process.returncode == -9

    # The folded reminders stay recorded inside their summaries and were never sent alone.
    replaced = folded()
    assert {row.digest_id for row in replaced} == {row.id for row in summaries}
    assert {row.status for row in replaced} == {"folded"}
    assert all(row.provider_id is None for row in replaced)
    received = set(stack.smtp.message_ids())
    assert not [row.id for row in replaced if message_id(row) in received]
    assert {row.status for row in rows() if row.kind == "escalation_summary"} == {"sent"}
    assert all(sorted(row.reason["summarised"]) == sorted(refs) for row in summaries)
