"""A ticket no routing rule matches waits for the dispatcher with a clock running from filing:
the dispatchers are reminded first, then the supervisors hear of it too. Dispatching stops that
clock; a return to dispatch starts it again."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.auth.models import Role
from servicedesk.clock import utcnow
from servicedesk.escalation.models import EscalationFiring
from servicedesk.escalation.sweep import escalation_still_due, run_sweep
from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.models import Notification
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.tickets.models import Ticket
from tests.tickets.conftest import act, file_ticket, reference_from, ticket

BOTH = ("email", "sms")


def _unrouted(park, client_for, **fields) -> Ticket:
    """Filed by the contact of an enterprise with no chain, in a category with no task force."""
    return ticket(
        reference_from(file_ticket(client_for(park.other_contact), park.category, **fields))
    )


def _reminders(t: Ticket) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.ticket_id == t.id, Notification.kind == "escalation")
            .order_by(Notification.id)
        )
    )


def _heard(rows: list[Notification]) -> set[tuple]:
    """(recipient, channel, level) of some reminders."""
    return {(row.recipient_id, row.channel, (row.reason or {}).get("level")) for row in rows}


def test_an_unmatched_ticket_must_be_dispatched_within_two_working_hours(park, client_for):
    t = _unrouted(park, client_for)
    assert (t.status, t.task_force_id) == ("filed", None)
    calendar = load_calendar()
    assert t.dispatch_due_at == calendar.add_working_minutes(t.filed_at, 120)
    assert t.next_due_at == t.dispatch_due_at  # the queues and the overdue figure see it
    assert t.next_escalation_at is not None  # and the sweep looks at it


def test_a_green_channel_ticket_must_be_dispatched_within_one_working_hour(
    park, client_for, make_user, make_enterprise
):
    leader = make_enterprise(name="链主企业", is_chain_leader=True)  # a leader of no chain
    contact = make_user(Role.ENTERPRISE_CONTACT, enterprise=leader)
    t = ticket(reference_from(file_ticket(client_for(contact), park.category)))
    assert t.green_channel and t.status == "filed"
    assert t.dispatch_due_at == load_calendar().add_working_minutes(t.filed_at, 60)


def test_a_ticket_the_rules_route_is_dispatched_on_time_at_filing(park, client_for):
    t = ticket(reference_from(file_ticket(client_for(park.contact), park.category)))
    assert t.status == "dispatched" and t.dispatched_on_time is True
    assert t.dispatch_due_at is not None and t.dispatched_at >= t.filed_at


def test_the_dispatch_clock_climbs_to_the_dispatchers_then_the_supervisors(
    park, client_for, make_user
):
    other_dispatcher = make_user(Role.DISPATCHER)
    make_user(Role.DISPATCHER, active=False)  # a deactivated account hears nothing
    dispatchers = {park.dispatcher.id, other_dispatcher.id}
    t = _unrouted(park, client_for)
    calendar = load_calendar()
    blue_at = calendar.add_working_minutes(t.filed_at, 90)  # 75 % of two working hours
    red_at = calendar.add_working_minutes(t.dispatch_due_at, 2 * calendar.minutes_per_day)

    run_sweep(now=blue_at)
    blue = _reminders(t)
    assert _heard(blue) == {(d, "email", "blue") for d in dispatchers}
    assert ticket(t.reference).card == "blue"
    assert "dispatch deadline" in blue[0].body_text

    run_sweep(now=t.dispatch_due_at)
    yellow = _reminders(t)[len(blue) :]
    assert _heard(yellow) == {(d, channel, "yellow") for d in dispatchers for channel in BOTH}
    assert not any(row.recipient_id == park.supervisor.id for row in yellow)

    run_sweep(now=red_at)
    red = _reminders(t)[len(blue) + len(yellow) :]
    heard = {(row.recipient_id, row.channel) for row in red}
    assert {(d, "email") for d in dispatchers} | {(park.supervisor.id, "email")} <= heard
    assert {row.reason["stage"] for row in red} == {"dispatch"}
    assert ticket(t.reference).card == "red"  # kept once dispatched, as every card is


def test_dispatching_stops_the_dispatch_ladder_and_starts_the_task_forces(park, client_for):
    t = _unrouted(park, client_for)
    blue_at = load_calendar().add_working_minutes(t.filed_at, 90)
    run_sweep(now=blue_at)
    [pending] = [row for row in _reminders(t) if row.recipient_id == park.dispatcher.id]
    assert escalation_still_due(pending) is None

    act(client_for(park.dispatcher), t.reference, "dispatch", task_force=str(park.task_force.id))
    t = ticket(t.reference)
    assert t.status == "dispatched" and t.dispatched_on_time is True
    assert t.next_due_at == t.sign_due_at  # the dispatch deadline is met: the sign-for is next
    assert escalation_still_due(pending) is not None  # not sent any more
    run_sweep(now=t.dispatch_due_at)
    stages = set(db.session.scalars(select(EscalationFiring.stage)))
    assert stages == {"dispatch"}  # nothing more on the dispatch clock (and the sign is fresh)


def test_a_late_dispatch_is_recorded_as_late(park, client_for):
    t = _unrouted(park, client_for)
    t.filed_at = t.filed_at.replace(year=t.filed_at.year - 1)
    t.dispatch_due_at = load_calendar().add_working_minutes(t.filed_at, 120)
    db.session.commit()
    act(client_for(park.dispatcher), t.reference, "dispatch", task_force=str(park.task_force.id))
    assert ticket(t.reference).dispatched_on_time is False


def test_a_return_to_dispatch_starts_the_dispatch_clock_again(park, client_for):
    t = ticket(reference_from(file_ticket(client_for(park.contact), park.category)))
    first_epoch = t.clock_epoch
    act(client_for(park.member), t.reference, "return", reason="不属于本专班")
    t = ticket(t.reference)
    returned_at = t.clock_started_at
    assert t.status == "returned" and t.clock_epoch == first_epoch + 1
    assert t.dispatch_due_at == load_calendar().add_working_minutes(returned_at, 120)
    assert t.dispatched_on_time is None and t.next_due_at == t.dispatch_due_at

    run_sweep(now=t.dispatch_due_at)
    assert {row.reason["stage"] for row in _reminders(t)} == {"dispatch"}
    assert park.dispatcher.id in {row.recipient_id for row in _reminders(t)}


def test_the_ticket_page_and_the_dispatch_queue_show_the_dispatch_deadline(park, client_for):
    t = _unrouted(park, client_for)
    dispatcher = client_for(park.dispatcher)
    page = dispatcher.get(f"/tickets/{t.reference}").get_data(as_text=True)
    assert "Dispatch by" in page and 'id="dispatch-due"' in page
    assert "working hours left" in page
    queue = dispatcher.get("/tickets/queue?view=dispatch").get_data(as_text=True)
    assert t.reference in queue and "Dispatch by" in queue and "working hours left" in queue
    # Chinese too.
    zh = dispatcher.get("/tickets/queue?view=dispatch", headers={"Accept-Language": "zh-CN"})
    assert "派单期限" in zh.get_data(as_text=True)


def test_waiting_tickets_without_a_dispatch_clock_get_one_from_the_tick(park, client_for):
    """As after the upgrade to the dispatch clock: the waiting tickets have no deadline yet."""
    filed = _unrouted(park, client_for)
    returned = ticket(reference_from(file_ticket(client_for(park.contact), park.category)))
    act(client_for(park.member), returned.reference, "return", reason="不属于本专班")
    returned = ticket(returned.reference)
    returned_at, epoch = returned.clock_started_at, returned.clock_epoch
    for t in (filed, returned):
        t.dispatch_due_at = t.next_due_at = t.next_escalation_at = None
    returned.clock_started_at = returned.dispatched_at  # as before: the old dispatch
    db.session.commit()

    report = tick(now=utcnow())
    assert report.errors == []
    calendar = load_calendar()
    filed, returned = ticket(filed.reference), ticket(returned.reference)
    assert filed.dispatch_due_at == calendar.add_working_minutes(filed.filed_at, 120)
    assert returned.dispatch_due_at == calendar.add_working_minutes(returned_at, 120)
    assert returned.clock_started_at == returned_at and returned.clock_epoch == epoch + 1
    assert filed.next_due_at == filed.dispatch_due_at
