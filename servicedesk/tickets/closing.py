"""The end of a ticket's life: the enterprise confirms and rates, reopens, or withdraws; resolved
tickets nobody answers close by themselves."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from servicedesk.auth.models import User
from servicedesk.extensions import db
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.tickets import sla
from servicedesk.tickets.models import EventKind, Rating, Ticket, TicketEvent
from servicedesk.tickets.rules import Action, IllegalAction, Status
from servicedesk.tickets.services import clean_text, perform, record_event, required_text


def confirm(
    actor: User,
    ticket: Ticket,
    rating: str,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
) -> TicketEvent:
    """The enterprise rates a resolved ticket (回访): satisfied closes it, unsatisfied reworks."""
    try:
        rating = Rating(rating)
    except ValueError as exc:
        raise IllegalAction(_("Please choose how satisfied you are.")) from exc
    comment = clean_text(comment)
    if rating is Rating.UNSATISFIED:
        if not comment:
            raise IllegalAction(_("Please tell us what is still wrong, so it can be reworked."))
        return _rework(
            actor,
            ticket,
            EventKind.RATED,
            comment,
            expected_version,
            changes={"rating": [ticket.rating, rating.value]},
            rating=rating.value,
        )
    changes = {"rating": [ticket.rating, rating.value]}
    step = perform(actor, ticket, Action.CONFIRM, expected_version=expected_version)
    ticket.rating = rating.value
    ticket.rating_comment = comment
    ticket.closed_at = step.at
    ticket.close_reason = "confirmed"
    return record_event(ticket, actor, EventKind.CLOSED, step=step, body=comment, changes=changes)


def reopen(
    actor: User, ticket: Ticket, reason: str, *, expected_version: int | None = None
) -> TicketEvent:
    """The enterprise says a resolved ticket is not solved: back to the task force (重办)."""
    reason = required_text(reason, _("Please tell us what is still wrong, so it can be reworked."))
    return _rework(actor, ticket, EventKind.REOPENED, reason, expected_version)


def _rework(
    actor: User,
    ticket: Ticket,
    kind: EventKind,
    reason: str,
    expected_version: int | None,
    *,
    changes: dict | None = None,
    rating: str | None = None,
) -> TicketEvent:
    step = perform(actor, ticket, Action.REOPEN, expected_version=expected_version)
    if rating is not None:
        ticket.rating = rating
        ticket.rating_comment = reason
    ticket.rework_count += 1
    ticket.resolved_at = None
    ticket.resolved_on_time = None
    ticket.handling_minutes = None
    sla.restart_resolve_clock(ticket, step.at)
    return record_event(ticket, actor, kind, step=step, reason=reason, body=reason, changes=changes)


def withdraw(
    actor: User, ticket: Ticket, reason: str | None = None, *, expected_version: int | None = None
) -> TicketEvent:
    """The enterprise cancels its ticket before it is resolved."""
    step = perform(actor, ticket, Action.WITHDRAW, expected_version=expected_version)
    ticket.closed_at = step.at
    ticket.close_reason = "withdrawn"
    ticket.paused_at = None
    return record_event(ticket, actor, EventKind.WITHDRAWN, step=step, reason=clean_text(reason))


def auto_close(ticket: Ticket) -> TicketEvent:
    """Close a resolved ticket the enterprise did not answer in time (counted as unrated)."""
    # A code, not a sentence: the timeline shows it in each reader's language.
    step = perform(None, ticket, Action.AUTO_CLOSE)
    ticket.closed_at = step.at
    ticket.close_reason = "auto"
    return record_event(ticket, None, EventKind.CLOSED, step=step, changes={"close_reason": "auto"})


def tickets_to_auto_close(now: datetime) -> list[Ticket]:
    """Resolved tickets whose confirmation period (working days) has run out."""
    calendar = load_calendar()
    days = current_app.config["AUTO_CLOSE_WORKING_DAYS"]
    resolved = db.session.scalars(
        select(Ticket).where(Ticket.status == Status.RESOLVED.value)
    ).all()
    due = []
    for ticket in resolved:
        # resolve() sets resolved_at; a rework clears it, but only as it leaves RESOLVED.
        assert ticket.resolved_at is not None, f"resolved ticket {ticket.id} has no resolved_at"
        if calendar.add_working_days(ticket.resolved_at, days) <= now:
            due.append(ticket)
    return due


def auto_close_due(now: datetime) -> int:
    """Close every resolved ticket whose confirmation period ran out by ``now``; returns how
    many. The caller commits (the periodic tick does, once for all of them)."""
    closed = 0
    for ticket in tickets_to_auto_close(now):
        auto_close(ticket)
        closed += 1
    return closed
