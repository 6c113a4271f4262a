"""Everything that changes a ticket. Each function takes the acting user explicitly, checks the
state machine and the actor's relation to the ticket, changes the ticket, appends one timeline
event and emits :data:`servicedesk.events.ticket_changed`. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update

from servicedesk.auth.models import Role, User
from servicedesk.clock import utcnow
from servicedesk.enterprises.models import KeyProject
from servicedesk.events import ticket_changed
from servicedesk.extensions import db
from servicedesk.sla import services as sla
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.access import relations_of
from servicedesk.tickets.models import (
    Category,
    EventKind,
    ReferenceSequence,
    Ticket,
    TicketEvent,
)
from servicedesk.tickets.routing import route_ticket
from servicedesk.tickets.rules import Action, IllegalAction, Status, may_act, next_status


class ConcurrentUpdate(IllegalAction):
    """Someone else changed the ticket since the actor loaded it."""

    def __init__(self, ticket: Ticket):
        super().__init__(
            _("Ticket %(ref)s was changed by someone else while you were working on it. "
              "Nothing of yours was saved; please look at the latest state and try again.",
              ref=ticket.reference)
        )


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    """Refuse to act on a ticket that changed since the actor's page was loaded."""
    if expected_version is not None and ticket.version != expected_version:
        raise ConcurrentUpdate(ticket)


def _authorise(actor: User | None, ticket: Ticket, action: Action) -> None:
    if not may_act(relations_of(actor, ticket), action):
        raise IllegalAction(_("You may not do this on ticket %(ref)s.", ref=ticket.reference))


def record_event(ticket: Ticket, actor: User | None, kind: EventKind, *, public: bool = True,
                 body: str | None = None, reason: str | None = None,
                 from_status: str | None = None, changes: dict | None = None) -> TicketEvent:
    """Append an event to the timeline and tell listeners."""
    event = TicketEvent(ticket=ticket, actor=actor, kind=kind.value, public=public, body=body,
                        reason=reason, from_status=from_status, to_status=ticket.status,
                        changes=changes or None, created_at=utcnow())
    db.session.add(event)
    db.session.flush()
    ticket_changed.send(ticket, event=event)
    return event


def perform(actor: User | None, ticket: Ticket, action: Action, kind: EventKind, *,
         expected_version: int | None = None, **event_fields) -> TicketEvent:
    """Check the version, the state machine and the actor, move the status, record the event.

    Callers change the ticket's other fields only after this returns.
    """
    check_version(ticket, expected_version)
    new_status = next_status(ticket.status, action)
    _authorise(actor, ticket, action)
    before = ticket.status
    ticket.status = new_status.value
    return record_event(ticket, actor, kind, from_status=before, **event_fields)


