"""Who is told what when a ticket changes (issue 3, section 3).

Staff hear about new tickets in their team's queue, assignments, enterprise replies, extension
requests and decisions, and rework; the enterprise hears about its receipt, the first
dispatch, sign-for, public replies, requests for information, resolution and automatic closing.
A staff member who is away (:mod:`servicedesk.absences`) is told through their deputy, whose
preferences decide the channels and whose one message per event says whom it covers for.
Nobody is told about their own action (the filing receipt excepted: it is the confirmation),
and internal events never reach the enterprise — except that the lead's assignment of a ticket
nobody had signed for is its sign-for, which the enterprise hears about as such. Each person
gets a message on every channel they want the topic on and can be reached by (SMS only with a
valid mobile number).

Services send :data:`servicedesk.events.ticket_changed` once they have finished changing the
ticket, with what a listener needs in the event. The listener queues the event on the commit
(:mod:`servicedesk.aftercommit`): the messages are decided just before the transaction
commits, from the ticket's final state, so the outbox rows commit with the change (a rollback
leaves none), and the outbox enqueues their delivery jobs after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context
from sqlalchemy import select

from servicedesk import aftercommit
from servicedesk.absences.queries import stand_ins_at
from servicedesk.auth.models import User
from servicedesk.auth.queries import supervisors
from servicedesk.clock import utcnow
from servicedesk.enterprises.validators import is_mobile
from servicedesk.events import ticket_changed
from servicedesk.extensions import db
from servicedesk.i18n import local_datetime
from servicedesk.links import ticket_url
from servicedesk.notifications.outbox import cancel_pending, queue_notification
from servicedesk.notifications.preferences import wants
from servicedesk.tickets.models import (
    MESSAGE_CHANNELS,
    Channel,
    EventKind,
    ExtensionRequest,
    Ticket,
    TicketEvent,
)
from servicedesk.tickets.rules import Status

log = logging.getLogger(__name__)

_EXTENSION = "servicedesk.notifications"
#: The before-commit work that decides the messages of a transaction's events.
_EVENTS = "notifications.events"
#: Long texts (replies, questions) are cut in messages; the link leads to the whole text.
EXCERPT_LIMIT = 500


@dataclass
class Message:
    """One kind of message for some people about one event."""

    kind: str  # the template (servicedesk/notifications/render.py)
    topic: str  # the preference topic (servicedesk/notifications/preferences.py)
    people: list[User]
    context: dict = field(default_factory=dict)
    #: The filing receipt confirms the filer's own action, so the actor is not skipped.
    tell_actor: bool = False


def init_notifications(app: Flask) -> None:
    """Listen to ticket changes for this app (called once from ``create_app``)."""
    app.extensions[_EXTENSION] = True
    aftercommit.register(_EVENTS, _decide, before_commit=True, app=app)
    ticket_changed.connect(remember_event, weak=False)


def remember_event(ticket: Ticket, event: TicketEvent, **_ignored) -> None:
    """Signal receiver: the event's messages are decided when its transaction commits."""
    if not has_app_context() or not current_app.extensions.get(_EXTENSION):
        return
    aftercommit.queue(_EVENTS, event)


def _decide(events: list[TicketEvent]) -> None:
    for event in events:
        try:
            notify(event)
        except Exception:  # telling people must never undo what they were told about
            log.exception("could not decide the messages for ticket event %s", event.id)


# --- deciding ------------------------------------------------------------------------------


def notify(event: TicketEvent) -> int:
    """Write the outbox rows one timeline event calls for; returns how many were written."""
    ticket = event.ticket
    if event.kind in (EventKind.CLOSED, EventKind.WITHDRAWN):
        cancel_pending(ticket.id, "escalation", reason="ticket closed")
    stand_ins = stand_ins_at(utcnow())
    # (receiver, channel) -> the one message they get about this event, and whom it covers for
    told: dict[tuple[int, str], tuple[Message, User, list[User]]] = {}
    for message in messages_for(ticket, event):
        for person in message.people:
            if person is None or not person.active:
                continue
            receiver = stand_ins.recipient_for(person)
            if event.actor_id in (person.id, receiver.id) and not message.tell_actor:
                continue
            for channel in channels_for(receiver, message.topic):
                first, _receiver, covering = told.setdefault(
                    (receiver.id, channel), (message, receiver, [])
                )
                if first is message and receiver.id != person.id and person not in covering:
                    covering.append(person)
    return sum(
        _queue(ticket, event, message, receiver, channel, covering)
        for (_id, channel), (message, receiver, covering) in told.items()
    )


