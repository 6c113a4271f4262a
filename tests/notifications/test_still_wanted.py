"""Just before sending, delivery asks whether a message is still wanted. Notifications knows
only the recipient; the room that wrote a kind of message registers its own check (escalation
does for its reminders), so a reminder for a deadline met meanwhile is cancelled, not sent."""

from datetime import timedelta

from sqlalchemy import select

from servicedesk.escalation.sweep import run_sweep
from servicedesk.extensions import db
from servicedesk.notifications.delivery import deliver, register_still_wanted
from servicedesk.notifications.models import Notification
from tests.notifications.conftest import outbox
from tests.tickets.conftest import act, file_ticket, reference_from, ticket


def _sign_reminders(
    park, client_for, *, every_deadline: bool = False
) -> tuple[str, list[Notification]]:
    """A ticket nobody signed for, two hours past its sign-for deadline (``every_deadline``:
    past all its deadlines), and the sweep's reminders naming the sign-for deadline."""
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    t = ticket(ref)
    assert t.resolve_due_at is not None and t.dispatched_at is not None  # filed and dispatched
    if every_deadline:
        shift = t.resolve_due_at - (t.dispatched_at - timedelta(hours=2))
        for name in ("clock_started_at", "sign_due_at", "first_contact_due_at", "resolve_due_at"):
            setattr(t, name, getattr(t, name) - shift)
    else:
        t.sign_due_at = t.dispatched_at - timedelta(hours=2)
    db.session.commit()
    run_sweep()
    rows = [
        r
        for r in outbox(ref, kind="escalation")
        if r.reason is not None
        and any(step[0] == "sign" for step in r.reason["steps"])
        and r.status == "pending"
    ]
    assert rows, "the sweep wrote no sign-for reminder"
    return ref, rows


def test_a_sign_for_reminder_is_cancelled_once_the_ticket_is_signed(park, client_for):
    ref, rows = _sign_reminders(park, client_for)
    act(client_for(park.member), ref, "sign")
    assert deliver(rows[0].id) == "cancelled: signed for meanwhile"
    db.session.expire_all()
    row = db.session.get(Notification, rows[0].id)
    assert (row.status, row.last_error) == ("cancelled", "signed for meanwhile")


def test_a_reminder_naming_another_deadline_too_still_goes_out_after_signing(park, client_for):
    ref, rows = _sign_reminders(park, client_for, every_deadline=True)
    assert {step[0] for step in rows[0].reason["steps"]} > {"sign"}  # folded with the others
    act(client_for(park.member), ref, "sign")
    assert deliver(rows[0].id) == "sent"  # the resolution deadline it names is still passed


def test_the_check_comes_from_the_registry(app, park, client_for, monkeypatch):
    ref, rows = _sign_reminders(park, client_for)
    act(client_for(park.member), ref, "sign")
    # Without escalation's check, notifications would send the reminder: the hook is the
    # only place that knows what an escalation message depends on.
    monkeypatch.setitem(app.extensions, "servicedesk.still_wanted", {})
    email = next(r for r in rows if r.channel == "email")
    assert deliver(email.id) == "sent"


def test_any_room_may_register_a_check_for_its_kind(app, park, client_for):
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    act(client_for(park.member), ref, "sign")
    act(client_for(park.member), ref, "resolve", summary="已处理。")
    register_still_wanted(app, "ticket_resolved", lambda row: "the enterprise already knows")
    row = db.session.scalar(select(Notification).where(Notification.kind == "ticket_resolved"))
    assert deliver(row.id) == "cancelled: the enterprise already knows"
