"""How a ticket changes, and the changes that bring it to a task force: filing and dispatch.

Every service that changes a ticket (here, in :mod:`servicedesk.tickets.casework`,
:mod:`~servicedesk.tickets.closing` and :mod:`~servicedesk.tickets.extension_requests`) takes the
acting user explicitly, checks the version, the state machine and the actor's relation to the
ticket (:func:`perform`), finishes changing the ticket, and last appends one timeline event and
sends :data:`servicedesk.events.ticket_changed` (:func:`record_event`), so listeners see the
change complete. This module holds those shared steps, then filing, dispatch, transfer and
return to dispatch. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update

from servicedesk.auth.models import Role, User
from servicedesk.clock import utcnow
from servicedesk.enterprises.models import KeyProject
from servicedesk.events import ticket_changed
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets import sla
from servicedesk.tickets.access import relations_of
from servicedesk.tickets.attachments import store_attachments
from servicedesk.tickets.deadlines import clock_reading, refresh_deadlines
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
            _(
                "Ticket %(ref)s was changed by someone else while you were working on it. "
                "Nothing of yours was saved; please look at the latest state and try again.",
                ref=ticket.reference,
            )
        )


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    """Refuse to act on a ticket that changed since the actor's page was loaded."""
    if expected_version is not None and ticket.version != expected_version:
        raise ConcurrentUpdate(ticket)


def _authorise(actor: User | None, ticket: Ticket, action: Action) -> None:
    if not may_act(relations_of(actor, ticket), action):
        raise IllegalAction(_("You may not do this on ticket %(ref)s.", ref=ticket.reference))


@dataclass(frozen=True)
class Step:
    """A change under way, from :func:`perform` to :func:`record_event`."""

    #: The status before the change (None for a new ticket).
    from_status: str | None
    #: The moment of the change: used for the ticket's times and the event's ``created_at``.
    at: datetime
    #: The ticket's clocks before the change (see ``deadlines.clock_reading``; None: new).
    clocks: tuple | None


def perform(
    actor: User | None, ticket: Ticket, action: Action, *, expected_version: int | None = None
) -> Step:
    """Check the version, the state machine and the actor, and move the status.

    The caller then finishes the change and ends with :func:`record_event`.
    """
    check_version(ticket, expected_version)
    new_status = next_status(ticket.status, action)
    _authorise(actor, ticket, action)
    step = Step(from_status=ticket.status, at=utcnow(), clocks=clock_reading(ticket))
    ticket.status = new_status
    return step


def record_event(
    ticket: Ticket,
    actor: User | None,
    kind: EventKind,
    *,
    step: Step | None = None,
    public: bool = True,
    body: str | None = None,
    reason: str | None = None,
    changes: dict | None = None,
    belonging: Iterable = (),
) -> TicketEvent:
    """The last step of a change: keep the ticket's deadlines current, append the event to the
    timeline (with ``belonging`` rows, e.g. attachments, linked to it) and tell listeners."""
    at = step.at if step is not None else utcnow()
    refresh_deadlines(ticket, step.clocks if step is not None else None, at)
    event = TicketEvent(
        ticket=ticket,
        actor=actor,
        kind=kind.value,
        public=public,
        body=body,
        reason=reason,
        from_status=step.from_status if step else None,
        to_status=ticket.status,
        changes=changes or None,
        created_at=at,
    )
    db.session.add(event)
    for row in belonging:
        row.event = event
    db.session.flush()
    ticket_changed.send(ticket, event=event)
    return event


def clean_text(text: str | None) -> str | None:
    """The text without surrounding blanks; None when nothing is left."""
    text = (text or "").strip()
    return text or None


def required_text(text: str | None, message: str) -> str:
    """The cleaned text; refused with ``message`` when it is empty."""
    text = clean_text(text)
    if not text:
        raise IllegalAction(message)
    return text


# --- filing --------------------------------------------------------------------------------


def next_reference(now: datetime) -> str:
    """Hand out the next reference number of the year, e.g. ``GC-2026-000123``."""
    year = now.year
    bumped = db.session.execute(
        update(ReferenceSequence)
        .where(ReferenceSequence.year == year)
        .values(last_number=ReferenceSequence.last_number + 1)
        .returning(ReferenceSequence.last_number)
    ).scalar()
    if bumped is None:
        db.session.add(ReferenceSequence(year=year, last_number=1))
        db.session.flush()
        bumped = 1
    return f"GC-{year}-{bumped:06d}"


