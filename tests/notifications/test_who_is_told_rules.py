"""The rules every message follows: nobody is told about their own action, rows are written with
the commit that makes them true (and delivery is asked for only after it), preferences are
honoured, and closing a ticket stops its pending reminders."""

from sqlalchemy import func, select

from servicedesk.extensions import db
from servicedesk.jobs import queues
from servicedesk.notifications.models import DeliveryStatus, Notification
from servicedesk.notifications.outbox import queue_notification
from servicedesk.tickets import casework, services
from servicedesk.tickets.models import TicketEvent
from tests.notifications.conftest import outbox, told
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def test_nobody_is_told_about_their_own_action(app, phones, client_for):
    park = phones
    enterprise, lead = client_for(park.contact), client_for(park.lead)
    supervisor = client_for(park.supervisor)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(lead, ref, "sign")  # the lead takes the ticket personally
    act(lead, ref, "reply", body="我来负责。")
    act(lead, ref, "request_extension", working_days="2", reason="等待排期")
    act(supervisor, ref, "decide_extension", decision="approve", note="")
    act(enterprise, ref, "enterprise_reply", body="好的。")
    act(lead, ref, "resolve", summary="已处理。")
    act(enterprise, ref, "reopen", reason="没有解决")

    rows = outbox(ref)
    actors = {e.id: e.actor_id for e in db.session.scalars(select(TicketEvent))}
    for row in rows:
        event_id = int(row.key.split(":")[1])
        if row.kind != "ticket_filed_receipt":
            assert row.recipient_id != actors[event_id], (row.kind, row.recipient.name)
    lead_heard = {row.kind for row in rows if row.recipient_id == park.lead.id}
    # Told what others did (the decision, the enterprise's reply, the rework) and nothing else.
    assert lead_heard == {
        "team_new_ticket",
        "extension_decided",
        "enterprise_replied",
        "ticket_reworked",
    }
    assert park.supervisor.id in {r.recipient_id for r in outbox(ref, kind="extension_requested")}
    assert park.supervisor.id not in {r.recipient_id for r in outbox(ref, kind="extension_decided")}


def _count_committed(ids) -> int:
    """Rows another connection can see: what is committed."""
    with db.engine.connect() as other:
        return other.execute(
            select(func.count()).select_from(Notification).where(Notification.id.in_(ids))
        ).scalar_one()


def test_rows_exist_only_after_the_commit_and_delivery_is_asked_for_after_it(
    app, park, client_for, monkeypatch
):
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    enqueued = []

    def enqueue(ids):
        enqueued.append((list(ids), _count_committed(ids)))
        return len(ids)

    monkeypatch.setattr(queues, "enqueue_deliveries", enqueue)
    count = len(outbox(ref))

    # A reply that is rolled back leaves nothing behind and asks for no delivery.
    casework.reply(park.member, ticket(ref), "这条回复不会保存。")
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == count
    db.session.rollback()
    assert len(outbox(ref)) == count and enqueued == []

    # The same reply committed: the row appears with the commit, and only then is it enqueued.
    casework.reply(park.member, ticket(ref), "已联系供电公司。")
    db.session.flush()
    assert len(outbox(ref, kind="ticket_reply")) == 0  # decided at the commit, not before
    db.session.commit()
    rows = outbox(ref, kind="ticket_reply")
    assert [r.recipient_id for r in rows] == [park.contact.id]
    assert enqueued == [([rows[0].id], 1)]  # enqueued once, and the row was already committed


def _preferences(client, *ticked):
    return client.post(
        "/account/notifications", data={"wanted": list(ticked), "submit": "Save my choices"}
    )


def test_a_member_who_switches_new_tickets_off_is_not_told(app, park, client_for):
    member = client_for(park.member)
    response = _preferences(member, "escalation:email", "enterprise_reply:email")
    assert response.status_code == 302
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    told_now = {r for _k, r, _c in told(ref, kind="team_new_ticket")}
    assert park.member.id not in told_now
    assert {park.second_member.id, park.lead.id} <= told_now


