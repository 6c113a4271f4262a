"""Delivery jobs reach the real queue (Valkey) only after the request's commit: a request that
rolls back enqueues nothing, even when a savepoint inside it was released; a committed one
enqueues each new outbox row exactly once."""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext

from rq import Queue
from sqlalchemy import select, text

from servicedesk.auth.models import User
from servicedesk.extensions import db
from servicedesk.jobs.queues import DELIVER_QUEUE, redis_connection
from servicedesk.notifications.models import Notification
from servicedesk.notifications.outbox import queue_notification
from servicedesk.tickets import casework
from tests.notifications.conftest import outbox
from tests.tickets.conftest import act, file_ticket, reference_from


def _queued_ids(app) -> Counter:
    """How many delivery jobs wait in Valkey for each outbox row."""
    deliver = Queue(DELIVER_QUEUE, connection=redis_connection(app))
    return Counter(job.args[0] for job in deliver.jobs)


def _empty_queue(app) -> None:
    Queue(DELIVER_QUEUE, connection=redis_connection(app)).empty()


def test_a_request_that_rolls_back_enqueues_nothing(app, park, client_for, redis_url):
    contact_id = park.contact.id

    @app.post("/test/half-done")
    def half_done():
        # As the sweep does: rows written, one of them in a per-ticket savepoint that is
        # released; then the request fails and everything is undone.
        contact = db.session.get(User, contact_id)
        for key in ("half-done:1", "half-done:2"):
            with db.session.begin_nested() if key.endswith("2") else nullcontext():
                queue_notification(
                    key=key,
                    kind="ticket_auto_closed",
                    recipient=contact,
                    channel="email",
                    context={"ref": "GC-2026-000001"},
                )
        db.session.rollback()
        return "undone", 409

    member = client_for(park.member)
    assert member.post("/test/half-done").status_code == 409
    assert _queued_ids(app) == Counter()
    assert (
        db.session.scalars(
            select(Notification).where(Notification.key.startswith("half-done"))
        ).all()
        == []
    )


def test_an_action_undone_by_a_racing_write_enqueues_nothing(
    app, park, client_for, redis_url, monkeypatch
):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    before = {row.id for row in outbox(ref)}
    _empty_queue(app)
    real_sign = casework.sign

    def sign_while_someone_else_writes(actor, ticket_, **kwargs):
        with db.engine.begin() as other_connection:  # another worker commits first
            other_connection.execute(
                text("UPDATE ticket SET version = version + 1 WHERE reference = :ref"), {"ref": ref}
            )
        return real_sign(actor, ticket_, **kwargs)

    monkeypatch.setattr(casework, "sign", sign_while_someone_else_writes)
    response = act(client_for(park.member), ref, "sign")
    assert "was changed by someone else" in response.get_data(as_text=True)
    assert {row.id for row in outbox(ref)} == before
    assert _queued_ids(app) == Counter()


def test_a_committed_request_enqueues_each_new_row_once(app, park, client_for, redis_url):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    filed = {row.id for row in outbox(ref)}
    assert filed and _queued_ids(app) == Counter(filed)  # the filing's own messages, once each
    _empty_queue(app)

    assert act(client_for(park.member), ref, "sign").status_code == 302
    new = {row.id for row in outbox(ref)} - filed
    assert new, "signing tells the enterprise"
    assert _queued_ids(app) == Counter(new)
