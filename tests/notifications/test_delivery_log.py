"""The admin reads the delivery log: every message, filtered, paginated, with its attempts, and
sends failed ones again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.notifications.models import DeliveryAttempt, Notification
from tests.conftest import csrf_token_from
from tests.tickets.conftest import file_ticket, reference_from, ticket

_keys = iter(range(1, 10**6))


def message(recipient, subject: str, **values) -> int:
    """Write one outbox row directly; returns its id."""
    row = Notification(
        **{
            "key": f"test:{next(_keys)}",
            "kind": "escalation",
            "recipient_id": recipient.id,
            "channel": "email",
            "address": recipient.email,
            "locale": "en",
            "subject": subject,
            "body_text": subject,
            "status": "sent",
            "created_at": utcnow(),
            **values,
        }
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def state(notification_id: int) -> tuple:
    """(status, attempts, last error, next attempt) as stored now."""
    db.session.expire_all()
    row = db.session.get(Notification, notification_id)
    assert row is not None
    values = (row.status, row.attempts, row.last_error, row.next_attempt_at)
    db.session.rollback()
    return values


@pytest.fixture
def admin_client(park, client_for):
    return client_for(park.admin)


def test_the_log_shows_messages_newest_first_with_every_attempt(park, admin_client):
    now = utcnow()
    older = message(park.member, "OLDER-MESSAGE", created_at=now - timedelta(hours=2))
    newer = message(
        park.lead,
        "NEWER-MESSAGE",
        created_at=now - timedelta(hours=1),
        attempts=2,
        sent_at=now,
        reason={"stage": "resolve", "level": "yellow", "repeat_no": 0},
    )
    for minutes_ago, outcome, detail, worker, job_id, duration_ms in (
        (50, "retry", "451 try again later", "worker-one", "deliver-7-abcdef", 120),
        (40, "sent", "<gc-7@park>", "worker-two", "deliver-7-123456", 35),
    ):
        db.session.add(
            DeliveryAttempt(
                notification_id=newer,
                attempted_at=now - timedelta(minutes=minutes_ago),
                outcome=outcome,
                detail=detail,
                worker=worker,
                job_id=job_id,
                duration_ms=duration_ms,
            )
        )
    db.session.commit()
    page = admin_client.get("/admin/deliveries").get_data(as_text=True)
    assert page.index("NEWER-MESSAGE") < page.index("OLDER-MESSAGE")
    newer_part = page[
        page.index(f'id="notification-{newer}"') : page.index(f'id="notification-{older}"')
    ]
    for text in (
        "Lead Li",
        park.lead.email,
        "Escalation reminder",
        "Resolution deadline · Yellow card",
        "Delivery attempts: 2",
        "Failed, will retry",
        "451 try again later",
        "worker-one",
        "deliver-7-abcdef",
        "120 ms",
        "worker-two",
        "35 ms",
    ):
        assert text in newer_part, text
    older_part = page[page.index(f'id="notification-{older}"') :]
    assert "No worker has tried to deliver it yet." in older_part


def test_filters_narrow_the_log(park, client_for, admin_client):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    other_ref = reference_from(file_ticket(client_for(park.contact), park.category))
    on_ticket, on_other = ticket(ref).id, ticket(other_ref).id
    db.session.rollback()
    message(
        park.member,
        "M-FAILED-SMS",
        status="failed",
        channel="sms",
        address="13800000002",
        last_error="gateway said 500",
        ticket_id=on_ticket,
    )
    message(park.lead, "M-SENT-MAIL", kind="ticket_assigned", ticket_id=on_other)
    message(
        park.supervisor,
        "M-HELD-SMS",
        status="held",
        channel="sms",
        address="13800000005",
        hold_reason="daily_cap",
    )

    def shown(**filters) -> set[str]:
        page = admin_client.get("/admin/deliveries", query_string=filters).get_data(as_text=True)
        assert "Please correct" not in page
        return {m for m in ("M-FAILED-SMS", "M-SENT-MAIL", "M-HELD-SMS") if m in page}

    assert shown() == {"M-FAILED-SMS", "M-SENT-MAIL", "M-HELD-SMS"}
    assert shown(status="failed") == {"M-FAILED-SMS"}
    assert shown(status="held") == {"M-HELD-SMS"}
    assert shown(channel="sms") == {"M-FAILED-SMS", "M-HELD-SMS"}
    assert shown(kind="ticket_assigned") == {"M-SENT-MAIL"}
    assert shown(recipient="lead li") == {"M-SENT-MAIL"}  # by name, any case
    assert shown(recipient=park.supervisor.email) == {"M-HELD-SMS"}  # by e-mail
    assert shown(recipient="13800000002") == {"M-FAILED-SMS"}  # by the address used
    assert shown(recipient="%") == set()  # no wildcard sneaks in
    assert shown(ticket=ref) == {"M-FAILED-SMS"}
    assert shown(ticket=other_ref.lower()) == {"M-SENT-MAIL"}
    assert shown(ticket="GC-1999-000001") == set()
    assert shown(status="failed", channel="email") == set()
    page = admin_client.get("/admin/deliveries?status=held").get_data(as_text=True)
    assert (
        "Held: the person&#39;s daily SMS limit was reached" in page
        or "Held: the person's daily SMS limit was reached" in page
    )
    failed = admin_client.get("/admin/deliveries?status=failed").get_data(as_text=True)
    assert "gateway said 500" in failed


def test_the_date_range_counts_park_days(park, admin_client):
    # 17:00 UTC on 1 March is already 01:00 on 2 March in Shanghai.
    message(park.member, "LATE-EVENING", created_at=datetime(2026, 3, 1, 15, 0))
    message(park.member, "JUST-AFTER-MIDNIGHT", created_at=datetime(2026, 3, 1, 17, 0))

    def shown(**filters) -> set[str]:
        page = admin_client.get("/admin/deliveries", query_string=filters).get_data(as_text=True)
        return {m for m in ("LATE-EVENING", "JUST-AFTER-MIDNIGHT") if m in page}

    assert shown(date_from="2026-03-02") == {"JUST-AFTER-MIDNIGHT"}
    assert shown(date_to="2026-03-01") == {"LATE-EVENING"}
    assert shown(date_from="2026-03-01", date_to="2026-03-02") == {
        "LATE-EVENING",
        "JUST-AFTER-MIDNIGHT",
    }


@pytest.mark.parametrize(
    ("filters", "text"),
    [
        ({"date_from": "2026-13-45"}, "Not a valid date value"),
        (
            {"date_from": "2026-03-05", "date_to": "2026-03-01"},
            "The end of the range is before its start.",
        ),
        ({"status": "lost"}, "Not a valid choice"),
        ({"channel": "pigeon"}, "Not a valid choice"),
        ({"ticket": "GC-2026-0000001234567890"}, "Field cannot be longer than 20 characters"),
        ({"recipient": "x" * 101}, "Field cannot be longer than 100 characters"),
        ({"page": "abc"}, "ANYTHING-SHOWN"),
        ({"page": "99"}, "No messages match these filters."),
    ],
)
def test_bad_filters_are_explained_not_crashed_on(park, admin_client, filters, text):
    message(park.member, "ANYTHING-SHOWN")
    response = admin_client.get("/admin/deliveries", query_string=filters)
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


def test_the_log_is_paginated_and_keeps_the_filters(app, park, admin_client):
    app.config["DELIVERIES_PER_PAGE"] = 5
    start = utcnow() - timedelta(days=1)
    for n in range(12):
        message(park.second_member, f"PAGED-{n:02d}-", created_at=start + timedelta(minutes=n))
    message(park.lead, "NOT-PAGED-")

    def on_page(number: int) -> tuple[list[str], str]:
        page = admin_client.get(
            "/admin/deliveries", query_string={"recipient": "Member Zhao", "page": number}
        ).get_data(as_text=True)
        return [f"PAGED-{n:02d}-" for n in range(12) if f"PAGED-{n:02d}-" in page], page

    first, html = on_page(1)
    assert first == [f"PAGED-{n:02d}-" for n in (7, 8, 9, 10, 11)]
    assert "12 messages" in html and "NOT-PAGED-" not in html
    assert "recipient=Member+Zhao&amp;page=2" in html or "page=2&amp;recipient=Member+Zhao" in html
    assert on_page(3)[0] == ["PAGED-00-", "PAGED-01-"]


def test_retry_turns_a_failed_message_pending_and_enqueues_it_after_the_commit(
    park, admin_client, monkeypatch
):
    enqueued: list[list[int]] = []
    monkeypatch.setattr(
        "servicedesk.jobs.queues.enqueue_deliveries",
        lambda ids: enqueued.append(list(ids)) or len(ids),
    )
    failed = message(
        park.member,
        "WILL-RETRY",
        status="failed",
        attempts=8,
        last_error="550 mailbox unavailable",
        next_attempt_at=None,
    )
    page = admin_client.get("/admin/deliveries?status=failed").get_data(as_text=True)
    assert "550 mailbox unavailable" in page and ">Retry<" in page
    response = admin_client.post(
        "/admin/deliveries/retry", data={"notification_id": str(failed)}, follow_redirects=True
    )
    assert "The message will be sent again in a moment." in response.get_data(as_text=True)
    status, attempts, error, next_attempt = state(failed)
    assert (status, attempts, error) == ("pending", 0, None)
    assert next_attempt is not None
    assert [failed] in enqueued


@pytest.mark.parametrize("case", ["sent", "no address", "missing", "letters", "empty"])
def test_retry_refuses_what_it_cannot_retry(park, admin_client, case):
    row = message(
        park.member,
        "NOT-RETRIED",
        status="sent" if case == "sent" else "failed",
        address=None if case == "no address" else park.member.email,
        last_error=None if case == "sent" else "no e-mail address on file",
    )
    before = state(row)
    body = {
        "sent": str(row),
        "no address": str(row),
        "missing": "999999",
        "letters": "x1",
        "empty": "",
    }[case]
    response = admin_client.post(
        "/admin/deliveries/retry", data={"notification_id": body}, follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "cannot be retried" in page or "Nothing was retried" in page
    assert state(row) == before


def test_retry_every_failed_message_the_filters_show(park, admin_client):
    sms = [
        message(
            park.member,
            f"SMS-{n}",
            status="failed",
            channel="sms",
            address="13800000002",
            last_error="timeout",
        )
        for n in range(2)
    ]
    mail = message(park.member, "MAIL-FAILED", status="failed", last_error="550")
    page = admin_client.get("/admin/deliveries?channel=sms&status=failed").get_data(as_text=True)
    assert 'action="/admin/deliveries/retry-failed?channel=sms&amp;status=failed"' in page
    response = admin_client.post(
        "/admin/deliveries/retry-failed?channel=sms&status=failed", follow_redirects=True
    )
    assert "2 failed messages will be sent again in a moment." in response.get_data(as_text=True)
    assert [state(i)[0] for i in sms] == ["pending", "pending"]
    assert state(mail)[0] == "failed"


def test_the_retry_buttons_carry_their_csrf_token(app, park, admin_client):
    app.config["WTF_CSRF_ENABLED"] = True
    row = message(park.member, "CSRF-RETRY", status="failed", last_error="550")
    assert (
        admin_client.post("/admin/deliveries/retry", data={"notification_id": str(row)}).status_code
        == 400
    )
    page = admin_client.get("/admin/deliveries").get_data(as_text=True)
    response = admin_client.post(
        "/admin/deliveries/retry",
        data={"notification_id": str(row), "csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 302
    assert state(row)[0] == "pending"


@pytest.mark.parametrize("who", ["member", "lead", "supervisor", "dispatcher", "contact"])
def test_only_admins_reach_the_delivery_log(park, client_for, who):
    row = message(park.member, "SECRET-LOG", status="failed", last_error="550")
    client = client_for(getattr(park, who))
    assert client.get("/admin/deliveries").status_code == 404
    assert client.get("/admin/health").status_code == 404
    assert (
        client.post("/admin/deliveries/retry", data={"notification_id": str(row)}).status_code
        == 404
    )
    assert client.post("/admin/deliveries/retry-failed").status_code == 404
    assert state(row)[0] == "failed"
