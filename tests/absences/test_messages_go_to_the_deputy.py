"""While someone is away, the reminders and notices addressed to them go to their deputy —
once, saying whom they cover for — and to them again when they are back. The real sweep, the
real listeners, the real outbox."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from servicedesk.absences.services import cancel_absence
from servicedesk.auth.models import Role
from servicedesk.clock import utcnow
from servicedesk.escalation.sweep import run_sweep
from servicedesk.extensions import db
from servicedesk.notifications.digests import queue_morning_digests
from servicedesk.sla.calendar_store import load_calendar
from tests.absences.conftest import act, away, file_ticket, overdue_ticket, reference_from
from tests.notifications.conftest import outbox

COVERING = "Covering for {}: you receive this message as their deputy while they are away."


def escalations(ref: str, channel: str = "email") -> dict[int, str]:
    """recipient id → text of the escalation e-mails written for one ticket."""
    rows = outbox(ref, kind="escalation")
    return {row.recipient_id: row.body_text for row in rows if row.channel == channel}


def test_an_absent_assignees_reminder_goes_to_the_deputy_and_back_after(park, client_for):
    first = overdue_ticket(park, client_for)
    now = utcnow()
    absence = away(park.member, park.second_member, end=now + timedelta(hours=1), now=now)
    run_sweep(now)
    told = escalations(first)
    # The assignee (away: their deputy), the lead and, for the long-missed first contact,
    # the supervisors.
    assert set(told) == {park.second_member.id, park.lead.id, park.supervisor.id}
    assert COVERING.format("Member Wang") in told[park.second_member.id]
    assert "Covering for" not in told[park.lead.id]
    rows = [r for r in outbox(first, kind="escalation") if r.recipient_id == park.second_member.id]
    assert {r.channel for r in rows} == {"email", "sms"}  # the deputy's choices: both
    assert all(r.reason["covering_for"] == [park.member.id] for r in rows)
    # The absence is over by the next sweep: a new reminder goes to the person again.
    second = overdue_ticket(park, client_for)
    run_sweep(absence.ends_at + timedelta(minutes=1))
    told = escalations(second)
    assert set(told) == {park.member.id, park.lead.id, park.supervisor.id}
    assert "Covering for" not in told[park.member.id]


def test_a_rerun_of_the_same_sweep_sends_nothing_twice(park, client_for):
    ref = overdue_ticket(park, client_for)
    now = utcnow()
    away(park.member, park.second_member, now=now)
    assert run_sweep(now).notifications > 0
    keys = [row.key for row in outbox(ref)]
    assert run_sweep(now).notifications == 0
    # Whoever goes away after the firing changes nothing about it either.
    away(park.lead, park.second_member, now=now)
    assert run_sweep(now).notifications == 0
    assert run_sweep(now + timedelta(minutes=5)).notifications == 0
    assert [row.key for row in outbox(ref)] == keys
    assert len(keys) == len(set(keys))


def test_a_deputy_away_hands_on_along_the_chain(park, client_for, make_user):
    sun = make_user(Role.MEMBER, task_force=park.task_force, name="Member Sun")
    away(park.member, park.second_member)
    away(park.second_member, sun)
    ref = overdue_ticket(park, client_for)
    run_sweep()
    told = escalations(ref)
    assert set(told) == {sun.id, park.lead.id, park.supervisor.id}
    assert COVERING.format("Member Wang") in told[sun.id]


def test_a_loop_of_deputies_falls_back_to_the_person_and_loses_nothing(park, client_for):
    away(park.member, park.second_member)
    away(park.second_member, park.member)
    ref = overdue_ticket(park, client_for)
    run_sweep()
    told = escalations(ref)
    assert set(told) == {park.member.id, park.lead.id, park.supervisor.id}
    assert "Covering for" not in told[park.member.id]


def test_a_deputy_who_also_hears_in_their_own_right_gets_one_message(park, client_for):
    away(park.member, park.lead)
    ref = overdue_ticket(park, client_for)
    run_sweep()
    told = escalations(ref)
    assert set(told) == {park.lead.id, park.supervisor.id}  # one e-mail each
    assert COVERING.format("Member Wang") in told[park.lead.id]


def test_an_absent_leads_red_card_reaches_their_deputy_and_still_the_supervisors(park, client_for):
    away(park.lead, park.second_member)
    ref = overdue_ticket(park, client_for, days_late=3)
    run_sweep()
    told = escalations(ref)
    # Red: the lead (away: their deputy) and the supervisors.
    assert set(told) == {park.second_member.id, park.supervisor.id}
    assert COVERING.format("Lead Li") in told[park.second_member.id]
    assert "Covering for" not in told[park.supervisor.id]
    assert all("[Red card" in row.subject for row in outbox(ref, kind="escalation"))


def test_the_deputys_sms_says_whom_it_covers_for_and_the_chinese_mail_too(park, client_for):
    park.second_member.mobile = "13800000003"
    park.second_member.locale = "zh_CN"
    db.session.commit()
    away(park.member, park.second_member)
    ref = overdue_ticket(park, client_for)
    run_sweep()
    rows = {r.channel: r for r in outbox(ref) if r.recipient_id == park.second_member.id}
    assert rows["sms"].body_text.startswith("（代 Member Wang 接收）")
    assert rows["sms"].status == "pending"
    assert "代 Member Wang 接收" in rows["email"].body_text
    assert "代 Member Wang 接收" in rows["email"].body_html


def test_a_summary_for_the_deputy_says_whom_it_covers_for(app, park, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_SUMMARY_OVER", 1)
    away(park.member, park.second_member)
    refs = [overdue_ticket(park, client_for) for _ in range(2)]
    run_sweep()
    [summary] = [
        r
        for r in outbox(kind="escalation_summary")
        if r.recipient_id == park.second_member.id and r.channel == "email"
    ]
    assert COVERING.format("Member Wang") in summary.body_text
    assert all(ref in summary.body_text for ref in refs)


def test_a_new_ticket_for_the_team_reaches_the_deputy_once(park, client_for):
    away(park.member, park.second_member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    rows = outbox(ref, kind="team_new_ticket")
    assert {r.recipient_id for r in rows} == {park.second_member.id, park.lead.id}
    [deputy] = [r for r in rows if r.recipient_id == park.second_member.id]
    assert COVERING.format("Member Wang") in deputy.body_text
    assert deputy.reason == {"event": "dispatched", "covering_for": [park.member.id]}


def test_an_assignment_to_someone_away_is_told_to_their_deputy(park, client_for):
    away(park.second_member, park.member)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.lead), ref, "assign", assignee=str(park.second_member.id))
    [row] = outbox(ref, kind="ticket_assigned")
    assert row.recipient_id == park.member.id
    assert COVERING.format("Member Zhao") in row.body_text
    assert "Lead Li has assigned ticket" in row.body_text


def test_the_deputy_is_not_told_what_they_did_themselves(park, client_for):
    away(park.second_member, park.lead)
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.lead), ref, "assign", assignee=str(park.second_member.id))
    assert outbox(ref, kind="ticket_assigned") == []


def test_after_cancelling_notices_go_to_the_person_again(park, client_for):
    absence = away(park.member, park.second_member)
    cancel_absence(park.member, absence)
    db.session.commit()
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    rows = outbox(ref, kind="team_new_ticket")
    assert {r.recipient_id for r in rows} == {park.member.id, park.second_member.id, park.lead.id}
    assert not any("Covering for" in r.body_text for r in rows)


def test_an_absent_leads_morning_digest_goes_to_the_deputy(park, client_for):
    overdue_ticket(park, client_for)
    # 09:30 in Shanghai on the next working day.
    day = next(
        day
        for day in (utcnow().date() + timedelta(days=n) for n in range(1, 15))
        if load_calendar().is_working_day(day)
    )
    morning = datetime.combine(day, time(1, 30))
    away(park.lead, park.second_member, start=morning - timedelta(hours=2), now=morning)
    assert queue_morning_digests(morning) > 0
    db.session.commit()
    rows = [r for r in outbox(kind="morning_digest") if r.channel == "email"]
    by_recipient = {r.recipient_id: r for r in rows}
    assert park.lead.id not in by_recipient
    digest = by_recipient[park.second_member.id]
    assert digest.key.endswith(f":{park.lead.id}:email")  # still the lead's digest of the day
    assert COVERING.format("Lead Li") in digest.body_text
    assert queue_morning_digests(morning + timedelta(minutes=5)) == 0
