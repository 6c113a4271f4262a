"""The admin's health page of the background work: it always answers, and says what is wrong."""

from __future__ import annotations

import pytest

from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.models import Notification


@pytest.fixture
def admin_client(app, park, client_for):
    app.config["REDIS_URL"] = None
    return client_for(park.admin)


def _failed_message(park) -> None:
    db.session.add(
        Notification(
            key="health:1",
            kind="escalation",
            recipient_id=park.member.id,
            channel="email",
            address=park.member.email,
            locale="en",
            subject="s",
            body_text="b",
            status="failed",
            last_error="550 mailbox unavailable",
        )
    )
    db.session.commit()


def test_without_redis_the_page_says_nothing_runs(park, admin_client):
    _failed_message(park)
    response = admin_client.get("/admin/health")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "REDIS_URL is not set" in page
    assert "No sweep has finished yet." in page
    assert "No sweep has finished in the last three intervals" in page
    assert "1 messages failed." in page
    assert 'href="/admin/deliveries?status=failed"' in page
    assert 'id="outbox-failed"' in page


def test_the_last_sweep_is_shown(park, admin_client):
    tick()
    page = admin_client.get("/admin/health").get_data(as_text=True)
    assert "Tickets looked at" in page and "Steps fired" in page
    assert "No sweep has finished in the last three intervals" not in page


def test_an_unreachable_redis_is_reported_not_crashed_on(app, park, admin_client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = admin_client.get("/admin/health")
    assert response.status_code == 200
    assert "Redis cannot be reached" in response.get_data(as_text=True)


def test_a_report_that_breaks_is_shown_as_such(park, admin_client, monkeypatch):
    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setattr("servicedesk.jobs.health.health_report", broken)
    response = admin_client.get("/admin/health")
    assert response.status_code == 200
    assert "The health report could not be built: database on fire" in response.get_data(
        as_text=True
    )


def test_with_a_real_valkey_the_queues_and_workers_show(park, admin_client, redis_url):
    tick()
    page = admin_client.get("/admin/health").get_data(as_text=True)
    assert "REDIS_URL is not set" not in page and "cannot be reached" not in page
    assert "Jobs waiting" in page
    assert ">deliver<" in page and ">sweep<" in page
    assert "No worker is running." in page


def test_a_registered_worker_shows_with_its_heartbeat(park, admin_client, redis_url):
    from rq import Worker

    from servicedesk.jobs.queues import WORKER_QUEUES, queue, redis_connection

    connection = redis_connection()
    worker = Worker(
        [queue(name, connection) for name in WORKER_QUEUES],
        connection=connection,
        name="test-worker-on-loopback",
    )
    worker.register_birth()
    worker.set_state("idle")
    worker.heartbeat()
    try:
        page = admin_client.get("/admin/health").get_data(as_text=True)
    finally:
        worker.register_death()
    assert "test-worker-on-loopback" in page
    assert ">idle<" in page
    assert "No worker is running" not in page
