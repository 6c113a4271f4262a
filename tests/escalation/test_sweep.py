"""The sweep climbs the ladder for due tickets, once, and only for them."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from servicedesk.auth.models import Role
from servicedesk.escalation.models import EscalationFiring, SweepRun
from servicedesk.escalation.sweep import run_sweep
from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.models import Notification
from servicedesk.tickets.deadlines import refresh_deadlines
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _overdue_ticket(park, client_for, *, signed=True, days_late=0, hours_late=1):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    if signed:
        act(client_for(park.member), ref, "sign")
    t = ticket(ref)
    late = t.dispatched_at - timedelta(days=days_late, hours=hours_late)
    # Move the whole clock into the past, as if the ticket had been dispatched long ago.
    shift = t.resolve_due_at - late
    t.clock_started_at -= shift
    t.sign_due_at -= shift
    t.first_contact_due_at -= shift
    t.resolve_due_at = late
    refresh_deadlines(t)
    db.session.commit()
    return ref


def test_a_new_ticket_is_looked_at_once_and_then_left_alone(park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    assert ticket(ref).next_escalation_at is not None  # dispatch asks the sweep to look
    stats = run_sweep()
    assert stats.due_tickets == 1 and stats.firings == 0
    fresh = ticket(ref)
    assert fresh.next_escalation_at > fresh.dispatched_at  # the next rung's time (blue)
    assert run_sweep().due_tickets == 0  # nothing due: the index finds nothing


def test_an_overdue_ticket_gets_its_cards_and_reminders_once(park, client_for, make_user):
    make_user(Role.SUPERVISOR, mobile="13900000009")
    ref = _overdue_ticket(park, client_for, days_late=5)
    stats = tick()
    t = ticket(ref)
    assert t.card == "red"
    levels = {(f.stage, f.level) for f in db.session.scalars(select(EscalationFiring))}
    assert {("resolve", "blue"), ("resolve", "yellow"), ("resolve", "red")} <= levels
    assert stats.notifications == count(Notification, Notification.kind == "escalation") > 0
    raised = [e for e in t.events if e.kind == "card_raised"]
    assert len(raised) == 1 and raised[0].changes == {"card": ["none", "red"]}
    assert not raised[0].public
    # A second pass writes nothing new.
    again = tick()
    assert again.firings == 0 and again.notifications == 0
    assert count(SweepRun) == 2


def test_two_sweeps_at_the_same_moment_write_every_reminder_once(park, client_for):
    refs = [_overdue_ticket(park, client_for, days_late=3) for _ in range(3)]
    from flask import current_app

    app = current_app._get_current_object()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        with app.app_context():
            try:
                barrier.wait()
                results.append(tick())
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert [r.errors for r in results] == [[], []]
    keys = db.session.scalars(
        select(Notification.key).where(Notification.kind == "escalation")
    ).all()
    assert len(keys) == len(set(keys)) > 0
    assert sum(r.notifications for r in results) == len(keys)
    assert sum(r.firings + r.superseded for r in results) == count(EscalationFiring)
    assert all(ticket(ref).card == "red" for ref in refs)


def test_a_paused_ticket_is_not_escalated(park, client_for):
    ref = _overdue_ticket(park, client_for, days_late=3)
    act(client_for(park.member), ref, "request_info", body="请补充材料")
    assert ticket(ref).next_escalation_at is None
    stats = run_sweep()
    assert stats.firings == 0 and ticket(ref).card == "none"


def test_signing_stops_the_sign_for_ladder(park, client_for):
    ref = _overdue_ticket(park, client_for, signed=False, days_late=0, hours_late=2)
    run_sweep()
    signs = {
        f.level
        for f in db.session.scalars(
            select(EscalationFiring).where(EscalationFiring.stage == "sign")
        )
    }
    assert "yellow" in signs
    act(client_for(park.member), ref, "sign")
    before = count(EscalationFiring, EscalationFiring.stage == "sign")
    run_sweep(ticket(ref).sign_due_at + timedelta(days=10))
    assert count(EscalationFiring, EscalationFiring.stage == "sign") == before


def _firings(ref):
    db.session.expire_all()
    rows = db.session.scalars(
        select(EscalationFiring).where(EscalationFiring.ticket_id == ticket(ref).id)
    )
    return {(f.stage, f.level): f.superseded for f in rows}


def _levels_told(ref):
    rows = db.session.scalars(
        select(Notification).where(
            Notification.ticket_id == ticket(ref).id, Notification.kind == "escalation"
        )
    )
    return {(stage, level) for row in rows for stage, level, _ in row.reason["steps"]}


def test_a_ticket_found_long_overdue_gets_only_its_red_card(park, client_for, make_user):
    make_user(Role.SUPERVISOR, mobile="13900000009")
    ref = _overdue_ticket(park, client_for, days_late=5)
    stats = run_sweep()
    firings = _firings(ref)
    # Blue and yellow are recorded as superseded (never sent), red went out.
    assert firings[("resolve", "blue")] is True and firings[("resolve", "yellow")] is True
    told = {level for stage, level in _levels_told(ref) if stage == "resolve"}
    assert len(told) == 1 and told <= {"red", "repeat"}  # the highest step due: red or later
    assert firings[("resolve", told.pop())] is False
    assert stats.superseded >= 2 and ticket(ref).card == "red"
    # The panel shows the superseded steps to staff.
    page = client_for(park.lead).get(f"/tickets/{ref}").get_data(as_text=True)
    assert "superseded" in page and "by a higher step of the same deadline" in page


def test_a_blue_still_unfired_after_the_yellow_card_is_superseded(park, client_for):
    ref = _overdue_ticket(park, client_for, hours_late=1)
    t = ticket(ref)
    # Another sweep fired the yellow card of this clock but not the blue (an edited ladder).
    db.session.add(
        EscalationFiring(
            ticket_id=t.id,
            clock_epoch=t.clock_epoch,
            stage="resolve",
            level="yellow",
            repeat_no=0,
            due_at=t.resolve_due_at,
        )
    )
    db.session.commit()
    run_sweep()
    assert _firings(ref)[("resolve", "blue")] is True
    assert ("resolve", "blue") not in _levels_told(ref)


def _escalation_rows(ref, person=None):
    db.session.expire_all()
    query = select(Notification).where(
        Notification.ticket_id == ticket(ref).id, Notification.kind == "escalation"
    )
    if person is not None:
        query = query.where(Notification.recipient_id == person.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_every_deadline_due_at_once_reaches_each_person_in_one_message(park, client_for):
    ref = _overdue_ticket(park, client_for, signed=False, days_late=5)
    tick()
    rows = _escalation_rows(ref, park.lead)
    # One message per channel for the lead, naming the three deadlines and the highest card.
    assert sorted(row.channel for row in rows) == ["email", "sms"]
    email = next(row for row in rows if row.channel == "email")
    assert "3 deadlines of this ticket need attention; the highest card is the Red card." in (
        email.body_text
    )
    for deadline in ("Sign-for deadline", "First-contact deadline", "Resolution deadline"):
        assert deadline in email.body_text and deadline in email.body_html
    assert email.subject.startswith("[Red card")
    sms = next(row for row in rows if row.channel == "sms")
    assert "3 deadlines need attention" in sms.body_text
    assert {step[0] for step in sms.reason["steps"]} == {"sign", "first_contact", "resolve"}
    # Nobody hears twice about the same ticket in one sweep, on any channel.
    pairs = [(row.recipient_id, row.channel) for row in _escalation_rows(ref)]
    assert len(pairs) == len(set(pairs))


def test_a_later_rung_is_a_new_message_and_the_old_one_is_not_repeated(park, client_for):
    ref = _overdue_ticket(park, client_for, days_late=0, hours_late=1)
    tick()
    first = {row.key for row in _escalation_rows(ref)}
    assert first
    tick()  # a second sweep at the same moment writes nothing
    assert {row.key for row in _escalation_rows(ref)} == first
    later = ticket(ref).resolve_due_at + timedelta(days=5)
    tick(later)  # red (and its daily repeat) are due now: a new message per person
    rows = _escalation_rows(ref)
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys)) and set(keys) > first
    assert {row.reason["level"] for row in rows if row.key not in first} <= {"red", "repeat"}


def test_a_chinese_reader_gets_the_folded_reminder_in_chinese(park, client_for):
    park.lead.locale = "zh_CN"
    db.session.commit()
    ref = _overdue_ticket(park, client_for, signed=False, days_late=5)
    tick()
    email = next(row for row in _escalation_rows(ref, park.lead) if row.channel == "email")
    assert "本诉求有 3 项期限需要处理，最高为红牌。" in email.body_text
    assert "签收期限" in email.body_text
    sms = next(row for row in _escalation_rows(ref, park.lead) if row.channel == "sms")
    assert "（共3项）请尽快处理" in sms.body_text and "、" in sms.body_text


def test_a_person_with_many_tickets_due_gets_one_summary_per_channel(
    app, park, client_for, monkeypatch
):
    monkeypatch.setitem(app.config, "REMINDER_SUMMARY_OVER", 2)
    park.lead.mobile = "13900000001"
    db.session.commit()
    refs = [_overdue_ticket(park, client_for, days_late=5) for _ in range(3)]
    stats = tick()
    db.session.expire_all()
    summaries = db.session.scalars(
        select(Notification).where(
            Notification.kind == "escalation_summary", Notification.recipient_id == park.lead.id
        )
    ).all()
    assert sorted(s.channel for s in summaries) == ["email", "sms"]
    email = next(s for s in summaries if s.channel == "email")
    assert {s.status for s in summaries} == {"pending"}
    assert email.subject == "Reminders for 3 tickets"
    assert all(ref in email.body_text for ref in refs)
    sms = next(s for s in summaries if s.channel == "sms")
    assert "3 of your tickets need attention (red 3, yellow 0, blue 0)" in sms.body_text
    assert sms.body_text.endswith("/tickets/queue")
    assert sms.sms_params["queue_url"] == "http://127.0.0.1:5000/tickets/queue"
    # Each ticket's own message is recorded as folded into the summary, never sent alone.
    for ref in refs:
        own = _escalation_rows(ref, park.lead)
        assert sorted(row.channel for row in own) == ["email", "sms"]
        assert {(row.status, row.digest_id) for row in own} == {
            ("folded", email.id),
            ("folded", sms.id),
        }
    page = client_for(park.lead).get(f"/tickets/{refs[0]}").get_data(as_text=True)
    assert "Sent in a digest" in page
    kinds = Notification.kind.in_(["escalation", "escalation_summary"])
    assert stats.notifications == count(Notification, kinds)
    again = tick()  # nothing twice
    assert again.notifications == 0


def test_up_to_the_limit_each_ticket_is_its_own_message(app, park, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_SUMMARY_OVER", 2)
    park.lead.mobile = "13900000001"
    db.session.commit()
    refs = [_overdue_ticket(park, client_for, days_late=5) for _ in range(2)]
    tick()
    assert count(Notification, Notification.kind == "escalation_summary") == 0
    for ref in refs:
        assert {row.status for row in _escalation_rows(ref, park.lead)} == {"pending"}
