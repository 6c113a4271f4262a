"""Four workers race for a few hundred messages: each goes out once, none twice."""

import time

import pytest

from servicedesk.jobs.queues import enqueue_deliveries
from tests.notifications.delivery.conftest import attempt_log, queue_messages

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
