"""What the sweep tells people about the steps it fired: one message per person, ticket and
channel for everything that fired on that ticket in one sweep, naming each deadline and the
highest card.

Only the sweep that claimed a firing (its ``escalation_firing`` row) writes messages about it,
so a message's key is built from the ids of the firings it names: of two sweeps at once, one
writes it; a later sweep that fires a new rung claims a new firing and writes a new message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from servicedesk.auth.models import User
from servicedesk.escalation.ladder import Firing, step_rank
from servicedesk.escalation.models import Stage
from servicedesk.escalation.policy import rung_for
from servicedesk.escalation.recipients import recipients_for
from servicedesk.links import ticket_url
from servicedesk.notifications.outbox import queue_notification
from servicedesk.tickets.models import Ticket


@dataclass
class Reminder:
    """The steps of one ticket that one person hears about on one channel, highest first."""

    ticket: Ticket
    person: User
    channel: str
    steps: list[tuple[int, Firing]] = field(default_factory=list)  # (firing id, firing)

    @property
    def key(self) -> str:
        """The outbox key: unique because each firing id belongs to one sweep's claim."""
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


def fold(ticket: Ticket, claimed: list[tuple[int, Firing]], ladder) -> list[Reminder]:
    """Group the firings this sweep claimed for one ticket by (person, channel)."""
    reminders: dict[tuple[int, str], Reminder] = {}
    for firing_id, firing in claimed:
        rung = rung_for(ladder, firing.stage, firing.level)
        assert rung is not None, "evaluate() only returns firings of rungs on the ladder"
        for person, channel in recipients_for(ticket, rung.audiences, rung.channels, firing.level):
            reminder = reminders.setdefault((person.id, channel), Reminder(ticket, person, channel))
            reminder.steps.append((firing_id, firing))
    for reminder in reminders.values():
        reminder.steps.sort(key=_order, reverse=True)
    return list(reminders.values())


def stage_due(ticket: Ticket, stage: Stage) -> datetime | None:
    """The ticket's deadline for one stage."""
    return {
        Stage.SIGN: ticket.sign_due_at,
        Stage.FIRST_CONTACT: ticket.first_contact_due_at,
        Stage.RESOLVE: ticket.resolve_due_at,
    }[stage]


def reminder_context(reminder: Reminder) -> dict:
    """The template context of the ``escalation`` message: the highest step, and every
    deadline named (``deadlines``, highest first)."""
    from servicedesk.i18n import local_datetime

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
    }


def write_reminders(reminders: list[Reminder], now: datetime) -> int:
    """Write one outbox row per reminder (under its key); how many rows were new."""
    written = 0
    for reminder in reminders:
        if queue_notification(
            key=reminder.key,
            kind="escalation",
            recipient=reminder.person,
            channel=reminder.channel,
            context=reminder_context(reminder),
            ticket_id=reminder.ticket.id,
            reason=reminder_reason(reminder),
            now=now,
        ):
            written += 1
    return written
