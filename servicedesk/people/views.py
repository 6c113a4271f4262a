"""Admin pages for people: list, create, edit, reset a password, deactivate and activate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from servicedesk.absences.queries import current_absences
from servicedesk.auth.access import admin_required
from servicedesk.auth.models import Role, User
from servicedesk.auth.services import reset_password, set_active
from servicedesk.clock import utcnow
from servicedesk.crud import FormPages, Refused, save_or_refuse
from servicedesk.enterprises.services import enterprise_choices
from servicedesk.extensions import db
from servicedesk.forms import id_or_none, int_arg
from servicedesk.people.forms import (
    ROLE_LABELS,
    PasswordResetForm,
    UserCreateForm,
    UserForm,
    UserSearchForm,
)
from servicedesk.people.queries import people_search
from servicedesk.people.services import create_account, update_account
from servicedesk.taskforces.services import task_force_choices, task_forces_of

bp = Blueprint("users", __name__, url_prefix="/admin/users")

PER_PAGE = 25

#: Shown when someone registered the same address a moment ago.
EMAIL_TAKEN = Refused(_l("This e-mail address was registered a moment ago."), "email")

ACCOUNT_PAGES = FormPages(
    "admin/users/form.html",
    "user",
    next_url=lambda _saved: url_for("users.index"),
    conflict=EMAIL_TAKEN,
)


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/")
@admin_required
def index():
    """People, searchable by name or e-mail and filtered by role."""
    search = UserSearchForm(request.args)
    query = people_search(search.q.data, search.role.data) if search.validate() else people_search()
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/users/index.html",
        search=search,
        page=page,
        role_labels=ROLE_LABELS,
        away=current_absences([user.id for user in page.items], utcnow()),
    )


def _account_fields(form: UserForm) -> dict:
    return dict(
        email=form.email.data,
        name=form.name.data,
        roles=set(form.roles.data),
        mobile=form.mobile.data,
        enterprise_id=id_or_none(form.enterprise_id.data),
        task_force_ids=form.task_force_ids.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    """Add an account, with roles, enterprise or task forces and an initial password."""
    form = UserCreateForm()
    form.set_choices(enterprise_choices(), task_force_choices())
    if not form.is_submitted() and int_arg("enterprise_id"):
        form.enterprise_id.data = int_arg("enterprise_id")
        form.roles.data = [Role.ENTERPRISE_CONTACT.value]
    return ACCOUNT_PAGES.save(
        form,
        lambda: create_account(current_user, password=form.password.data, **_account_fields(form)),
        saved=lambda created: _("The account for %(email)s was created.", email=created.email),
    )


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    """Change an account's details, roles, enterprise and task forces."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    memberships = task_forces_of(user)
    if not form.is_submitted():
        form.roles.data = sorted(role.value for role in user.roles)
        form.task_force_ids.data = [t.id for t in memberships]
    form.set_choices(enterprise_choices(user.enterprise), task_force_choices(memberships))
    return ACCOUNT_PAGES.save(
        form,
        lambda: update_account(current_user, user, **_account_fields(form)),
        saved=lambda saved: _("The account of %(name)s was saved.", name=saved.name),
        row=user,
    )


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def password(user_id: int):
    """Set a new password for someone who lost theirs."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    return save_or_refuse(
        form,
        lambda: reset_password(current_user, user, form.password.data),
        saved=lambda _none: _(
            "The password of %(name)s was changed. Tell them the new password "
            "through a safe channel.",
            name=user.name,
        ),
        next_url=lambda _none: url_for("users.edit", user_id=user.id),
        template="admin/users/password.html",
        user=user,
    )


def _switch(user_id: int, active: bool):
    user = _user_or_404(user_id)
    try:
        set_active(current_user, user, active)
    except Refused as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        if active:
            flash(_("The account of %(name)s is active again.", name=user.name), "success")
        else:
            flash(
                _(
                    "The account of %(name)s is deactivated; they can no longer sign in.",
                    name=user.name,
                ),
                "success",
            )
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(user_id: int):
    """Stop an account from signing in (it stays on the tickets it touched)."""
    return _switch(user_id, False)


@bp.route("/<int:user_id>/activate", methods=["POST"])
@admin_required
def activate(user_id: int):
    """Let a deactivated account sign in again."""
    return _switch(user_id, True)
