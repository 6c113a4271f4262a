"""Staff see a ticket's card in the queues and on the ticket, and every reminder with its reason;
the enterprise sees neither."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.clock import utcnow
from servicedesk.escalation.models import EscalationFiring
from servicedesk.escalation.sweep import run_sweep
from servicedesk.extensions import db
from servicedesk.notifications.models import Notification
from servicedesk.tickets.deadlines import refresh_deadlines
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def squash(html: str) -> str:
    """The page with every run of white space made one space."""
    return " ".join(html.split())


def _file(park, client_for, title="缺少施工用电"):
    return reference_from(file_ticket(client_for(park.contact), park.category, title=title))


def _note(ticket_id: int, recipient, *, key: str, **values) -> Notification:
    row = Notification(
        key=key,
        ticket_id=ticket_id,
        recipient_id=recipient.id,
        locale="en",
        subject="About your ticket",
        body_text="...",
        **{"kind": "escalation", "channel": "email", "address": recipient.email, **values},
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_staff_see_the_card_in_the_queue_and_on_the_ticket(park, client_for):
    yellow, calm = _file(park, client_for, "黄牌工单"), _file(park, client_for, "平安工单")
    ticket(yellow).card = "yellow"
    db.session.commit()
    member = client_for(park.member)
    queue = member.get("/tickets/queue?view=open").get_data(as_text=True)
    assert queue.count("card-badge") == 1
    row = queue[queue.index(yellow) : queue.index("</tr>", queue.index(yellow))]
    assert 'text-bg-warning card-badge card-yellow">Yellow card<' in row
    assert calm in queue
    for person in (park.member, park.lead, park.supervisor, park.dispatcher):
        page = client_for(person).get(f"/tickets/{yellow}").get_data(as_text=True)
        assert "card-yellow" in page, person.name
    assert "card-badge" not in member.get(f"/tickets/{calm}").get_data(as_text=True)


def test_red_and_blue_cards_have_their_colours(park, client_for):
    red, blue = _file(park, client_for), _file(park, client_for)
    for ref, card in ((red, "red"), (blue, "blue")):
        ticket(ref).card = card
        db.session.commit()
    queue = client_for(park.lead).get("/tickets/queue?view=open").get_data(as_text=True)
    assert 'text-bg-danger card-badge card-red">Red card<' in queue
    assert 'text-bg-primary card-badge card-blue">Blue card<' in queue


def test_the_enterprise_sees_no_card_and_no_reminders(park, client_for):
    ref = _file(park, client_for)
    t = ticket(ref)
    t.card = "red"
    _note(t.id, park.member, key="k1", reason={"stage": "resolve", "level": "red"})
    contact = client_for(park.contact)
    page = contact.get(f"/tickets/{ref}").get_data(as_text=True)
    assert "card-badge" not in page and "Red card" not in page
    assert "Reminders and messages" not in page and "About your ticket" not in page
    assert "card-badge" not in contact.get("/tickets/mine").get_data(as_text=True)


def _overdue_by_an_hour(park, client_for):
    """A signed, answered ticket whose resolve deadline passed an hour ago."""
    ref = _file(park, client_for)
    member = client_for(park.member)
    assert act(member, ref, "sign").status_code == 302
    assert act(member, ref, "reply", body="已联系供电公司。").status_code == 302
    t = ticket(ref)
    now = utcnow()
    t.clock_started_at = now - timedelta(days=20)
    t.resolve_due_at = now - timedelta(hours=1)
    refresh_deadlines(t)
    db.session.commit()
    return ref


def test_the_sweep_raises_the_card_and_the_panel_says_why(park, client_for):
    ref = _overdue_by_an_hour(park, client_for)
    run_sweep(utcnow())
    assert ticket(ref).card == "yellow"
    page = client_for(park.lead).get(f"/tickets/{ref}").get_data(as_text=True)
    # The timeline records the card (internal), the header shows it.
    timeline = squash(page[page.index("Timeline") : page.index('id="reminders"')])
    assert (
        'Card raised: <span class="badge text-bg-warning card-badge card-yellow">Yellow card<'
        in timeline
    )
    assert "Card: No card → Yellow card" in timeline
    # The panel: both steps fired, the red card still to come, the messages and why.
    panel = squash(page[page.index('id="reminders"') :])
    assert "Steps already fired" in panel
    assert "Resolution deadline · Blue card: due" in panel
    assert "Resolution deadline · Yellow card: due" in panel
    assert "Resolution deadline · Red card: " in panel[: panel.index("Steps already fired")]
    rows = db.session.scalars(
        db.select(Notification).where(
            Notification.ticket_id == ticket(ref).id, Notification.kind == "escalation"
        )
    ).all()
    assert rows, "the sweep wrote no reminders"
    for row in rows:
        assert f'id="notification-{row.id}"' in panel
    assert panel.count("Escalation reminder") == len(rows)
    assert "Member Wang" in panel and "Lead Li" in panel
    contact_page = client_for(park.contact).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "Card raised" not in contact_page and "Yellow card" not in contact_page


def test_the_panel_lists_every_message_with_its_status_and_reason(park, client_for):
    ref = _file(park, client_for)
    t = ticket(ref)
    now = utcnow()
    _note(
        t.id,
        park.member,
        key="a",
        status="sent",
        attempts=1,
        sent_at=now,
        reason={"stage": "sign", "level": "blue", "repeat_no": 0, "epoch": 1},
    )
    _note(
        t.id,
        park.lead,
        key="b",
        channel="sms",
        address="13800000004",
        status="held",
        hold_reason="quiet_hours",
        next_attempt_at=now + timedelta(hours=8),
        reason={"stage": "resolve", "level": "repeat", "repeat_no": 3, "epoch": 1},
    )
    _note(
        t.id,
        park.contact,
        key="c",
        kind="ticket_reply",
        status="failed",
        attempts=8,
        last_error="550 mailbox unavailable",
        reason={"event": "replied"},
    )
    _note(
        t.id,
        park.second_member,
        key="d",
        status="cancelled",
        last_error="ticket closed",
        reason={"stage": "resolve", "level": "yellow"},
    )
    _note(
        t.id,
        park.lead,
        key="e",
        channel="sms",
        address=None,
        status="failed",
        last_error="no mobile number on file",
        reason={"stage": "resolve", "level": "red"},
    )
    db.session.add(
        EscalationFiring(
            ticket_id=t.id,
            clock_epoch=t.clock_epoch - 1,
            stage="sign",
            level="yellow",
            repeat_no=0,
            due_at=now - timedelta(days=3),
            fired_at=now,
        )
    )
    db.session.commit()
    page = client_for(park.member).get(f"/tickets/{ref}").get_data(as_text=True)
    panel = squash(page[page.index('id="reminders"') :])
    for text in (
        "Sign-for deadline · Blue card",
        "Resolution deadline · daily reminder no. 3",
        "Ticket event: Reply from the task force",
        "Resolution deadline · Yellow card",
        "Resolution deadline · Red card",
        ">Sent<",
        ">Held<",
        ">Failed<",
        ">Cancelled<",
        "Held for the SMS quiet hours",
        "550 mailbox unavailable",
        "ticket closed",
        "no mobile number on file",
        "no address",
        "13800000004",
        "Reply from the task force",
        "SMS",
        "E-mail",
        "Sign-for deadline · Yellow card: due",
        "an earlier clock",
    ):
        assert text in panel, text
    # Newest first.
    assert panel.index('id="notification-') == panel.index(
        f'id="notification-{max(r.id for r in db.session.scalars(db.select(Notification)))}"'
    )
    # Only admins get the link to the delivery log.
    assert "Open in the delivery log" not in panel


def test_admins_can_open_the_tickets_messages_in_the_delivery_log(park, client_for):
    ref = _file(park, client_for)
    page = client_for(park.admin).get(f"/tickets/{ref}").get_data(as_text=True)
    assert f'href="/admin/deliveries?ticket={ref}"' in page


def test_a_resolved_ticket_has_nothing_due(park, client_for):
    ref = _file(park, client_for)
    member = client_for(park.member)
    act(member, ref, "sign")
    act(member, ref, "resolve", summary="已办结")
    page = member.get(f"/tickets/{ref}").get_data(as_text=True)
    assert "No reminder is due" in page
    assert "No step of the escalation ladder has fired yet." in page


def test_chinese_readers_see_the_cards_by_their_chinese_names(park, client_for):
    ref = _file(park, client_for)
    ticket(ref).card = "red"
    park.member.locale = "zh_CN"
    db.session.commit()
    queue = client_for(park.member).get("/tickets/queue?view=open").get_data(as_text=True)
    assert 'card-red">红牌<' in queue
