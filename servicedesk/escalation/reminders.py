"""What the sweep tells people about the steps it fired: one message per person, ticket and
channel for everything that fired on that ticket in one sweep, naming each deadline and the
highest card.

Only the sweep that claimed a firing (its ``escalation_firing`` row) writes messages about it,
so a message's key is built from the ids of the firings it names: of two sweeps at once, one
writes it; a later sweep that fires a new rung claims a new firing and writes a new message.
A person with reminders about many tickets in one sweep gets one summary instead
(``REMINDER_SUMMARY_OVER``), keyed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from servicedesk.absences.queries import StandIns
from servicedesk.auth.models import User
from servicedesk.escalation.ladder import Firing, step_rank
from servicedesk.escalation.models import Stage
from servicedesk.escalation.policy import rung_for
from servicedesk.escalation.recipients import recipients_for
from servicedesk.i18n import local_datetime
from servicedesk.links import external_url, ticket_url
from servicedesk.notifications.outbox import queue_notification
from servicedesk.tickets.models import Ticket


@dataclass
class Reminder:
    """The steps of one ticket that one person hears about on one channel, highest first."""

    ticket: Ticket
    person: User
    channel: str
    steps: list[tuple[int, Firing]] = field(default_factory=list)  # (firing id, firing)
    #: The people away whose reminder this is too (``person`` is their deputy).
    covering: list[User] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The outbox key: unique because each firing id belongs to one sweep's claim (a
        later sweep fires new rungs, under new ids, so who is away then cannot repeat it)."""
        ids = ".".join(str(firing_id) for firing_id in sorted(i for i, _ in self.steps))
        return (
            f"esc:{self.ticket.id}:{self.ticket.clock_epoch}:f{ids}:{self.person.id}:{self.channel}"
        )

    @property
    def top(self) -> Firing:
        """The highest step named (its card is the message's card)."""
        return self.steps[0][1]


def _order(step: tuple[int, Firing]) -> tuple[int, int, str]:
    firing = step[1]
    return (*step_rank(firing.level, firing.repeat_no), firing.stage.value)


def fold(
    ticket: Ticket, claimed: list[tuple[int, Firing]], ladder, stand_ins: StandIns | None = None
) -> list[Reminder]:
    """Group the firings this sweep claimed for one ticket by (person, channel), people away
    replaced by their deputies (``stand_ins``)."""
    reminders: dict[tuple[int, str], Reminder] = {}
    for firing_id, firing in claimed:
        rung = rung_for(ladder, firing.stage, firing.level)
        assert rung is not None, "evaluate() only returns firings of rungs on the ladder"
        for recipient in recipients_for(
            ticket, rung.audiences, rung.channels, firing.level, stand_ins
        ):
            person, channel = recipient.person, recipient.channel
            reminder = reminders.setdefault((person.id, channel), Reminder(ticket, person, channel))
            reminder.steps.append((firing_id, firing))
            reminder.covering += [p for p in recipient.covering if p not in reminder.covering]
    for reminder in reminders.values():
        reminder.steps.sort(key=_order, reverse=True)
    return list(reminders.values())


def stage_due(ticket: Ticket, stage: Stage) -> datetime | None:
    """The ticket's deadline for one stage."""
    return {
        Stage.DISPATCH: ticket.dispatch_due_at,
        Stage.SIGN: ticket.sign_due_at,
        Stage.FIRST_CONTACT: ticket.first_contact_due_at,
        Stage.RESOLVE: ticket.resolve_due_at,
    }[stage]


def reminder_context(reminder: Reminder) -> dict:
    """The template context of the ``escalation`` message: the highest step, and every
    deadline named (``deadlines``, highest first)."""

    ticket, top = reminder.ticket, reminder.top
    return {
        "ref": ticket.reference,
        "title": ticket.title,
        "enterprise": ticket.enterprise.name,
        "stage": top.stage.value,
        "card": top.card.value,
        "level": top.level.value,
        "repeat_no": top.repeat_no,
        "due": local_datetime(stage_due(ticket, top.stage)),
        "task_force": ticket.task_force.name if ticket.task_force else "",
        "url": ticket_url(ticket.reference),
        "covering_for": [person.name for person in reminder.covering],
        "deadlines": [
            {
                "stage": firing.stage.value,
                "card": firing.card.value,
                "repeat_no": firing.repeat_no,
                "due": local_datetime(stage_due(ticket, firing.stage)),
            }
            for _, firing in reminder.steps
        ],
    }


def reminder_reason(reminder: Reminder) -> dict:
    """Why the message exists, for the admin and for "is it still due?" at delivery."""
    top = reminder.top
    return {
        "stage": top.stage.value,
        "level": top.level.value,
        "repeat_no": top.repeat_no,
        "epoch": reminder.ticket.clock_epoch,
        "steps": [[f.stage.value, f.level.value, f.repeat_no] for _, f in reminder.steps],
        "firings": sorted(firing_id for firing_id, _ in reminder.steps),
        "covering_for": [person.id for person in reminder.covering],
    }


def _write_one(reminder: Reminder, now: datetime, folded_into: int | None = None) -> int:
    return int(
        queue_notification(
            key=reminder.key,
            kind="escalation",
            recipient=reminder.person,
            channel=reminder.channel,
            context=reminder_context(reminder),
            ticket_id=reminder.ticket.id,
            reason=reminder_reason(reminder),
            now=now,
            folded_into=folded_into,
        )
        is not None
    )


def _names(people) -> list[str]:
    return [person.name for person in people]


def _write_summary(pile: list[Reminder], now: datetime) -> int:
    """One summary for a person's pile on one channel; each ticket's own message is recorded
    as folded into it (visible on the ticket and in the delivery log, never sent alone)."""
    person, channel = pile[0].person, pile[0].channel
    firing_ids = sorted(firing_id for reminder in pile for firing_id, _ in reminder.steps)
    summary_id = queue_notification(
        # Unique like the reminders it replaces: the firing ids are this sweep's claim.
        key=f"escsum:f{firing_ids[0]}:n{len(pile)}:{person.id}:{channel}",
        kind="escalation_summary",
        recipient=person,
        channel=channel,
        context={
            "tickets": [
                {
                    "ref": r.ticket.reference,
                    "title": r.ticket.title,
                    "card": r.top.card.value,
                    "stages": [firing.stage.value for _, firing in r.steps],
                    "url": ticket_url(r.ticket.reference),
                }
                for r in pile
            ],
            "queue_url": external_url("tickets.queue"),
            "covering_for": _names({p.id: p for r in pile for p in r.covering}.values()),
        },
        reason={"summarised": [r.ticket.reference for r in pile], "firings": firing_ids},
        now=now,
    )
    if summary_id is None:  # written before, with the rows it replaces
        return 0
    return 1 + sum(_write_one(reminder, now, folded_into=summary_id) for reminder in pile)


def write_reminders(reminders: list[Reminder], now: datetime, summary_over: int) -> int:
    """Write the sweep's reminders: one row per reminder, or, for a person with reminders
    about more than ``summary_over`` tickets on one channel, one summary. How many rows."""
    inboxes: dict[tuple[int, str], list[Reminder]] = {}
    for reminder in reminders:  # fold() made one reminder per ticket and inbox
        inboxes.setdefault((reminder.person.id, reminder.channel), []).append(reminder)
    written = 0
    for pile in inboxes.values():
        if len(pile) > summary_over:
            written += _write_summary(pile, now)
        else:
            written += sum(_write_one(reminder, now) for reminder in pile)
    return written
