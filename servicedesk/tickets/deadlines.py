"""Which deadline of a ticket comes next; the services keep it on the ticket whenever they
change its clocks (:func:`refresh_deadlines`)."""

from __future__ import annotations

from datetime import datetime

from servicedesk.clock import utcnow
from servicedesk.tickets.clocks import running_clocks
from servicedesk.tickets.models import Ticket


def next_due(ticket: Ticket) -> datetime | None:
    """The earliest deadline still to be met (the dispatcher's while the ticket waits for
    dispatch, else the task force's), or None (paused, resolved ...)."""
    clocks = running_clocks(ticket)
    return min(clock.due_at for clock in clocks) if clocks else None


#: A change to any of these makes the escalation sweep look at the ticket again.
CLOCK_FIELDS = (
    "status",
    "dispatch_due_at",
    "sign_due_at",
    "first_contact_due_at",
    "resolve_due_at",
    "paused_at",
    "signed_at",
    "first_contact_at",
    "resolved_at",
    "clock_epoch",
)


def clock_reading(ticket: Ticket) -> tuple:
    """The ticket's clock fields as they are now, to tell afterwards whether they changed."""
    return tuple(getattr(ticket, name) for name in CLOCK_FIELDS)


def refresh_deadlines(
    ticket: Ticket, before: tuple | None = None, now: datetime | None = None
) -> None:
    """Keep ``next_due_at`` current; when the clocks changed since ``before`` (a
    :func:`clock_reading`; None for a new ticket) the sweep looks at the ticket again."""
    value = next_due(ticket)
    if ticket.next_due_at != value:
        ticket.next_due_at = value
    if before is None or before != clock_reading(ticket):
        # Paused, closed or resolved: nothing to escalate. Otherwise the sweep recomputes
        # the ladder on its next pass (pause, extension, transfer, rework all land here).
        ticket.next_escalation_at = (now or utcnow()) if value is not None else None
