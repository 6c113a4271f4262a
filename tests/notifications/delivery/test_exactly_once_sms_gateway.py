"""The SMS gateway answering 500, then timing out, then well; and a row that keeps failing
until an admin retries it."""

import time

import pytest

from servicedesk.extensions import db
from servicedesk.notifications.delivery import retry_failed
from tests.notifications.delivery.conftest import attempt_log, queue_messages, rows

pytestmark = pytest.mark.workers


def _texts():
    return [row for row in rows() if row.channel == "sms"]


def _every_text_retried_because(words: str):
    def check() -> bool:
        return all(
            any(e.outcome == "retry" and words in (e.detail or "") for e in attempt_log(row.id))
            for row in _texts()
        )

    return check


def _sweep_until(stack, pool, condition, *, timeout: float, what: str) -> None:
    """Sweep (so held and backed-off rows come due) until ``condition`` holds."""
    pool.wait_until(
        condition, timeout=timeout, what=what, tick=stack.sweep, describe=stack.describe
    )


def test_sms_gateway_errors_then_timeouts_then_ok_every_text_arrives_once(stack, recipients):
    stack.configure(DELIVERY_MAX_ATTEMPTS=50)
    people = recipients(4)
    stack.sms.set_mode("error500")
    pool = stack.workers(2)
    queue_messages(people)

    _sweep_until(
        stack,
        pool,
        _every_text_retried_because("answered 500"),
        timeout=15,
        what="every SMS to be refused with 500 once",
    )
    # The gateway now takes the request and never answers in time (it waits 2 s, the
    # provider gives up after SMS_TIMEOUT=1 s); nothing it holds is ever counted.
    stack.sms.set_mode("timeout")
    _sweep_until(
        stack,
        pool,
        _every_text_retried_because("did not answer"),
        timeout=20,
        what="every SMS to time out once",
    )
    assert stack.sms.messages == []
    stack.sms.set_mode("ok")
    stack.wait_all_sent(pool, timeout=20)
    sent = stack.assert_exactly_once()

    for row in sent:
        outcomes = [entry.outcome for entry in attempt_log(row.id)]
        if row.channel == "email":
            assert outcomes == ["sent"]  # mail never waited for the gateway
        else:
            assert row.attempts >= 3 and outcomes[-1] == "sent"
    assert stack.sms.hits > len(stack.sms.messages) == 4
    assert not stack.sweep.errors


def test_a_text_that_keeps_failing_ends_failed_and_an_admin_retry_sends_it_once(stack, recipients):
    stack.configure(DELIVERY_MAX_ATTEMPTS=3)
    stack.sms.set_mode("error500")
    pool = stack.workers(2)
    mail_id, text_id = queue_messages(recipients(1))

    def text_failed() -> bool:
        return _texts()[0].status == "failed"

    _sweep_until(stack, pool, text_failed, timeout=15, what="the SMS to fail for good")
    row = _texts()[0]
    assert row.attempts == 3 and "answered 500" in row.last_error
    assert row.next_attempt_at is None
    assert [e.outcome for e in attempt_log(text_id)] == ["retry", "retry", "failed"]
    # Given up means given up: more sweeps (past the grace and any backoff) leave it alone.
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        stack.sweep()
        time.sleep(0.1)
    assert _texts()[0].status == "failed" and stack.sms.hits == 3

    stack.sms.set_mode("ok")  # the gateway is fixed; an admin presses "retry"
    assert not retry_failed(mail_id), "a sent message cannot be retried"
    assert retry_failed(text_id)
    db.session.commit()
    stack.wait_all_sent(pool, timeout=15)
    stack.assert_exactly_once(allow_failed_before={text_id}, expect_attempts={text_id: 1})
    assert [e.outcome for e in attempt_log(text_id)] == ["retry", "retry", "failed", "sent"]
    assert stack.sms.hits == 4 and len(stack.sms.messages) == 1
    assert not stack.sweep.errors
