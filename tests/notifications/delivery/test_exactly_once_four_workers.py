"""Four workers race for a few hundred messages: each goes out once, none twice."""

import time

import pytest

from servicedesk.jobs.periodic import tick
from servicedesk.jobs.queues import enqueue_deliveries
from tests.notifications.delivery.conftest import (
    attempt_log,
    folded,
    overdue_ticket,
    queue_messages,
    rows,
)

pytestmark = pytest.mark.workers


def test_four_workers_send_three_hundred_messages_each_exactly_once(stack, recipients):
    people = recipients(150)
    pool = stack.workers(4)
    started = time.monotonic()
    # Written in three transactions while the workers are already taking jobs, so claims,
    # marks and new rows interleave. RQ delivers at least once: every row gets a second job
    # at once (and the sweep re-enqueues rows still pending after the grace period), so
    # workers race for the same rows and only the claim keeps each message single.
    ids = []
    for part in (people[:50], people[50:100], people[100:]):
        batch = queue_messages(part)
        assert enqueue_deliveries(batch) == len(batch)
        ids += batch
    assert len(ids) == 300
    sent = stack.wait_all_sent(pool, timeout=60)
    elapsed = time.monotonic() - started

    assert len(sent) == 300
    stack.assert_exactly_once()
    assert all(row.attempts == 1 for row in sent)
    assert all([entry.outcome for entry in attempt_log(row.id)] == ["sent"] for row in sent)
    assert len(stack.smtp.messages) == 150 and len(stack.sms.messages) == 150
    # Every worker took a share, and the job log names the job of every delivery.
    workers_used = {entry.worker for row in sent for entry in attempt_log(row.id)}
    assert workers_used == {w.name for w in pool.workers}, workers_used
    assert all(
        entry.job_id and entry.job_id.startswith("deliver-")
        for row in sent
        for entry in attempt_log(row.id)
    )
    assert not stack.sweep.errors
    # The duplicate jobs did run, and lost the claim.
    assert pool.log_text().count(": not claimed") >= 300
    slowest = max(entry.duration_ms for row in sent for entry in attempt_log(row.id))
    print(f"300 messages by 4 workers in {elapsed:.1f} s; slowest delivery {slowest} ms")


def test_four_workers_send_folded_reminders_and_summaries_once(
    app, stack, reachable_park, client_for, monkeypatch
):
    """The sweep's messages (several deadlines per ticket in one, a summary for a pile) race
    through four workers with a duplicate job each: each arrives once, none twice."""
    monkeypatch.setitem(app.config, "REMINDER_SUMMARY_OVER", 3)
    park = reachable_park
    pool = stack.workers(4)
    refs = [overdue_ticket(park, client_for, days_late=3) for _ in range(4)]
    report = tick()
    assert not report.errors
    written = [row for row in rows() if row.kind in ("escalation", "escalation_summary")]
    summaries = [row for row in written if row.kind == "escalation_summary"]
    assert summaries and {row.digest_id for row in folded()} == {row.id for row in summaries}
    assert enqueue_deliveries([row.id for row in written]) == len(written)  # a second job each

    sent = stack.wait_all_sent(pool, timeout=40)
    stack.assert_exactly_once()
    assert all([entry.outcome for entry in attempt_log(row.id)] == ["sent"] for row in sent)
    texts = [sms for sms in stack.sms.messages if sms.idempotency_key.startswith("escsum:")]
    assert len(texts) == len({sms.idempotency_key for sms in texts}) > 0
    assert all(
        ref not in str(row.body_text) for row in summaries if row.channel == "sms" for ref in refs
    )
    assert not stack.sweep.errors
