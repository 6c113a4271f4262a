"""The SMTP server down for a while: e-mails are retried with backoff and arrive once when it
comes back on the same port; SMS are not held up meanwhile."""

from datetime import timedelta

import pytest

from servicedesk.notifications.delivery import backoff
from tests.notifications.delivery.conftest import attempt_log, queue_messages, rows

pytestmark = pytest.mark.workers


def test_smtp_down_then_back_every_mail_retried_with_backoff_and_received_once(stack, recipients):
    stack.configure(DELIVERY_MAX_ATTEMPTS=50)
    people = recipients(6)
    stack.smtp.stop()
    pool = stack.workers(2)
    ids = queue_messages(people)
    assert len(ids) == 12

    def mails_tried(times: int):
        def check() -> bool:
            mails = [row for row in rows() if row.channel == "email"]
            return all(row.attempts >= times and row.status == "pending" for row in mails)

        return check

    # Four failed tries each (backoff 1 s, 1 s, 2 s): the server is down for several seconds.
    pool.wait_until(
        mails_tried(4),
        timeout=20,
        what="four failed tries of every e-mail",
        tick=stack.sweep,
        describe=stack.describe,
    )
    assert stack.smtp.messages == []
    texts = [row for row in rows() if row.channel == "sms"]
    assert all(row.status == "sent" for row in texts), "SMS waited for the mail server"

    stack.smtp.start()  # back on the same port
    stack.wait_all_sent(pool, timeout=20)
    sent = stack.assert_exactly_once()

    for row in sent:
        log = attempt_log(row.id)
        if row.channel == "sms":
            assert [entry.outcome for entry in log] == ["sent"]
            continue
        assert row.attempts >= 5 and [e.outcome for e in log] == ["retry"] * (row.attempts - 1) + [
            "sent"
        ]
        assert all("refused the connection" in e.detail for e in log[:-1]), log[0].detail
        # Each try waited at least its backoff after the previous failure.
        for number, (failed, later) in enumerate(zip(log, log[1:], strict=False), start=1):
            wait = backoff(number)
            assert later.attempted_at - failed.attempted_at >= wait - timedelta(seconds=0.25), (
                number,
                failed.attempted_at,
                later.attempted_at,
            )
    assert not stack.sweep.errors
