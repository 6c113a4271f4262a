"""Forms of the task-force administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from servicedesk.forms import BaseForm, IdSelectField, MultiCheckboxField, none_choice


class TaskForceForm(BaseForm):
    """A task force; the view offers the lead and member choices."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    lead_id = IdSelectField(
        _l("Lead"), description=_l("Only people with the task-force lead role are listed.")
    )
    member_ids = MultiCheckboxField(
        _l("Members"), description=_l("Only people with the member or lead role are listed.")
    )
    active = BooleanField(_l("Active (receives tickets)"), default=True)
    submit = SubmitField(_l("Save"))

    def set_choices(self, leads: list, members: list) -> None:
        """Offer these people as lead and as members."""
        self.lead_id.choices = [none_choice(), *[(u.id, f"{u.name} <{u.email}>") for u in leads]]
        self.member_ids.choices = [(u.id, f"{u.name} <{u.email}>") for u in members]
