"""Which deadline of a ticket comes next; kept on the ticket before every flush."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from servicedesk.tickets.models import Ticket
from servicedesk.tickets.rules import WORKING_STATUSES


def next_due(ticket: Ticket) -> datetime | None:
    """The earliest deadline the task force still has to meet, or None (paused, resolved ...)."""
    if ticket.status not in WORKING_STATUSES or ticket.paused_at is not None:
        return None
    pending = []
    if ticket.signed_at is None:
        pending.append(ticket.sign_due_at)
    if ticket.first_contact_at is None:
        pending.append(ticket.first_contact_due_at)
    pending.append(ticket.resolve_due_at)
    pending = [due for due in pending if due is not None]
    return min(pending) if pending else None


@event.listens_for(Session, "before_flush")
def _refresh_next_due(session: Session, _context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Ticket):
            value = next_due(obj)
            if obj.next_due_at != value:
                obj.next_due_at = value
