"""Admin pages for task forces: list, create, edit."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from servicedesk.auth.access import admin_required
from servicedesk.auth.queries import user_or_none
from servicedesk.crud import FormPages, Refused
from servicedesk.extensions import db
from servicedesk.forms import id_or_none
from servicedesk.taskforces.forms import TaskForceForm
from servicedesk.taskforces.models import TaskForce
from servicedesk.taskforces.queries import task_forces
from servicedesk.taskforces.services import (
    create_task_force,
    lead_candidates,
    member_candidates,
    update_task_force,
    users_by_ids,
)

bp = Blueprint("taskforces", __name__, url_prefix="/admin/task-forces")

#: Shown when someone saved the same name a moment ago.
NAME_TAKEN = Refused(_l("There is already a task force with this name."), "name")

TASK_FORCE_PAGES = FormPages(
    "admin/taskforces/form.html",
    "task_force",
    next_url=lambda _saved: url_for("taskforces.index"),
    conflict=NAME_TAKEN,
)


@bp.route("/")
@admin_required
def index():
    """Every task force with its lead and number of members."""
    return render_template("admin/taskforces/index.html", rows=task_forces())


def _task_force_fields(form: TaskForceForm) -> dict:
    lead = user_or_none(id_or_none(form.lead_id.data))
    return dict(
        name=form.name.data,
        description=form.description.data,
        lead=lead,
        members=users_by_ids(form.member_ids.data),
        active=form.active.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    """Add a task force."""
    form = TaskForceForm()
    form.set_choices(lead_candidates(), member_candidates())
    return TASK_FORCE_PAGES.save(
        form,
        lambda: create_task_force(current_user, **_task_force_fields(form)),
        saved=lambda created: _("The task force %(name)s was created.", name=created.name),
    )


@bp.route("/<int:task_force_id>", methods=["GET", "POST"])
@admin_required
def edit(task_force_id: int):
    """Change a task force."""
    task_force = db.get_or_404(TaskForce, task_force_id)
    form = TaskForceForm(obj=task_force)
    if not form.is_submitted():
        form.member_ids.data = [m.user_id for m in task_force.memberships]
    form.set_choices(lead_candidates(task_force.lead), member_candidates(task_force.members))
    return TASK_FORCE_PAGES.save(
        form,
        lambda: update_task_force(current_user, task_force, **_task_force_fields(form)),
        saved=lambda saved: _("The task force %(name)s was saved.", name=saved.name),
        row=task_force,
    )