def _queue(
    ticket: Ticket,
    event: TicketEvent,
    message: Message,
    person: User,
    channel: str,
    covering: list[User],
) -> int:
    context = {**ticket_context(ticket), **message.context, "recipient": person.name}
    reason: dict = {"event": event.kind}
    if covering:
        context["covering_for"] = [p.name for p in covering]
        reason["covering_for"] = [p.id for p in covering]
    try:
        # Keyed by the receiver: one message per person and channel for the event, whoever
        # they cover for.
        notification_id = queue_notification(
            key=f"evt:{event.id}:{person.id}:{channel}",
            kind=message.kind,
            recipient=person,
            channel=channel,
            context=context,
            ticket_id=ticket.id,
            reason=reason,
        )
    except Exception:  # a broken template must not undo the action the person just took
        log.exception(
            "could not write %s for ticket %s to user %s", message.kind, ticket.reference, person.id
        )
        return 0
    return 1 if notification_id else 0


def channels_for(person: User, topic: str) -> list[str]:
    """The channels ``person`` wants ``topic`` on and can be reached by."""
    return [
        channel
        for channel in MESSAGE_CHANNELS
        if reachable(person, channel) and wants(person, topic, channel)
    ]


def reachable(person: User, channel: str) -> bool:
    """E-mail always; SMS only with a valid mainland mobile number."""
    if channel == Channel.SMS:
        return person.mobile is not None and is_mobile(person.mobile)
    return bool(person.email)


def ticket_context(ticket: Ticket) -> dict:
    """What every message about a ticket may show, and the link to it."""
    return {
        "ref": ticket.reference,
        "title": ticket.title,
        "enterprise": ticket.enterprise.name,
        "task_force": ticket.task_force.name if ticket.task_force else "",
        "url": ticket_url(ticket.reference),
    }


def excerpt(text: str | None) -> str:
    """A long text cut to a readable length."""
    text = (text or "").strip()
    return text if len(text) <= EXCERPT_LIMIT else text[: EXCERPT_LIMIT - 1] + "…"


def _local(moment) -> str:

    return local_datetime(moment)


def team(ticket: Ticket) -> list[User]:
    """Every member of the ticket's task force and its lead."""
    task_force = ticket.task_force
    if task_force is None:
        return []
    people = list(task_force.members)
    if task_force.lead is not None and task_force.lead not in people:
        people.append(task_force.lead)
    return people


def lead(ticket: Ticket) -> list[User]:
    """The lead of the ticket's task force, if it has one."""
    task_force = ticket.task_force
    return [task_force.lead] if task_force is not None and task_force.lead else []


def _handlers(ticket: Ticket) -> list[User]:
    """Whoever works the ticket: its assignee, else every member (else the lead)."""
    if ticket.assignee is not None:
        return [ticket.assignee]
    if ticket.task_force is None:
        return []
    return list(ticket.task_force.members) or lead(ticket)


def messages_for(ticket: Ticket, event: TicketEvent) -> list[Message]:
    """The messages one event calls for (people not yet filtered by actor or preference)."""
    messages = _staff_messages(ticket, event)
    if event.public or _assignment_signs(event):
        messages += _enterprise_messages(ticket, event)
    return messages


def _assignment_signs(event: TicketEvent) -> bool:
    """An assignment of a ticket nobody had signed for is its sign-for, for the enterprise."""
    return (
        event.kind == EventKind.ASSIGNED
        and event.from_status == Status.DISPATCHED
        and event.to_status == Status.SIGNED
    )


