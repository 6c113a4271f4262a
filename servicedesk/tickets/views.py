"""Ticket pages: filing, the enterprise's list, the staff queues, the ticket itself, actions."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from servicedesk.auth.access import roles_required
from servicedesk.auth.models import Role
from servicedesk.clock import utcnow
from servicedesk.enterprises.queries import industry_chains, key_project_or_none, key_projects_of
from servicedesk.extensions import db
from servicedesk.forms import day_arg, int_arg, page_arg
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sla.forms import minutes_to_hours
from servicedesk.tickets import labels, queries, services, sla
from servicedesk.tickets.access import can_view, relations_of, sees_internal
from servicedesk.tickets.actions import ACTIONS, build_form
from servicedesk.tickets.attachments import discard_stored, send_attachment
from servicedesk.tickets.extension_requests import pending_extension
from servicedesk.tickets.forms import URGENCY_CHOICES, FileTicketForm
from servicedesk.tickets.labels import CARD_LABELS, TICKET_STATUS_LABELS, label
from servicedesk.tickets.models import Attachment, Ticket
from servicedesk.tickets.panels import render_panels
from servicedesk.tickets.rules import (
    IllegalAction,
    Status,
    allowed_actions,
    next_status,
)

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


@bp.app_template_global()
def working_time_left(due: datetime | None, now: datetime) -> str:
    """How much working time is left until ``due`` ("1.5 working hours left"), or how much it
    is overdue; empty without a deadline."""
    if due is None:
        return ""
    minutes = sla.working_minutes_left(due, now)
    if minutes > 0:
        return _("%(hours)s working hours left", hours=minutes_to_hours(minutes))
    return _("%(hours)s working hours overdue", hours=minutes_to_hours(-minutes))


@bp.app_template_global()
def status_label(status: str) -> str:
    """The readable name of a ticket status, in the user's language."""
    return labels.status_label(status)


@bp.app_template_global()
def card_label(card: str) -> str:
    """The readable name of a colour card (blue, yellow, red), in the user's language."""
    return label(CARD_LABELS, card)


@bp.app_context_processor
def ticket_vocabulary() -> dict:

    return {
        "EVENT_LABELS": labels.EVENT_LABELS,
        "RATING_LABELS": labels.RATING_LABELS,
        "CHANNEL_LABELS": labels.CHANNEL_LABELS,
        "CHANGE_LABELS": labels.CHANGE_LABELS,
        "label_of": labels.label,
        "change_text": labels.change_text,
    }


STAFF_ROLES = (Role.MEMBER, Role.LEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)


def _visible_ticket_or_404(reference: str) -> Ticket:
    ticket = queries.ticket_by_reference(reference)
    if ticket is None or not can_view(current_user, ticket):
        abort(404)
    return ticket


def _rollback_with_files() -> None:
    """Undo the session and delete any attachment files written for it."""
    stored = [obj for obj in db.session.new if isinstance(obj, Attachment)]
    db.session.rollback()
    discard_stored(stored)


# --- the enterprise's side ----------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ENTERPRISE_CONTACT)
def new():
    form = FileTicketForm()
    form.category.choices = [(c.id, c.name) for c in queries.active_categories()]
    projects = key_projects_of(current_user.enterprise_id)
    form.key_project.choices = [(0, _("— none —"))] + [(p.id, p.name) for p in projects]
    if form.validate_on_submit():
        project = key_project_or_none(form.key_project.data)
        files = [s for s in (form.attachments.data or []) if getattr(s, "filename", "")]
        try:
            ticket = services.file_ticket(
                current_user,
                category=queries.category_or_none(form.category.data),
                urgency=form.urgency.data,
                title=form.title.data,
                description=form.description.data,
                preferred_channel=form.preferred_channel.data,
                key_project=project,
                files=files,
            )
            db.session.commit()
        except IllegalAction as exc:
            _rollback_with_files()
            flash(exc.message, "danger")
        else:
            flash(
                _(
                    "Your ticket has been filed with reference number %(ref)s.",
                    ref=ticket.reference,
                ),
                "success",
            )
            return redirect(url_for("tickets.detail", reference=ticket.reference))
    return render_template("tickets/new.html", form=form)


@bp.route("/mine")
@roles_required(Role.ENTERPRISE_CONTACT)
def my_tickets():
    status = request.args.get("status")
    query = queries.enterprise_tickets(
        current_user, status if status in {s.value for s in Status} else None
    )
    page = db.paginate(
        query, page=page_arg(), per_page=current_app.config["TICKETS_PER_PAGE"], error_out=False
    )
    return render_template(
        "tickets/mine.html", page=page, status=status, statuses=TICKET_STATUS_LABELS, now=utcnow()
    )


# --- the staff's side ---------------------------------------------------------------------


