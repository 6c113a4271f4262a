"""The task force's work on a ticket it holds, from signing for it to resolving it.

A member signs for the ticket (签收) or the lead assigns it; staff reply to the enterprise, write
internal notes, ask the enterprise for information (the clocks pause) and hear its answer (they
run again), record site visits (一线工作法), and resolve the ticket with a summary (办结). The
first reply, question, visit or resolution is the first contact. Each service goes through the
shared steps of :mod:`servicedesk.tickets.services` (:func:`~servicedesk.tickets.services.perform`
first, :func:`~servicedesk.tickets.services.record_event` last). Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets import sla
from servicedesk.tickets.attachments import store_attachments
from servicedesk.tickets.handling import handling_minutes, response_minutes
from servicedesk.tickets.models import EventKind, SiteVisit, Ticket, TicketEvent
from servicedesk.tickets.rules import Action, IllegalAction, Status
from servicedesk.tickets.services import perform, record_event, required_text


def sign(actor: User, ticket: Ticket, *, expected_version: int | None = None) -> TicketEvent:
    """A member takes responsibility for the ticket (签收); the sign-for clock stops."""
    step = perform(actor, ticket, Action.SIGN, expected_version=expected_version)
    ticket.assignee = actor
    ticket.signed_at = step.at
    ticket.signed_on_time = sla.on_time(ticket.sign_due_at, step.at)
    return record_event(
        ticket, actor, EventKind.SIGNED, step=step, changes={"assignee": [None, actor.name]}
    )


def assign(
    actor: User, ticket: Ticket, assignee: User | None, *, expected_version: int | None = None
) -> TicketEvent:
    """The lead (or a dispatcher) gives the ticket to a member of its task force."""
    if assignee is None or ticket.task_force is None or not ticket.task_force.has_member(assignee):
        raise IllegalAction(_("Please choose a member of the ticket's task force."))
    if not assignee.active:
        raise IllegalAction(_("%(name)s's account is deactivated.", name=assignee.name))
    was_unsigned = ticket.status == Status.DISPATCHED
    changes = {"assignee": [ticket.assignee.name if ticket.assignee else None, assignee.name]}
    step = perform(actor, ticket, Action.ASSIGN, expected_version=expected_version)
    ticket.assignee = assignee
    if was_unsigned:
        ticket.signed_at = step.at
        ticket.signed_on_time = sla.on_time(ticket.sign_due_at, step.at)
    return record_event(ticket, actor, EventKind.ASSIGNED, step=step, public=False, changes=changes)


def _first_contact(ticket: Ticket, now: datetime) -> None:
    if ticket.first_contact_at is None:
        ticket.first_contact_at = now
        ticket.contacted_on_time = sla.on_time(ticket.first_contact_due_at, now)
        ticket.response_minutes = response_minutes(ticket)


def reply(
    actor: User, ticket: Ticket, body: str, files=(), *, expected_version: int | None = None
) -> TicketEvent:
    """A public reply to the enterprise; the first one is the first contact."""
    body = required_text(body, _("The reply is empty."))
    step = perform(actor, ticket, Action.REPLY, expected_version=expected_version)
    _first_contact(ticket, step.at)
    stored = store_attachments(ticket, actor, files) if files else []
    return record_event(ticket, actor, EventKind.REPLIED, step=step, body=body, belonging=stored)


def add_note(
    actor: User, ticket: Ticket, body: str, files=(), *, expected_version: int | None = None
) -> TicketEvent:
    """An internal note: staff only, never shown to the enterprise."""
    body = required_text(body, _("The note is empty."))
    step = perform(actor, ticket, Action.NOTE, expected_version=expected_version)
    stored = store_attachments(ticket, actor, files, public=False) if files else []
    return record_event(
        ticket, actor, EventKind.NOTE, step=step, public=False, body=body, belonging=stored
    )


def request_info(
    actor: User, ticket: Ticket, question: str, *, expected_version: int | None = None
) -> TicketEvent:
    """Ask the enterprise for information; every clock pauses until it answers."""
    question = required_text(question, _("Please write what you need from the enterprise."))
    step = perform(actor, ticket, Action.REQUEST_INFO, expected_version=expected_version)
    _first_contact(ticket, step.at)
    sla.pause_clocks(ticket, step.at)
    return record_event(ticket, actor, EventKind.INFO_REQUESTED, step=step, body=question)


def enterprise_reply(
    actor: User, ticket: Ticket, body: str, files=(), *, expected_version: int | None = None
) -> TicketEvent:
    """The enterprise writes on its ticket; an answer to a request restarts the clocks."""
    body = required_text(body, _("The reply is empty."))
    was_waiting = ticket.status == Status.WAITING_ENTERPRISE
    step = perform(actor, ticket, Action.ENTERPRISE_REPLY, expected_version=expected_version)
    if was_waiting:
        sla.resume_clocks(ticket, step.at)
    stored = store_attachments(ticket, actor, files) if files else []
    return record_event(
        ticket, actor, EventKind.ENTERPRISE_REPLIED, step=step, body=body, belonging=stored
    )


def record_site_visit(
    actor: User,
    ticket: Ticket,
    *,
    visited_at: datetime,
    location: str,
    participants: str,
    notes: str,
    expected_version: int | None = None,
) -> TicketEvent:
    """一线工作法: staff record a visit to the enterprise's site (counts as first contact)."""
    location = required_text(location, _("Please give the place of the visit."))
    participants = required_text(participants, _("Please say who took part in the visit."))
    notes = required_text(notes, _("Please write what was found or agreed on site."))
    if visited_at > utcnow():
        raise IllegalAction(_("A site visit cannot be recorded before it happened."))
    if visited_at < ticket.filed_at.replace(second=0, microsecond=0):
        # A visit before filing would mark first contact "on time" before there was a ticket.
        # (The form takes minutes: a visit typed for the minute of filing is accepted.)
        raise IllegalAction(_("A site visit cannot be dated before the ticket was filed."))
    step = perform(actor, ticket, Action.SITE_VISIT, expected_version=expected_version)
    visit = SiteVisit(
        ticket_id=ticket.id,
        recorded_by=actor,
        visited_at=visited_at,
        location=location,
        participants=participants,
        notes=notes,
    )
    db.session.add(visit)
    _first_contact(ticket, min(visited_at, step.at))
    return record_event(
        ticket,
        actor,
        EventKind.SITE_VISIT,
        step=step,
        body=notes,
        changes={
            "visited_at": visited_at.isoformat(),
            "location": location,
            "participants": participants,
        },
        belonging=[visit],
    )


def resolve(
    actor: User, ticket: Ticket, summary: str, *, expected_version: int | None = None
) -> TicketEvent:
    """The task force says the difficulty is solved and writes what was done (办结)."""
    summary = required_text(summary, _("Please summarise what was done to resolve the ticket."))
    step = perform(actor, ticket, Action.RESOLVE, expected_version=expected_version)
    ticket.resolution_summary = summary
    ticket.resolved_at = step.at
    ticket.resolved_on_time = sla.on_time(ticket.resolve_due_at, step.at)
    ticket.handling_minutes = handling_minutes(ticket)
    _first_contact(ticket, step.at)
    return record_event(ticket, actor, EventKind.RESOLVED, step=step, body=summary)
