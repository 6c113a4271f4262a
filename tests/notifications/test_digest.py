"""The morning digest: on working days, once, each lead and supervisor hears which tickets are
due today and which are overdue — the lead for their own task forces, the supervisor for all."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.digests import queue_morning_digests
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.deadlines import refresh_deadlines
from tests.notifications.conftest import outbox
from tests.tickets.conftest import act, file_ticket, reference_from, ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc(local: str) -> datetime:
    """A Shanghai wall-clock time as the naive UTC the database stores."""
    moment = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def due(reference: str, local: str) -> None:
    """Make every deadline of the ticket fall at ``local`` (Shanghai time)."""
    t = ticket(reference)
    t.sign_due_at = t.first_contact_due_at = t.resolve_due_at = utc(local)
    refresh_deadlines(t)
    db.session.commit()


def digests(at: str) -> int:
    """One digest pass at the Shanghai time ``at``, committed as the sweep does."""
    written = queue_morning_digests(utc(at))
    db.session.commit()
    return written


def digest_of(person) -> list:
    return [row for row in outbox(kind="morning_digest") if row.recipient_id == person.id]


def sections(body: str) -> tuple[str, str]:
    """The "due today" and "overdue" parts of a digest's text."""
    today, _, overdue = body.partition("\nOverdue (")
    return today, overdue


@pytest.fixture
def tickets(park, client_for, make_user, make_task_force):
    """Friday 9 October 2026: A due this afternoon, B overdue since yesterday, C due Monday
    (all three with the chain's task force); D overdue with the other task force. A third
    task force has a lead and nothing due."""
    other_lead = make_user(Role.LEAD, Role.MEMBER, lead_of=park.other_task_force, name="Lead Other")
    idle_lead = make_user(Role.LEAD, name="Lead Idle")
    make_task_force(name="空闲专班", lead=idle_lead)
    enterprise = client_for(park.contact)
    refs = {
        name: reference_from(file_ticket(enterprise, park.category, title=f"Ticket {name}"))
        for name in "ABC"
    }
    refs["D"] = reference_from(
        file_ticket(client_for(park.other_contact), park.category, title="Ticket D")
    )
    act(
        client_for(park.dispatcher),
        refs["D"],
        "dispatch",
        task_force=str(park.other_task_force.id),
        reason="",
    )
    due(refs["A"], "2026-10-09 15:00")
    due(refs["B"], "2026-10-08 10:00")
    due(refs["C"], "2026-10-12 10:00")
    due(refs["D"], "2026-10-07 11:00")
    return refs, other_lead, idle_lead


def test_the_lead_hears_of_their_teams_tickets_due_today_and_overdue(app, park, tickets):
    refs, other_lead, idle_lead = tickets
    assert digests("2026-10-09 08:45") == 3  # two leads and the supervisor, by e-mail

    [lead_digest] = digest_of(park.lead)
    assert lead_digest.channel == "email" and lead_digest.ticket_id is None
    assert lead_digest.subject == "Morning digest: 1 due today, 1 overdue"
    today, overdue = sections(lead_digest.body_text)
    assert refs["A"] in today and refs["B"] not in today
    assert refs["B"] in overdue and refs["A"] not in overdue
    assert refs["C"] not in lead_digest.body_text  # due on Monday
    assert refs["D"] not in lead_digest.body_text  # another task force's ticket
    assert "2026-10-09 15:00" in today  # deadlines in the park's local time

    [other] = digest_of(other_lead)
    assert refs["D"] in sections(other.body_text)[1]
    assert {refs["A"], refs["B"], refs["C"]}.isdisjoint(other.body_text.split())
    assert digest_of(idle_lead) == []  # nothing due, nothing overdue: no message


def test_the_supervisor_hears_of_the_whole_park(app, park, tickets):
    refs, _other_lead, _idle = tickets
    digests("2026-10-09 08:45")
    [digest] = digest_of(park.supervisor)
    today, overdue = sections(digest.body_text)
    assert refs["A"] in today
    assert refs["B"] in overdue and refs["D"] in overdue
    assert refs["C"] not in digest.body_text
    # Overdue tickets come most overdue first.
    assert overdue.index(refs["D"]) < overdue.index(refs["B"])


def test_the_digest_goes_out_once_a_day_whatever_the_number_of_sweeps(app, park, tickets):
    assert digests("2026-10-09 08:15") == 0  # before 08:30: not yet
    assert digests("2026-10-09 08:31") == 3
    assert digests("2026-10-09 08:32") == 0
    assert digests("2026-10-09 16:00") == 0
    assert len(digest_of(park.lead)) == 1
    # The next working day brings the next digest (B and A are both overdue by then).
    assert digests("2026-10-10 09:00") == 3  # Saturday 10 October 2026 is a make-up day
    second = digest_of(park.lead)[-1]
    assert second.key == f"digest:2026-10-10:{park.lead.id}:email"
    assert second.subject == "Morning digest: 0 due today, 2 overdue"


