"""Who hears a step of the ladder, and on which channels they agreed to hear it; someone away
is heard through their deputy (:mod:`servicedesk.absences`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from servicedesk.absences.queries import StandIns
from servicedesk.auth.models import User
from servicedesk.auth.queries import dispatchers, supervisors
from servicedesk.escalation.models import Audience, Level
from servicedesk.notifications.preferences import wants
from servicedesk.tickets.models import Ticket


def audience_members(
    ticket: Ticket, audience: str, park_supervisors: list[User] | None = None
) -> list[User]:
    """The people one audience names for this ticket (active accounts only);
    ``park_supervisors`` saves a query when the caller already has them."""
    team = ticket.task_force
    if audience == Audience.ASSIGNEE:
        people = [ticket.assignee] if ticket.assignee else (team.members if team else [])
    elif audience == Audience.MEMBERS:
        people = team.members if team else []
    elif audience == Audience.LEAD:
        people = [team.lead] if team and team.lead else []
    elif audience == Audience.SUPERVISORS:
        people = park_supervisors if park_supervisors is not None else supervisors()
    elif audience == Audience.DISPATCHERS:
        people = dispatchers()
    elif audience == Audience.ENTERPRISE:
        people = [ticket.filed_by]
    else:
        people = []
    return [p for p in people if p is not None and p.active]


@dataclass
class Recipient:
    """Who receives one firing on one channel, and whom they cover for (people away)."""

    person: User
    channel: str
    covering: list[User] = field(default_factory=list)


def recipients_for(
    ticket: Ticket, audiences, channels, level: Level, stand_ins: StandIns | None = None
) -> list[Recipient]:
    """The recipients of one firing, each (person, channel) once, honouring preferences —
    except that red steps always reach supervisors on every channel of the step. Someone
    away (``stand_ins``) is replaced by their deputy, whose own preferences decide; covering
    for a supervisor, the deputy gets the red steps the supervisor would have got."""
    forced_supervisors = level in (Level.RED, Level.REPEAT)
    pairs: dict[tuple[int, str], Recipient] = {}
    park_supervisors = (
        supervisors() if forced_supervisors or Audience.SUPERVISORS in audiences else None
    )
    supervisor_ids = {u.id for u in park_supervisors or ()} if forced_supervisors else set()
    for audience in audiences:
        for person in audience_members(ticket, audience, park_supervisors):
            receiver = stand_ins.recipient_for(person) if stand_ins is not None else person
            for channel in channels:
                forced = forced_supervisors and person.id in supervisor_ids
                if forced or wants(receiver, "escalation", channel):
                    recipient = pairs.setdefault(
                        (receiver.id, channel), Recipient(receiver, channel)
                    )
                    if receiver.id != person.id and person not in recipient.covering:
                        recipient.covering.append(person)
    return list(pairs.values())
