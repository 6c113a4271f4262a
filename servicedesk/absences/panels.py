"""The ticket page's cover note: the assignee or the task-force lead is away now, and who
stands in for them."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.absences.models import Absence
from servicedesk.absences.queries import stand_ins_at
from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.tickets.access import sees_internal
from servicedesk.tickets.models import Ticket

TEMPLATE = "absences/_ticket_cover.html"


@dataclass(frozen=True)
class Cover:
    """One person of the ticket away now: their part on it, the absence, and who receives
    in their place (themselves when the deputy chain loops or breaks)."""

    person: User
    part: str  # "assignee" or "lead"
    absence: Absence
    stand_in: User

    @property
    def uncovered(self) -> bool:
        return self.stand_in.id == self.person.id


def cover_panel(ticket: Ticket, viewer: User) -> dict | None:
    """The panel's context for staff when the assignee or the lead is away; else None (the
    enterprise never sees staff absences)."""
    if not sees_internal(viewer, ticket):
        return None
    lead = ticket.task_force.lead if ticket.task_force else None
    stand_ins = stand_ins_at(utcnow())
    covers: list[Cover] = []
    for part, person in (("assignee", ticket.assignee), ("lead", lead)):
        absence = stand_ins.absence_of(person)
        if person is None or absence is None or any(c.person.id == person.id for c in covers):
            continue
        covers.append(Cover(person, part, absence, stand_ins.recipient_for(person)))
    return {"covers": covers} if covers else None