def test_no_digest_on_weekends_and_holidays(app, park, tickets):
    assert digests("2026-10-01 09:00") == 0  # National Day
    assert digests("2026-10-07 09:00") == 0  # still the National Day holiday
    assert digests("2026-10-11 09:00") == 0  # an ordinary Sunday
    assert outbox(kind="morning_digest") == []
    assert digests("2026-10-10 09:00") == 3  # the make-up Saturday is a working day


def test_an_admins_holiday_stops_the_digest(app, park, tickets):
    from servicedesk.sla.calendar_store import set_day

    set_day(datetime(2026, 10, 9).date(), False, "园区停电检修")
    db.session.commit()
    assert digests("2026-10-09 09:00") == 0


def test_the_tick_writes_each_digest_exactly_once(app, park, tickets):
    for minute in ("08:29", "08:30", "08:31", "08:31", "12:00"):
        tick(utc(f"2026-10-09 {minute}"))
    keys = sorted(row.key for row in outbox(kind="morning_digest"))
    assert len(keys) == len(set(keys)) == 3
    assert {row.recipient_id for row in outbox(kind="morning_digest")} == {
        park.lead.id,
        park.supervisor.id,
        tickets[1].id,
    }


def test_a_supervisor_who_wants_the_digest_by_sms_gets_a_short_one(
    app, phones, tickets, client_for
):
    park = phones
    response = client_for(park.supervisor).post(
        "/account/notifications", data={"wanted": ["digest:email", "digest:sms"], "submit": "Save"}
    )
    assert response.status_code == 302
    digests("2026-10-09 08:45")
    rows = {row.channel: row for row in digest_of(park.supervisor)}
    assert set(rows) == {"email", "sms"}
    assert rows["sms"].sms_params == {"due_today": "1", "overdue": "2"}
    assert rows["sms"].address == "13800000005"
    # Switched off: the next day brings nothing to this supervisor.
    client_for(park.supervisor).post(
        "/account/notifications", data={"wanted": ["escalation:email"], "submit": "Save"}
    )
    digests("2026-10-12 08:45")
    assert {row.key.split(":")[1] for row in digest_of(park.supervisor)} == {"2026-10-09"}


def test_the_digest_is_the_mornings_picture_not_a_running_commentary(
    app, park, tickets, client_for
):
    refs, _other_lead, idle_lead = tickets
    assert digests("2026-10-09 08:45") == 3
    # Later that morning the idle team gets a ticket due today: it waits for tomorrow's digest.
    idle_team = db.session.scalar(db.select(TaskForce).where(TaskForce.lead_id == idle_lead.id))
    late = reference_from(file_ticket(client_for(park.other_contact), park.category))
    act(client_for(park.dispatcher), late, "dispatch", task_force=str(idle_team.id), reason="")
    due(late, "2026-10-09 16:00")
    assert digests("2026-10-09 11:00") == 0
    assert digest_of(idle_lead) == []
    digests("2026-10-12 08:45")
    assert late in digest_of(idle_lead)[0].body_text


def test_a_lead_of_a_disbanded_task_force_gets_no_digest(app, park, tickets):
    refs, other_lead, _idle = tickets
    park.other_task_force.active = False
    db.session.commit()
    digests("2026-10-09 08:45")
    assert digest_of(other_lead) == []
    assert refs["D"] in digest_of(park.supervisor)[0].body_text  # the park still sees it


def test_a_long_digest_lists_the_most_urgent_and_says_how_many_more(
    app, park, tickets, monkeypatch
):
    refs, _other_lead, _idle = tickets
    monkeypatch.setitem(app.config, "DIGEST_MAX_LINES", 1)
    digests("2026-10-09 08:45")
    [digest] = digest_of(park.supervisor)
    # Two overdue (D, then B), one line listed: the counts are of every ticket.
    assert digest.subject == "Morning digest: 1 due today, 2 overdue"
    today, overdue = sections(digest.body_text)
    assert refs["A"] in today and "more" not in today
    assert refs["D"] in overdue and refs["B"] not in overdue
    assert "… and 1 more: http://127.0.0.1:5000/tickets/queue" in overdue
    assert "… and 1 more</a>" in digest.body_html
    assert digest.body_html.count("/tickets/GC-") == 2  # one line per section
