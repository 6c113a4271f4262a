"""The reminders panel of the ticket page: what is due, what fired, every message and why."""

from __future__ import annotations

from servicedesk.auth.models import User
from servicedesk.escalation.services import ticket_reminders
from servicedesk.tickets.access import sees_internal
from servicedesk.tickets.models import Ticket

TEMPLATE = "escalation/_ticket_reminders.html"


def reminders_panel(ticket: Ticket, viewer: User) -> dict | None:
    """The panel's context for staff; None for the enterprise, which sees no reminders."""
    if not sees_internal(viewer, ticket):
        return None
    return {"reminders": ticket_reminders(ticket)}
