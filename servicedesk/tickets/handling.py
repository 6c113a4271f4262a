"""Handling time (办理时长) and response time (响应时长): the working minutes from filing to
resolution and to the first contact, kept on the ticket.

Stored by the resolve service so the supervision metrics can average a column instead of
walking the working calendar for every ticket. Waiting for the enterprise is included: it is
the time the enterprise waited. A rework clears it; the next resolution stores it again,
counted from the original filing. Response time counts from filing too, so the time a ticket
waited for dispatch is in it.
"""

from __future__ import annotations

from servicedesk.sla.calendar_store import load_calendar
from servicedesk.tickets.models import Ticket


def handling_minutes(ticket: Ticket) -> int | None:
    """Working minutes from ``filed_at`` to ``resolved_at`` on the park's calendar, or None."""
    if ticket.resolved_at is None or ticket.filed_at is None:
        return None
    return load_calendar().working_minutes_between(ticket.filed_at, ticket.resolved_at)


def response_minutes(ticket: Ticket) -> int | None:
    """Working minutes from ``filed_at`` to ``first_contact_at`` on the park's calendar, or None."""
    if ticket.first_contact_at is None or ticket.filed_at is None:
        return None
    return load_calendar().working_minutes_between(ticket.filed_at, ticket.first_contact_at)
