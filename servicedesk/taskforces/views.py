"""Admin pages for task forces: list, create, edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servicedesk.auth.access import admin_required
from servicedesk.auth.models import User
from servicedesk.extensions import db
from servicedesk.forms import id_or_none, show_refusal
from servicedesk.taskforces.forms import TaskForceForm
from servicedesk.taskforces.models import TaskForce
from servicedesk.taskforces.services import (
    TaskForceError,
    create_task_force,
    lead_candidates,
    member_candidates,
    update_task_force,
    users_by_ids,
)

bp = Blueprint("taskforces", __name__, url_prefix="/admin/task-forces")


@bp.route("/")
@admin_required
def index():
    """Every task force with its lead and number of members."""
    task_forces = db.session.scalars(select(TaskForce).order_by(TaskForce.name)).all()
    return render_template("admin/taskforces/index.html", task_forces=task_forces)


def _save(form: TaskForceForm, task_force: TaskForce | None):
    """Run the service for the form; returns the task force, or None when refused."""
    lead = db.session.get(User, form.lead_id.data) if id_or_none(form.lead_id.data) else None
    fields = dict(name=form.name.data, description=form.description.data, lead=lead,
                  members=users_by_ids(form.member_ids.data), active=form.active.data)
    try:
        if task_force is None:
            task_force = create_task_force(current_user, **fields)
        else:
            update_task_force(current_user, task_force, **fields)
        db.session.commit()
    except TaskForceError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return None
    except IntegrityError:
        db.session.rollback()
        form.name.errors.append(_("There is already a task force with this name."))
        return None
    return task_force


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    """Add a task force."""
    form = TaskForceForm()
    form.set_choices(lead_candidates(), member_candidates())
    if form.validate_on_submit():
        task_force = _save(form, None)
        if task_force is not None:
            flash(_("The task force %(name)s was created.", name=task_force.name), "success")
            return redirect(url_for("taskforces.index"))
    return render_template("admin/taskforces/form.html", form=form, task_force=None)


@bp.route("/<int:task_force_id>", methods=["GET", "POST"])
@admin_required
def edit(task_force_id: int):
    """Change a task force."""
    task_force = db.session.get(TaskForce, task_force_id) or abort(404)
    form = TaskForceForm(obj=task_force)
    if not form.is_submitted():
        form.member_ids.data = [m.user_id for m in task_force.memberships]
    form.set_choices(lead_candidates(task_force.lead), member_candidates(task_force.members))
    if form.validate_on_submit():
        if _save(form, task_force) is not None:
            flash(_("The task force %(name)s was saved.", name=task_force.name), "success")
            return redirect(url_for("taskforces.index"))
    return render_template("admin/taskforces/form.html", form=form, task_force=task_force)
