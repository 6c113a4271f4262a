"""Who hears a step of the ladder, and on which channels they agreed to hear it."""

from __future__ import annotations

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


def recipients_for(ticket: Ticket, audiences, channels, level: Level) -> list[tuple[User, str]]:
    """(person, channel) pairs for one firing, each once, honouring preferences — except that
    red steps always reach supervisors on every channel of the step."""
    forced_supervisors = level in (Level.RED, Level.REPEAT)
    pairs: dict[tuple[int, str], tuple[User, str]] = {}
    park_supervisors = (
        supervisors() if forced_supervisors or Audience.SUPERVISORS in audiences else None
    )
    supervisor_ids = {u.id for u in park_supervisors or ()} if forced_supervisors else set()
    for audience in audiences:
        for person in audience_members(ticket, audience, park_supervisors):
            for channel in channels:
                forced = forced_supervisors and person.id in supervisor_ids
                if forced or wants(person, "escalation", channel):
                    pairs[(person.id, channel)] = (person, channel)
    return list(pairs.values())