def file_ticket(
    actor: User,
    *,
    category: Category,
    urgency: str,
    title: str,
    description: str,
    preferred_channel: str,
    key_project: KeyProject | None = None,
    files=(),
) -> Ticket:
    """An enterprise contact files a ticket; routing rules dispatch it when one matches."""
    if not actor.has_role(Role.ENTERPRISE_CONTACT) or actor.enterprise is None:
        raise IllegalAction(_("Only an enterprise contact can file a ticket."))
    if key_project is not None and key_project.enterprise_id != actor.enterprise_id:
        raise IllegalAction(_("That key project does not belong to your enterprise."))
    if not category.active:
        raise IllegalAction(_("This category is no longer in use; please choose another."))
    enterprise = actor.enterprise
    now = utcnow()
    ticket = Ticket(
        reference=next_reference(now),
        enterprise=enterprise,
        filed_by=actor,
        category=category,
        urgency=urgency,
        title=required_text(title, _("A title is required.")),
        description=required_text(description, _("A description is required.")),
        preferred_channel=preferred_channel,
        key_project=key_project,
        green_channel=bool(enterprise.is_chain_leader or key_project is not None),
        status=Status.FILED.value,
        filed_at=now,
    )
    db.session.add(ticket)
    db.session.flush()
    sla.start_dispatch_clock(ticket, now, restart=False)  # the dispatcher's clock runs from filing
    stored = store_attachments(ticket, actor, files) if files else []
    record_event(
        ticket,
        actor,
        EventKind.FILED,
        step=Step(from_status=None, at=now, clocks=None),
        body=ticket.description,
        belonging=stored,
    )
    route = route_ticket(ticket)
    if route is not None:
        dispatch(None, ticket, route.task_force, rule=route.rule)
    return ticket


# --- dispatch ------------------------------------------------------------------------------


def _handover_changes(ticket: Ticket, task_force: TaskForce) -> dict:
    changes = {
        "task_force": [ticket.task_force.name if ticket.task_force else None, task_force.name]
    }
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


def dispatch(
    actor: User | None,
    ticket: Ticket,
    task_force: TaskForce | None,
    *,
    reason: str | None = None,
    rule: str | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """Route a filed or returned ticket to a task force; ``actor`` None means the routing rules,
    and ``rule`` names the one that matched (stored as a code, shown in the reader's language)."""
    task_force = _check_task_force(task_force)
    changes = _handover_changes(ticket, task_force)
    if rule:
        changes["routing_rule"] = rule
    step = perform(actor, ticket, Action.DISPATCH, expected_version=expected_version)
    ticket.dispatched_on_time = sla.on_time(ticket.dispatch_due_at, step.at)
    _hand_to(ticket, task_force, step.at)
    return record_event(
        ticket, actor, EventKind.DISPATCHED, step=step, reason=clean_text(reason), changes=changes
    )


def transfer(
    actor: User,
    ticket: Ticket,
    task_force: TaskForce | None,
    reason: str,
    *,
    expected_version: int | None = None,
) -> TicketEvent:
    """Hand a ticket to another task force (转办); its clocks start again."""
    task_force = _check_task_force(task_force)
    reason = required_text(reason, _("Please give a reason for the transfer."))
    if ticket.task_force_id == task_force.id:
        raise IllegalAction(_("The ticket is already with %(team)s.", team=task_force.name))
    changes = _handover_changes(ticket, task_force)
    step = perform(actor, ticket, Action.TRANSFER, expected_version=expected_version)
    _hand_to(ticket, task_force, step.at)
    return record_event(
        ticket, actor, EventKind.TRANSFERRED, step=step, reason=reason, changes=changes
    )


def return_to_dispatch(
    actor: User, ticket: Ticket, reason: str, *, expected_version: int | None = None
) -> TicketEvent:
    """A task force sends a mis-routed ticket back to the dispatcher's queue (退单); the
    dispatch clock starts again from the return."""
    reason = required_text(reason, _("Please say why the ticket is returned."))
    changes = {"task_force": [ticket.task_force.name if ticket.task_force else None, None]}
    step = perform(actor, ticket, Action.RETURN, expected_version=expected_version)
    ticket.task_force = None
    ticket.assignee = None
    ticket.signed_at = None
    ticket.signed_on_time = None
    ticket.sign_due_at = ticket.first_contact_due_at = ticket.resolve_due_at = None
    sla.start_dispatch_clock(ticket, step.at, restart=True)
    return record_event(
        ticket, actor, EventKind.RETURNED, step=step, reason=reason, changes=changes
    )
