"""Time travel for the demonstration tickets: moving a ticket's whole history into the past.

The stories file and work every ticket "now"; :func:`backdate` then shifts a ticket's times,
deadlines, timeline events, site visits and extension requests back by whole weeks, so the demo
has overdue tickets, colour cards and past months to show without patching the product's clock.
:func:`this_minute` gives the visit time a story types into the site-visit form. Demo data only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets.deadlines import clock_reading, refresh_deadlines
from servicedesk.tickets.handling import handling_minutes, response_minutes
from servicedesk.tickets.models import ExtensionRequest, SiteVisit, Ticket

_TICKET_TIMES = (
    "filed_at",
    "dispatched_at",
    "signed_at",
    "first_contact_at",
    "resolved_at",
    "closed_at",
    "dispatch_due_at",
    "sign_due_at",
    "first_contact_due_at",
    "resolve_due_at",
    "paused_at",
)


def backdate(ticket: Ticket, weeks: int) -> None:
    """Move a ticket's whole history ``weeks`` earlier: its times, deadlines and timeline.

    Demo data only. Whole weeks keep every moment on the same weekday and time of day, so
    working-time deadlines stay on working hours, and everything a service recorded (on time or
    not) stays true. A ticket still open afterwards is overdue.
    """
    delta = timedelta(weeks=weeks)
    clocks = clock_reading(ticket)
    for name in _TICKET_TIMES:
        moment = getattr(ticket, name)
        if moment is not None:
            setattr(ticket, name, moment - delta)
    refresh_deadlines(ticket, clocks)
    ticket.handling_minutes = handling_minutes(ticket)
    ticket.response_minutes = response_minutes(ticket)
    for event in ticket.events:
        event.created_at -= delta
    for visit in db.session.scalars(select(SiteVisit).where(SiteVisit.ticket_id == ticket.id)):
        visit.visited_at -= delta
    for request in db.session.scalars(
        select(ExtensionRequest).where(ExtensionRequest.ticket_id == ticket.id)
    ):
        request.created_at -= delta
        if request.decided_at is not None:
            request.decided_at -= delta


def this_minute() -> datetime:
    """Now to the minute, as a visit time typed into the form is (a visit cannot predate its
    ticket, and the demo files and works each ticket within the same minute)."""
    return utcnow().replace(second=0, microsecond=0)
