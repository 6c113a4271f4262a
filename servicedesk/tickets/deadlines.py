"""Which deadline of a ticket comes next; kept on the ticket before every flush."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from servicedesk.tickets.clocks import running_clocks
from servicedesk.tickets.models import Ticket


def next_due(ticket: Ticket) -> datetime | None:
    """The earliest deadline the task force still has to meet, or None (paused, resolved ...)."""
    clocks = running_clocks(ticket)
    return min(clock.due_at for clock in clocks) if clocks else None


#: A change to any of these makes the escalation sweep look at the ticket again.
_CLOCK_FIELDS = ("status", "sign_due_at", "first_contact_due_at", "resolve_due_at", "paused_at",
                 "signed_at", "first_contact_at", "resolved_at", "clock_epoch")


def _clock_changed(session: Session, ticket: Ticket) -> bool:
    if ticket in session.new:
        return True
    from sqlalchemy import inspect

    state = inspect(ticket)
    return any(state.attrs[name].history.has_changes() for name in _CLOCK_FIELDS)


@event.listens_for(Session, "before_flush")
def _refresh_next_due(session: Session, _context, _instances) -> None:
    from servicedesk.clock import utcnow

    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Ticket):
            continue
        value = next_due(obj)
        if obj.next_due_at != value:
            obj.next_due_at = value
        if _clock_changed(session, obj):
            # Paused, closed or resolved: nothing to escalate. Otherwise the sweep recomputes
            # the ladder on its next pass (pause, extension, transfer, rework all land here).
            obj.next_escalation_at = utcnow() if value is not None else None
