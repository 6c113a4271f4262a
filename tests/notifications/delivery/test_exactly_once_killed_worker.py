"""A worker SIGKILLed in the middle of a send: its row is re-claimed after the lease and
delivered once; the message the dead worker was handing over never counts."""

from datetime import timedelta

import pytest

from servicedesk.extensions import db
from servicedesk.jobs.queues import enqueue_deliveries
from servicedesk.notifications.delivery import message_id
from servicedesk.notifications.models import Notification
from tests.notifications.delivery.conftest import attempt_log, queue_messages, rows

pytestmark = pytest.mark.workers


def test_a_worker_killed_mid_send_leaves_a_row_that_is_delivered_once_after_the_lease(
    stack, recipients
):
    # A long SMTP timeout: the worker must still be waiting for the answer when it dies.
    stack.configure(MAIL_TIMEOUT=30)
    people = recipients(3)
    stack.smtp.set_mode("stall")  # the server takes the message and holds its answer to DATA
    doomed = stack.workers(1)
    ids = queue_messages(people[:1], channels=("email",), batch="first")
    stack.smtp.wait_until_stalled(1, timeout=15)
    stuck = db.session.get(Notification, ids[0])
    db.session.refresh(stuck)
    assert (stuck.status, stuck.attempts) == ("sending", 1)
    claimed_at, stuck_mid = stuck.claimed_at, message_id(stuck)
    rescuer = stack.workers(1)  # idle: the only job is in the doomed worker's hands

    victim = doomed.workers[0]
    doomed.kill(victim)  # SIGKILL: no except, no finally, no goodbye to the SMTP server
    stack.smtp.release(accept=True)  # the server would now say 250, but its client is gone
    # A second job for the stuck row, as RQ may hand out (it delivers at least once): it
    # runs at once, while the lease still stands, and must leave the row to its dead owner.
    assert enqueue_deliveries([ids[0]]) == 1
    more = queue_messages(people[1:], batch="more")  # meanwhile, new work arrives
    refused = f"notification {ids[0]} ticket - email: not claimed"
    rescuer.wait_until(
        lambda: refused in rescuer.log_text(),
        timeout=10,
        what="the duplicate job to be refused the claim",
    )
    assert stuck_mid not in stack.smtp.message_ids(), (
        "the stand-in counted a message whose client died before the answer"
    )

    sent = stack.wait_all_sent(rescuer, timeout=25)  # sweeping: the lease runs out
    assert len(sent) == 1 + len(more)
    stack.assert_exactly_once(expect_attempts={ids[0]: 2})  # the lost claim counts, unlogged

    row = next(r for r in rows() if r.id == ids[0])
    log = attempt_log(row.id)
    assert [entry.outcome for entry in log] == ["sent"]
    assert log[0].worker == rescuer.workers[0].name
    lease = timedelta(seconds=stack.app.config["DELIVERY_LEASE_SECONDS"])
    assert row.claimed_at >= claimed_at + lease, "re-claimed before the lease ran out"
    assert not victim.alive and victim.process.returncode == -9
    assert not stack.sweep.errors