def test_an_enterprise_that_switches_sms_off_gets_email_only(app, phones, client_for):
    park = phones
    enterprise = client_for(park.contact)
    assert (
        _preferences(
            enterprise, "progress:email", "info_requested:email", "resolved:email", "resolved:sms"
        ).status_code
        == 302
    )
    member = client_for(park.member)
    ref = reference_from(file_ticket(enterprise, park.category))
    act(member, ref, "sign")
    act(member, ref, "request_info", body="请提供用电负荷清单。")
    assert told(ref, kind="info_requested") == {("info_requested", park.contact.id, "email")}
    act(enterprise, ref, "enterprise_reply", body="见附件。")
    act(member, ref, "resolve", summary="已处理。")
    assert told(ref, kind="ticket_resolved") == {
        ("ticket_resolved", park.contact.id, "email"),
        ("ticket_resolved", park.contact.id, "sms"),
    }


def _escalation_row(ref: str, person, status: str = "pending") -> int:
    t = ticket(ref)
    notification_id = queue_notification(
        key=f"esc:{t.id}:0:resolve:yellow:0:{person.id}:email",
        kind="escalation",
        recipient=person,
        channel="email",
        context={
            "ref": ref,
            "title": t.title,
            "stage": "resolve",
            "card": "yellow",
            "due": "2026-11-20 17:30",
            "url": f"http://x/tickets/{ref}",
        },
        ticket_id=t.id,
        reason={"stage": "resolve", "level": "yellow", "epoch": 0},
    )
    assert notification_id is not None
    row = db.session.get(Notification, notification_id)
    assert row is not None
    row.status = DeliveryStatus(status)
    db.session.commit()
    return notification_id


def test_closing_a_ticket_cancels_its_pending_reminders(app, park, client_for):
    enterprise, member = client_for(park.contact), client_for(park.member)
    ref = reference_from(file_ticket(enterprise, park.category))
    other = reference_from(file_ticket(enterprise, park.category))
    act(member, ref, "sign")
    pending = _escalation_row(ref, park.member)
    sent = _escalation_row(ref, park.lead, status="sent")
    elsewhere = _escalation_row(other, park.member)
    act(member, ref, "resolve", summary="已处理。")
    assert db.session.get(Notification, pending).status == "pending"  # not closed yet
    act(enterprise, ref, "confirm", rating="satisfied", comment="")
    db.session.expire_all()
    cancelled = db.session.get(Notification, pending)
    assert cancelled.status == "cancelled" and cancelled.last_error == "ticket closed"
    assert cancelled.next_attempt_at is None
    assert db.session.get(Notification, sent).status == "sent"  # history stays as it was
    assert db.session.get(Notification, elsewhere).status == "pending"  # another ticket
    # Other messages about the closing ticket are not reminders: they are left alone.
    assert all(r.status == "pending" for r in outbox(ref) if r.kind != "escalation")


def test_withdrawing_a_ticket_cancels_its_pending_reminders(app, park, client_for):
    enterprise = client_for(park.contact)
    ref = reference_from(file_ticket(enterprise, park.category))
    pending = _escalation_row(ref, park.member)
    held = _escalation_row(ref, park.lead, status="held")
    act(enterprise, ref, "withdraw", reason="问题已自行解决")
    assert ticket(ref).status == "withdrawn"
    db.session.expire_all()
    assert db.session.get(Notification, pending).status == "cancelled"
    assert db.session.get(Notification, held).status == "cancelled"


def test_an_internal_event_never_reaches_the_enterprise(app, park, client_for):
    from servicedesk.tickets.models import EventKind

    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    # Even an event of a kind the enterprise hears about stays inside when it is internal.
    services.record_event(
        ticket(ref), park.member, EventKind.REPLIED, public=False, body="仅供内部参考"
    )
    db.session.commit()
    assert told(ref, kind="ticket_reply") == set()


def test_a_message_that_cannot_be_rendered_does_not_undo_the_action(
    app, park, client_for, monkeypatch
):
    from servicedesk.notifications import render

    real = render.render_notification

    def broken(kind, locale, context):
        if kind == "ticket_reply":
            raise render.UnknownNotification("template missing")
        return real(kind, locale, context)

    monkeypatch.setattr("servicedesk.notifications.outbox.render_notification", broken)
    member = client_for(park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(member, ref, "sign")
    assert act(member, ref, "reply", body="已联系。").status_code == 302
    assert ticket(ref).status == "in_progress"  # the reply itself was saved
    # The message is not lost silently: it waits as a failed row an admin sees, with the error.
    rows = db.session.scalars(
        select(Notification).where(
            Notification.kind == "ticket_reply", Notification.ticket_id == ticket(ref).id
        )
    ).all()
    assert rows and all(r.status == "failed" for r in rows)
    assert all("could not render" in r.last_error for r in rows)
    assert told(ref, kind="ticket_signed") != set()