def clean_text(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def required_text(text: str | None, message: str) -> str:
    text = clean_text(text)
    if not text:
        raise IllegalAction(message)
    return text


# --- filing --------------------------------------------------------------------------------

def next_reference(now: datetime) -> str:
    """Hand out the next reference number of the year, e.g. ``GC-2026-000123``."""
    year = now.year
    bumped = db.session.execute(
        update(ReferenceSequence).where(ReferenceSequence.year == year)
        .values(last_number=ReferenceSequence.last_number + 1)
        .returning(ReferenceSequence.last_number)
    ).scalar()
    if bumped is None:
        db.session.add(ReferenceSequence(year=year, last_number=1))
        db.session.flush()
        bumped = 1
    return f"GC-{year}-{bumped:06d}"


def file_ticket(actor: User, *, category: Category, urgency: str, title: str, description: str,
                preferred_channel: str, key_project: KeyProject | None = None,
                files=()) -> Ticket:
    """An enterprise contact files a ticket; routing rules dispatch it when one matches."""
    from servicedesk.tickets.attachments import store_attachments

    if not actor.has_role(Role.ENTERPRISE_CONTACT) or actor.enterprise is None:
        raise IllegalAction(_("Only an enterprise contact can file a ticket."))
    if key_project is not None and key_project.enterprise_id != actor.enterprise_id:
        raise IllegalAction(_("That key project does not belong to your enterprise."))
    if not category.active:
        raise IllegalAction(_("This category is no longer in use; please choose another."))
    enterprise = actor.enterprise
    now = utcnow()
    ticket = Ticket(
        reference=next_reference(now), enterprise=enterprise, filed_by=actor, category=category,
        urgency=urgency, title=required_text(title, _("A title is required.")),
        description=required_text(description, _("A description is required.")),
        preferred_channel=preferred_channel, key_project=key_project,
        green_channel=bool(enterprise.is_chain_leader or key_project is not None),
        status=Status.FILED.value, filed_at=now,
    )
    db.session.add(ticket)
    db.session.flush()
    event = record_event(ticket, actor, EventKind.FILED, body=ticket.description)
    if files:
        store_attachments(ticket, actor, files, event=event)
    route = route_ticket(ticket)
    if route is not None:
        dispatch(None, ticket, route.task_force, rule=route.rule)
    return ticket


# --- dispatch ------------------------------------------------------------------------------

def _handover_changes(ticket: Ticket, task_force: TaskForce) -> dict:
    changes = {"task_force": [ticket.task_force.name if ticket.task_force else None,
                              task_force.name]}
    if ticket.assignee is not None:
        changes["assignee"] = [ticket.assignee.name, None]
    return changes


def _hand_to(ticket: Ticket, task_force: TaskForce, now: datetime) -> None:
    ticket.task_force = task_force
    ticket.assignee = None
    ticket.dispatched_at = now
    ticket.signed_at = None
    ticket.signed_on_time = None
    if ticket.paused_at is not None:
        sla.resume_clocks(ticket, now)
    sla.start_clocks(ticket, now)


def _check_task_force(task_force: TaskForce | None) -> TaskForce:
    if task_force is None or not task_force.active:
        raise IllegalAction(_("Please choose an active task force."))
    return task_force


def dispatch(actor: User | None, ticket: Ticket, task_force: TaskForce | None, *,
             reason: str | None = None, rule: str | None = None,
             expected_version: int | None = None) -> TicketEvent:
    """Route a filed or returned ticket to a task force; ``actor`` None means the routing rules,
    and ``rule`` names the one that matched (stored as a code, shown in the reader's language)."""
    task_force = _check_task_force(task_force)
    changes = _handover_changes(ticket, task_force)
    if rule:
        changes["routing_rule"] = rule
    event = perform(actor, ticket, Action.DISPATCH, EventKind.DISPATCHED, reason=clean_text(reason),
                    changes=changes, expected_version=expected_version)
    _hand_to(ticket, task_force, event.created_at)
    return event


def transfer(actor: User, ticket: Ticket, task_force: TaskForce | None, reason: str, *,
             expected_version: int | None = None) -> TicketEvent:
    """Hand a ticket to another task force (转办); its clocks start again."""
    task_force = _check_task_force(task_force)
    reason = required_text(reason, _("Please give a reason for the transfer."))
    if ticket.task_force_id == task_force.id:
        raise IllegalAction(_("The ticket is already with %(team)s.", team=task_force.name))
    event = perform(actor, ticket, Action.TRANSFER, EventKind.TRANSFERRED, reason=reason,
                    changes=_handover_changes(ticket, task_force),
                    expected_version=expected_version)
    _hand_to(ticket, task_force, event.created_at)
    return event


def return_to_dispatch(actor: User, ticket: Ticket, reason: str, *,
                       expected_version: int | None = None) -> TicketEvent:
    """A task force sends a mis-routed ticket back to the dispatcher's queue (退单)."""
    reason = required_text(reason, _("Please say why the ticket is returned."))
    changes = {"task_force": [ticket.task_force.name if ticket.task_force else None, None]}
    event = perform(actor, ticket, Action.RETURN, EventKind.RETURNED, reason=reason,
                 changes=changes, expected_version=expected_version)
    ticket.task_force = None
    ticket.assignee = None
    ticket.signed_at = None
    ticket.signed_on_time = None
    ticket.sign_due_at = ticket.first_contact_due_at = ticket.resolve_due_at = None
    return event


# --- task-force work -----------------------------------------------------------------------

def sign(actor: User, ticket: Ticket, *, expected_version: int | None = None) -> TicketEvent:
    """A member takes responsibility for the ticket (签收); the sign-for clock stops."""
    now = utcnow()
    event = perform(actor, ticket, Action.SIGN, EventKind.SIGNED, expected_version=expected_version,
                 changes={"assignee": [None, actor.name]})
    ticket.assignee = actor
    ticket.signed_at = now
    ticket.signed_on_time = sla.on_time(ticket.sign_due_at, now)
    return event


def assign(actor: User, ticket: Ticket, assignee: User | None, *,
           expected_version: int | None = None) -> TicketEvent:
    """The lead (or a dispatcher) gives the ticket to a member of its task force."""
    if assignee is None or ticket.task_force is None or not ticket.task_force.has_member(assignee):
        raise IllegalAction(_("Please choose a member of the ticket's task force."))
    if not assignee.active:
        raise IllegalAction(_("%(name)s's account is deactivated.", name=assignee.name))
    now = utcnow()
    was_unsigned = ticket.status == Status.DISPATCHED
    changes = {"assignee": [ticket.assignee.name if ticket.assignee else None, assignee.name]}
    event = perform(actor, ticket, Action.ASSIGN, EventKind.ASSIGNED, public=False,
                 changes=changes, expected_version=expected_version)
    ticket.assignee = assignee
    if was_unsigned:
        ticket.signed_at = now
        ticket.signed_on_time = sla.on_time(ticket.sign_due_at, now)
    return event


def _first_contact(ticket: Ticket, now: datetime) -> None:
    if ticket.first_contact_at is None:
        ticket.first_contact_at = now
        ticket.contacted_on_time = sla.on_time(ticket.first_contact_due_at, now)


def reply(actor: User, ticket: Ticket, body: str, files=(), *,
          expected_version: int | None = None) -> TicketEvent:
    """A public reply to the enterprise; the first one is the first contact."""
    from servicedesk.tickets.attachments import store_attachments

    body = required_text(body, _("The reply is empty."))
    event = perform(actor, ticket, Action.REPLY, EventKind.REPLIED, body=body,
                 expected_version=expected_version)
    _first_contact(ticket, event.created_at)
    if files:
        store_attachments(ticket, actor, files, event=event)
    return event


def add_note(actor: User, ticket: Ticket, body: str, files=(), *,
             expected_version: int | None = None) -> TicketEvent:
    """An internal note: staff only, never shown to the enterprise."""
    from servicedesk.tickets.attachments import store_attachments

    body = required_text(body, _("The note is empty."))
    event = perform(actor, ticket, Action.NOTE, EventKind.NOTE, public=False, body=body,
                 expected_version=expected_version)
    if files:
        store_attachments(ticket, actor, files, event=event, public=False)
    return event


def request_info(actor: User, ticket: Ticket, question: str, *,
                 expected_version: int | None = None) -> TicketEvent:
    """Ask the enterprise for information; every clock pauses until it answers."""
    question = required_text(question, _("Please write what you need from the enterprise."))
    event = perform(actor, ticket, Action.REQUEST_INFO, EventKind.INFO_REQUESTED, body=question,
                 expected_version=expected_version)
    _first_contact(ticket, event.created_at)
    sla.pause_clocks(ticket, event.created_at)
    return event


def enterprise_reply(actor: User, ticket: Ticket, body: str, files=(), *,
                     expected_version: int | None = None) -> TicketEvent:
    """The enterprise writes on its ticket; an answer to a request restarts the clocks."""
    from servicedesk.tickets.attachments import store_attachments

    body = required_text(body, _("The reply is empty."))
    was_waiting = ticket.status == Status.WAITING_ENTERPRISE
    event = perform(actor, ticket, Action.ENTERPRISE_REPLY, EventKind.ENTERPRISE_REPLIED, body=body,
                 expected_version=expected_version)
    if was_waiting:
        sla.resume_clocks(ticket, event.created_at)
    if files:
        store_attachments(ticket, actor, files, event=event)
    return event


def record_site_visit(actor: User, ticket: Ticket, *, visited_at: datetime, location: str,
                      participants: str, notes: str,
                      expected_version: int | None = None) -> TicketEvent:
    """一线工作法: staff record a visit to the enterprise's site (counts as first contact)."""
    from servicedesk.tickets.models import SiteVisit

    location = required_text(location, _("Please give the place of the visit."))
    participants = required_text(participants, _("Please say who took part in the visit."))
    notes = required_text(notes, _("Please write what was found or agreed on site."))
    if visited_at > utcnow():
        raise IllegalAction(_("A site visit cannot be recorded before it happened."))
    event = perform(actor, ticket, Action.SITE_VISIT, EventKind.SITE_VISIT, body=notes,
                 changes={"visited_at": visited_at.isoformat(), "location": location,
                          "participants": participants},
                 expected_version=expected_version)
    db.session.add(SiteVisit(ticket_id=ticket.id, event_id=event.id, recorded_by=actor,
                             visited_at=visited_at, location=location,
                             participants=participants, notes=notes))
    _first_contact(ticket, min(visited_at, event.created_at))
    return event


def resolve(actor: User, ticket: Ticket, summary: str, *,
            expected_version: int | None = None) -> TicketEvent:
    """The task force says the difficulty is solved and writes what was done (办结)."""
    summary = required_text(summary, _("Please summarise what was done to resolve the ticket."))
    event = perform(actor, ticket, Action.RESOLVE, EventKind.RESOLVED, body=summary,
                 expected_version=expected_version)
    ticket.resolution_summary = summary
    ticket.resolved_at = event.created_at
    ticket.resolved_on_time = sla.on_time(ticket.resolve_due_at, event.created_at)
    _first_contact(ticket, event.created_at)
    return event

