"""Extension requests (延期申请): asked before the deadline with a reason; a lead or supervisor
decides; approved days move the resolve deadline."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets import sla
from servicedesk.tickets.models import EventKind, ExtensionRequest, ExtensionStatus, Ticket
from servicedesk.tickets.rules import Action, IllegalAction
from servicedesk.tickets.services import perform, record_event, required_text


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def pending_extension(ticket: Ticket) -> ExtensionRequest | None:
    """The ticket's undecided extension request, if any."""
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.ticket_id == ticket.id,
            ExtensionRequest.status == ExtensionStatus.PENDING.value,
        )
    )


def request_extension(
    actor: User,
    ticket: Ticket,
    working_days: int,
    reason: str,
    *,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """Ask for more working days on the resolve deadline."""
    reason = required_text(reason, _("Please give a reason for the extension."))
    limit = current_app.config["MAX_EXTENSION_WORKING_DAYS"]
    left = limit - ticket.extension_working_days
    if working_days is None or working_days < 1:
        raise IllegalAction(_("Please ask for at least one working day."))
    if working_days > left:
        raise IllegalAction(
            _(
                "At most %(limit)d working days of extension are allowed in total; "
                "%(left)d remain for this ticket.",
                limit=limit,
                left=left,
            )
        )
    if ticket.resolve_due_at is not None and ticket.resolve_due_at < utcnow():
        raise IllegalAction(_("An extension must be requested before the deadline passes."))
    if pending_extension(ticket) is not None:
        raise IllegalAction(
            _("An extension request for this ticket is already waiting for a decision.")
        )
    step = perform(actor, ticket, Action.REQUEST_EXTENSION, expected_version=expected_version)
    request = ExtensionRequest(
        ticket=ticket,
        requested_by=actor,
        working_days=working_days,
        reason=reason,
        status=ExtensionStatus.PENDING.value,
        created_at=step.at,
    )
    db.session.add(request)
    db.session.flush()  # the event names the request
    record_event(
        ticket,
        actor,
        EventKind.EXTENSION_REQUESTED,
        step=step,
        public=False,
        reason=reason,
        changes={"working_days": working_days, "extension_request_id": request.id},
    )
    return request


def decide_extension(
    actor: User,
    request: ExtensionRequest,
    approve: bool,
    note: str | None = None,
    *,
    expected_version: int | None = None,
) -> None:
    """A lead or supervisor approves or rejects a pending extension request."""
    ticket = request.ticket
    if request.status != ExtensionStatus.PENDING.value:
        raise IllegalAction(_("This extension request has already been decided."))
    note = (note or "").strip() or None
    if not approve and not note:
        raise IllegalAction(_("Please say why the extension is rejected."))
    kind = EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED
    step = perform(actor, ticket, Action.DECIDE_EXTENSION, expected_version=expected_version)
    changes: dict[str, Any] = {"working_days": request.working_days}
    if approve:
        before = ticket.resolve_due_at
        sla.apply_extension(ticket, request.working_days)
        changes["resolve_due_at"] = [_iso(before), _iso(ticket.resolve_due_at)]
    changes["extension_request_id"] = request.id
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by = actor
    request.decided_at = step.at
    request.decision_note = note
    record_event(ticket, actor, kind, step=step, public=False, reason=note, changes=changes)
