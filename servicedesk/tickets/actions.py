"""The table of actions on an existing ticket: which form, which service call, which message.

The views walk this table, so adding an action means one entry here plus its service function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from servicedesk.auth.models import User
from servicedesk.clock import park_zone
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets import casework, closing, extension_requests, services
from servicedesk.tickets import forms as f
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.rules import Action, IllegalAction


def _files(form) -> list:
    return [s for s in (form.attachments.data or []) if getattr(s, "filename", "")]


def _active_task_forces(exclude_id: int | None = None) -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(TaskForce).where(TaskForce.active.is_(True)).order_by(TaskForce.name)
    ).all()
    return [(t.id, t.name) for t in rows if t.id != exclude_id]


def _team_choices(ticket: Ticket) -> list[tuple[int, str]]:
    if ticket.task_force is None:
        return []
    people = [m for m in ticket.task_force.members if m.active]
    if ticket.task_force.lead is not None and ticket.task_force.lead not in people:
        people.insert(0, ticket.task_force.lead)
    return [(u.id, u.name) for u in people]


def _to_utc(local: datetime) -> datetime:
    """A naive local datetime typed into a form, as naive UTC."""
    zone = park_zone()
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _task_force(form) -> TaskForce | None:
    return db.session.get(TaskForce, form.task_force.data) if form.task_force.data else None


def _extension_decision(actor: User, ticket: Ticket, form) -> None:
    pending = extension_requests.pending_extension(ticket)
    if pending is None:
        raise IllegalAction(_("There is no extension request waiting for a decision."))
    extension_requests.decide_extension(
        actor,
        pending,
        form.decision.data == "approve",
        form.note.data,
        expected_version=form.expected_version(),
    )


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    form: type[f.ActionForm]
    perform: Callable[[User, Ticket, f.ActionForm], object]
    done: str
    title: str
    prepare: Callable[[f.ActionForm, Ticket], None] | None = None
    multipart: bool = False
    danger: bool = False


def _v(form) -> dict:
    return {"expected_version": form.expected_version()}


ACTIONS: dict[str, ActionSpec] = {
    "dispatch": ActionSpec(
        Action.DISPATCH,
        f.DispatchForm,
        lambda u, t, fm: services.dispatch(u, t, _task_force(fm), reason=fm.reason.data, **_v(fm)),
        _l("The ticket has been dispatched."),
        _l("Dispatch"),
        prepare=lambda fm, t: setattr(fm.task_force, "choices", _active_task_forces()),
    ),
    "sign": ActionSpec(
        Action.SIGN,
        f.SignForm,
        lambda u, t, fm: casework.sign(u, t, **_v(fm)),
        _l("You have signed for the ticket."),
        _l("Sign for"),
    ),
    "assign": ActionSpec(
        Action.ASSIGN,
        f.AssignForm,
        lambda u, t, fm: casework.assign(u, t, db.session.get(User, fm.assignee.data), **_v(fm)),
        _l("The ticket has been assigned."),
        _l("Assign"),
        prepare=lambda fm, t: setattr(fm.assignee, "choices", _team_choices(t)),
    ),
    "reply": ActionSpec(
        Action.REPLY,
        f.ReplyForm,
        lambda u, t, fm: casework.reply(u, t, fm.body.data, _files(fm), **_v(fm)),
        _l("Your reply has been sent to the enterprise."),
        _l("Reply"),
        multipart=True,
    ),
    "enterprise_reply": ActionSpec(
        Action.ENTERPRISE_REPLY,
        f.EnterpriseReplyForm,
        lambda u, t, fm: casework.enterprise_reply(u, t, fm.body.data, _files(fm), **_v(fm)),
        _l("Your message has been added to the ticket."),
        _l("Write to the task force"),
        multipart=True,
    ),
    "confirm": ActionSpec(
        Action.CONFIRM,
        f.ConfirmForm,
        lambda u, t, fm: closing.confirm(u, t, fm.rating.data, fm.comment.data, **_v(fm)),
        _l("Thank you for your rating."),
        _l("Confirm and rate"),
    ),
    "reopen": ActionSpec(
        Action.REOPEN,
        f.ReopenForm,
        lambda u, t, fm: closing.reopen(u, t, fm.reason.data, **_v(fm)),
        _l("The ticket has been reopened for rework."),
        _l("Not solved? Reopen"),
    ),
    "request_info": ActionSpec(
        Action.REQUEST_INFO,
        f.RequestInfoForm,
        lambda u, t, fm: casework.request_info(u, t, fm.body.data, **_v(fm)),
        _l("The enterprise has been asked; the clock is paused until it answers."),
        _l("Ask the enterprise for information"),
    ),
    "site_visit": ActionSpec(
        Action.SITE_VISIT,
        f.SiteVisitForm,
        lambda u, t, fm: casework.record_site_visit(
            u,
            t,
            visited_at=_to_utc(fm.visited_at.data),
            location=fm.location.data,
            participants=fm.participants.data,
            notes=fm.notes.data,
            **_v(fm),
        ),
        _l("The site visit has been recorded."),
        _l("Record a site visit"),
    ),
    "resolve": ActionSpec(
        Action.RESOLVE,
        f.ResolveForm,
        lambda u, t, fm: casework.resolve(u, t, fm.summary.data, **_v(fm)),
        _l("The ticket is resolved; the enterprise has been asked to confirm."),
        _l("Resolve"),
    ),
    "note": ActionSpec(
        Action.NOTE,
        f.NoteForm,
        lambda u, t, fm: casework.add_note(u, t, fm.body.data, _files(fm), **_v(fm)),
        _l("The internal note has been added."),
        _l("Internal note"),
        multipart=True,
    ),
    "request_extension": ActionSpec(
        Action.REQUEST_EXTENSION,
        f.ExtensionRequestForm,
        lambda u, t, fm: extension_requests.request_extension(
            u, t, fm.working_days.data, fm.reason.data, **_v(fm)
        ),
        _l("The extension request has been sent for a decision."),
        _l("Request an extension"),
    ),
    "decide_extension": ActionSpec(
        Action.DECIDE_EXTENSION,
        f.ExtensionDecisionForm,
        _extension_decision,
        _l("The extension request has been decided."),
        _l("Decide the extension request"),
    ),
    "transfer": ActionSpec(
        Action.TRANSFER,
        f.TransferForm,
        lambda u, t, fm: services.transfer(u, t, _task_force(fm), fm.reason.data, **_v(fm)),
        _l("The ticket has been transferred."),
        _l("Transfer to another task force"),
        prepare=lambda fm, t: setattr(
            fm.task_force, "choices", _active_task_forces(t.task_force_id)
        ),
    ),
    "return": ActionSpec(
        Action.RETURN,
        f.ReturnForm,
        lambda u, t, fm: services.return_to_dispatch(u, t, fm.reason.data, **_v(fm)),
        _l("The ticket has been returned to dispatch."),
        _l("Return to dispatch"),
        danger=True,
    ),
    "withdraw": ActionSpec(
        Action.WITHDRAW,
        f.WithdrawForm,
        lambda u, t, fm: closing.withdraw(u, t, fm.reason.data, **_v(fm)),
        _l("The ticket has been withdrawn."),
        _l("Withdraw"),
        danger=True,
    ),
}


def build_form(name: str, ticket: Ticket, submitted: bool = False) -> f.ActionForm:
    """The form of action ``name`` for ``ticket`` with its choices filled in: blank and carrying
    the ticket's current version, or (``submitted``) holding what the user just sent."""
    spec = ACTIONS[name]
    form = spec.form(prefix=name) if submitted else spec.form(formdata=None, prefix=name)
    if spec.prepare:
        spec.prepare(form, ticket)
    if not submitted:
        form.version.data = str(ticket.version)
    return form