def filters_from_request() -> queries.TicketFilters:
    """The queue filters a request asks for (also the ticket lists behind supervision numbers)."""

    status = request.args.get("status") or None
    urgency = request.args.get("urgency") or None
    ticket_set = request.args.get("set") or None
    part = request.args.get("part")
    return queries.TicketFilters(
        status=status if status in {s.value for s in Status} else None,
        category_id=int_arg("category"),
        chain_id=int_arg("chain"),
        urgency=urgency if urgency in dict(URGENCY_CHOICES) else None,
        enterprise_id=int_arg("enterprise"),
        text=(request.args.get("q") or "").strip()[:100] or None,
        task_force_id=int_arg("task_force"),
        ticket_set=ticket_set if ticket_set in queries.TICKET_SETS else None,
        part=part if part in ("num", "den") else "den",
        date_from=day_arg("from"),
        date_to=day_arg("to"),
    )


@bp.route("/queue")
@roles_required(*STAFF_ROLES)
def queue():

    tabs = queries.queues_for(current_user)
    names = {q.name for q in tabs}
    view = request.args.get("view") or queries.default_queue(current_user)
    if view not in names:
        view = tabs[0].name
    now = utcnow()
    soon = load_calendar().add_working_minutes(
        now, current_app.config["DUE_SOON_WORKING_HOURS"] * 60
    )
    filters = filters_from_request()
    query = queries.apply_filters(queries.queue_query(current_user, view, now, soon), filters)
    page = db.paginate(
        query, page=page_arg(), per_page=current_app.config["TICKETS_PER_PAGE"], error_out=False
    )
    return render_template(
        "tickets/queue.html",
        page=page,
        tabs=tabs,
        view=view,
        filters=filters,
        now=now,
        statuses=TICKET_STATUS_LABELS,
        urgencies=URGENCY_CHOICES,
        ticket_sets=queries.TICKET_SETS,
        categories=queries.categories(),
        chains=industry_chains(),
    )


# --- one ticket ---------------------------------------------------------------------------


def _render_detail(ticket: Ticket, failed: tuple[str, object] | None = None, status: int = 200):
    relations = relations_of(current_user, ticket)
    allowed = allowed_actions(ticket.status, relations)
    forms = {}
    for name, spec in ACTIONS.items():
        if spec.action in allowed:
            forms[name] = failed[1] if failed and failed[0] == name else build_form(name, ticket)
    if "decide_extension" in forms or "request_extension" in forms:
        pending = pending_extension(ticket)
        if pending is None:
            forms.pop("decide_extension", None)
        else:
            forms.pop("request_extension", None)
    else:
        pending = None
    internal = sees_internal(current_user, ticket)
    events = [e for e in ticket.events if internal or e.public]
    attachments = [a for a in ticket.attachments if internal or a.public]
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        forms=forms,
        actions=ACTIONS,
        events=events,
        attachments=attachments,
        internal=internal,
        pending_extension=pending,
        failed=failed[0] if failed else None,
        panels=render_panels(ticket, current_user),
        side_panels=render_panels(ticket, current_user, slot="side"),
        now=utcnow(),
    ), status


@bp.route("/<reference>")
@login_required
def detail(reference: str):
    return _render_detail(_visible_ticket_or_404(reference))


def _reread(ticket_id: int) -> Ticket:
    """The ticket as the database has it after a rollback."""
    ticket = queries.ticket_by_id(ticket_id)
    assert ticket is not None, "tickets are never deleted"
    return ticket


@bp.route("/<reference>/act/<name>", methods=["POST"])
@login_required
def act(reference: str, name: str):
    ticket = _visible_ticket_or_404(reference)
    spec = ACTIONS.get(name)
    if spec is None:
        abort(404)
    form = build_form(name, ticket, submitted=True)
    try:  # a stale page first: that explains a refused action best
        services.check_version(ticket, form.expected_version())
        next_status(ticket.status, spec.action)
        if spec.action not in allowed_actions(ticket.status, relations_of(current_user, ticket)):
            raise IllegalAction(_("You may not do this on ticket %(ref)s.", ref=ticket.reference))
    except IllegalAction as exc:
        form.form_errors.append(exc.message)
        flash(exc.message, "danger")
        return _render_detail(ticket, failed=(name, form))
    if not form.validate_on_submit():
        return _render_detail(ticket, failed=(name, form))
    try:
        spec.perform(current_user, ticket, form)
        db.session.commit()
    except IllegalAction as exc:
        _rollback_with_files()
        form.form_errors.append(exc.message)
        flash(exc.message, "danger")
        return _render_detail(_reread(ticket.id), failed=(name, form))
    except StaleDataError:
        _rollback_with_files()
        message = str(services.ConcurrentUpdate(ticket))
        form.form_errors.append(message)
        flash(message, "danger")
        return _render_detail(_reread(ticket.id), failed=(name, form))
    flash(str(spec.done), "success")
    if can_view(current_user, ticket):
        return redirect(url_for("tickets.detail", reference=ticket.reference))
    return redirect(url_for("web.home"))


@bp.route("/<reference>/attachments/<int:attachment_id>")
@login_required
def attachment(reference: str, attachment_id: int):
    ticket = _visible_ticket_or_404(reference)
    item = queries.attachment_or_none(attachment_id)
    if item is None or item.ticket_id != ticket.id:
        abort(404)
    if not item.public and not sees_internal(current_user, ticket):
        abort(404)
    return send_attachment(item)