def _staff_messages(ticket: Ticket, event: TicketEvent) -> list[Message]:
    kind = event.kind
    if kind in (EventKind.DISPATCHED, EventKind.TRANSFERRED):
        return [
            Message(
                "team_new_ticket",
                "team_ticket",
                team(ticket),
                {
                    "sign_due": _local(ticket.sign_due_at),
                    "reason": event.reason or "",
                    "transferred": kind == EventKind.TRANSFERRED,
                },
            )
        ]
    if kind == EventKind.ASSIGNED:
        assert ticket.assignee is not None  # an assignment names its assignee
        return [
            Message(
                "ticket_assigned",
                "team_ticket",
                [ticket.assignee],
                {
                    "by": event.actor.name if event.actor else "",
                    "due": _local(ticket.resolve_due_at),
                },
            )
        ]
    if kind == EventKind.ENTERPRISE_REPLIED:
        return [
            Message(
                "enterprise_replied",
                "enterprise_reply",
                _handlers(ticket),
                {"excerpt": excerpt(event.body)},
            )
        ]
    if kind == EventKind.EXTENSION_REQUESTED:
        days = (event.changes or {}).get("working_days")
        return [
            Message(
                "extension_requested",
                "extension",
                lead(ticket) + supervisors(),
                {
                    "days": days,
                    "reason": event.reason or "",
                    "who": event.actor.name if event.actor else "",
                },
            )
        ]
    if kind in (EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REJECTED):
        request = _decided_request(ticket, event)
        people = [request.requested_by] if request is not None else []
        return [
            Message(
                "extension_decided",
                "extension",
                people,
                {
                    "approved": kind == EventKind.EXTENSION_APPROVED,
                    "days": (event.changes or {}).get("working_days"),
                    "note": event.reason or "",
                    "new_due": _local(ticket.resolve_due_at),
                },
            )
        ]
    if kind in (EventKind.REOPENED, EventKind.RATED):
        people = ([ticket.assignee] if ticket.assignee else []) + lead(ticket)
        return [
            Message(
                "ticket_reworked",
                "rework",
                people,
                {"reason": event.reason or "", "rework_count": ticket.rework_count},
            )
        ]
    return []


def _decided_request(ticket: Ticket, event: TicketEvent) -> ExtensionRequest | None:
    request_id = (event.changes or {}).get("extension_request_id")
    return db.session.get(ExtensionRequest, request_id) if request_id is not None else None


def _first_dispatch(ticket: Ticket, event: TicketEvent) -> bool:
    earlier = db.session.scalar(
        select(TicketEvent.id)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind == EventKind.DISPATCHED.value,
            TicketEvent.id < event.id,
        )
        .limit(1)
    )
    return earlier is None


def _enterprise_messages(ticket: Ticket, event: TicketEvent) -> list[Message]:
    contact = [ticket.filed_by]
    kind = event.kind
    if kind == EventKind.FILED:
        return [Message("ticket_filed_receipt", "progress", contact, tell_actor=True)]
    if kind == EventKind.DISPATCHED and _first_dispatch(ticket, event):
        return [Message("ticket_dispatched", "progress", contact)]
    if kind == EventKind.SIGNED or _assignment_signs(event):
        who = ticket.assignee.name if ticket.assignee else (event.actor.name if event.actor else "")
        return [Message("ticket_signed", "progress", contact, {"who": who})]
    if kind == EventKind.REPLIED:
        return [Message("ticket_reply", "progress", contact, {"excerpt": excerpt(event.body)})]
    if kind == EventKind.INFO_REQUESTED:
        return [
            Message("info_requested", "info_requested", contact, {"question": excerpt(event.body)})
        ]
    if kind == EventKind.RESOLVED:
        return [
            Message(
                "ticket_resolved",
                "resolved",
                contact,
                {
                    "summary": excerpt(event.body),
                    "auto_close_days": current_app.config["AUTO_CLOSE_WORKING_DAYS"],
                },
            )
        ]
    if kind == EventKind.CLOSED and (event.changes or {}).get("close_reason") == "auto":
        return [Message("ticket_auto_closed", "resolved", contact)]
    return []
