"""The first sweep after ``flask demo load`` informs instead of flooding: per channel, nobody
gets more than one reminder about one ticket, nor more than ``REMINDER_SUMMARY_OVER`` messages
of reminders in all (a summary stands for the rest)."""

from collections import Counter

from sqlalchemy import select

from servicedesk.auth.models import user_by_email
from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.models import DeliveryStatus, Notification
from servicedesk.tickets.clocks import Stage, running_clocks
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.rules import AWAITING_DISPATCH

REMINDER_KINDS = ("escalation", "escalation_summary")


def _reminders() -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.kind.in_(REMINDER_KINDS)))
    )


def test_the_first_sweep_sends_one_reminder_per_person_ticket_and_channel(app, demo):
    report = tick()
    assert report.errors == []
    written = _reminders()
    assert written, "the demo park's overdue tickets raised no reminder at all"
    sent_alone = [row for row in written if row.status != DeliveryStatus.FOLDED]

    per_ticket = Counter(
        (row.recipient_id, row.channel, row.ticket_id)
        for row in sent_alone
        if row.kind == "escalation"
    )
    assert max(per_ticket.values()) == 1, [key for key, n in per_ticket.items() if n > 1]

    limit = app.config["REMINDER_SUMMARY_OVER"]
    per_inbox = Counter((row.recipient_id, row.channel) for row in sent_alone)
    assert max(per_inbox.values()) <= limit, per_inbox.most_common(3)

    # A folded row is never lost: it names the summary that carries it.
    summaries = {row.id for row in written if row.kind == "escalation_summary"}
    assert all(row.digest_id in summaries for row in written if row.status == DeliveryStatus.FOLDED)


def test_a_second_sweep_right_after_writes_no_reminder_again(app, demo):
    tick()
    before = len(_reminders())
    tick()
    assert len(_reminders()) == before


def test_the_tickets_waiting_for_dispatch_run_their_clock_and_the_dispatcher_hears(app, demo):
    waiting = list(
        db.session.scalars(
            select(Ticket).where(Ticket.status.in_([s.value for s in AWAITING_DISPATCH]))
        )
    )
    assert {t.status for t in waiting} == {"filed", "returned"}
    for ticket in waiting:
        assert [c.stage for c in running_clocks(ticket)] == [Stage.DISPATCH], ticket.reference
        assert ticket.next_due_at == ticket.dispatch_due_at
    late = [t for t in waiting if t.dispatch_due_at < utcnow()]
    assert len(late) == 1, "one ticket has waited a week for dispatch"

    tick()
    dispatcher = user_by_email("dispatcher@demo.local")
    heard = db.session.scalars(
        select(Notification).where(
            Notification.recipient_id == dispatcher.id, Notification.ticket_id == late[0].id
        )
    ).all()
    assert {row.channel for row in heard} == {"email", "sms"}
    assert all(row.reason["stage"] == "dispatch" for row in heard)
    assert db.session.get(Ticket, late[0].id).card == "red"
