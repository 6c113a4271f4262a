"""Forms of the user administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from servicedesk.auth.models import Role
from servicedesk.forms import BaseForm, IdSelectField, MultiCheckboxField, none_choice
from servicedesk.validators import validate_mobile_field

ROLE_LABELS = {
    Role.ENTERPRISE_CONTACT: _l("Enterprise contact (files tickets for one enterprise)"),
    Role.DISPATCHER: _l("Dispatcher (routes new tickets)"),
    Role.MEMBER: _l("Task-force member (works tickets)"),
    Role.LEAD: _l("Task-force lead (assigns, approves extensions)"),
    Role.SUPERVISOR: _l("Supervisor (sees the whole park)"),
    Role.ADMIN: _l("Administrator"),
}


def role_choices() -> list[tuple[str, str]]:
    """Every role with its label, in a fixed order."""
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class UserSearchForm(BaseForm):
    """The search box and role filter above the user list (sent with GET)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or e-mail"), validators=[Optional(), Length(max=100)])
    role = SelectField(
        _l("Role"), validators=[Optional()], choices=[("", _l("— any role —")), *role_choices()]
    )


class UserForm(BaseForm):
    """An account's details; the view offers the enterprises and task forces."""

    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    mobile = StringField(
        _l("Mobile number"),
        validators=[Optional(), Length(max=20), validate_mobile_field],
        description=_l("Mainland mobile number; +86 may be typed or left out."),
    )
    roles = MultiCheckboxField(_l("Roles"), coerce=str, choices=role_choices())
    enterprise_id = IdSelectField(
        _l("Enterprise"), description=_l("Required for enterprise contacts, and only for them.")
    )
    task_force_ids = MultiCheckboxField(
        _l("Task forces"), description=_l("For task-force members and leads.")
    )
    submit = SubmitField(_l("Save"))

    def set_choices(self, enterprises: list, task_forces: list) -> None:
        """Offer these enterprises and task forces."""
        self.enterprise_id.choices = [none_choice(), *[(e.id, e.name) for e in enterprises]]
        self.task_force_ids.choices = [(t.id, t.name) for t in task_forces]

    def validate_roles(self, field) -> None:
        """At least one role."""
        if not field.data:
            raise ValidationError(_l("Please choose at least one role."))


class UserCreateForm(UserForm):
    """A new account: the details plus an initial password."""

    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "At least 8 characters, not digits only. Ask the person to change it after signing in."
        ),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )


class PasswordResetForm(BaseForm):
    """An admin sets a new password for someone."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set the new password"))
