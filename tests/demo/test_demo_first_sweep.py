"""The first sweep after ``flask demo load`` informs instead of flooding: per channel, nobody
gets more than one reminder about one ticket, nor more than ``REMINDER_SUMMARY_OVER`` messages
of reminders in all (a summary stands for the rest)."""

from collections import Counter

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.jobs.periodic import tick
from servicedesk.notifications.models import DeliveryStatus, Notification

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
