"""Forms of the enterprise, industry-chain and key-project administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SearchField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from servicedesk.enterprises.labels import PROJECT_LEVEL_LABELS, PROJECT_STATUS_LABELS
from servicedesk.enterprises.models import ProjectLevel, ProjectStatus
from servicedesk.forms import BaseForm, IdSelectField, none_choice


def _labelled(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


def _named(rows) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in rows]


class EnterpriseSearchForm(BaseForm):
    """The search box above the enterprise list (sent with GET)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or credit code"), validators=[Optional(), Length(max=200)])


class EnterpriseForm(BaseForm):
    """An enterprise; the view offers the industry chains."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("18 characters, e.g. 91110000600037341L; spaces and hyphens are removed."),
    )
    accept_failed_check = BooleanField(_l("Accept despite a failed check"))
    uscc_override_reason = TextAreaField(
        _l("Reason for accepting the code"),
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "Required when accepting a code that fails the check, e.g. "
            "“early pilot code, confirmed against the business licence”."
        ),
    )
    industry_chain_id = IdSelectField(_l("Industry chain"))
    is_chain_leader = BooleanField(
        _l("Chain-leader enterprise (its tickets use the green channel)")
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def set_choices(self, chains: list) -> None:
        """Offer these industry chains."""
        self.industry_chain_id.choices = [none_choice(), *_named(chains)]


class ChainForm(BaseForm):
    """An industry chain and its five-ones; the view offers enterprises and task forces."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    chain_leader_enterprise_id = IdSelectField(
        _l("Chain-leader enterprise"),
        description=_l("The chosen enterprise joins this chain and is marked as chain leader."),
    )
    chief_scientist = StringField(_l("Chief scientist"), validators=[Optional(), Length(max=200)])
    task_force_id = IdSelectField(_l("Task force"))
    policy_package = TextAreaField(_l("Policy package"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def set_choices(self, enterprises: list, task_forces: list) -> None:
        """Offer these enterprises and task forces."""
        self.chain_leader_enterprise_id.choices = [none_choice(), *_named(enterprises)]
        self.task_force_id.choices = [none_choice(), *_named(task_forces)]


class ProjectFilterForm(BaseForm):
    """Filters above the key-project list (sent with GET)."""

    class Meta:
        csrf = False

    level = SelectField(
        _l("Level"),
        choices=[("", _l("— any level —")), *_labelled(PROJECT_LEVEL_LABELS)],
        default="",
    )
    industry_chain_id = IdSelectField(_l("Industry chain"))
    status = SelectField(
        _l("Status"),
        choices=[("", _l("— any status —")), *_labelled(PROJECT_STATUS_LABELS)],
        default="",
    )

    def set_choices(self, chains: list) -> None:
        """Offer these industry chains."""
        self.industry_chain_id.choices = [none_choice(_l("— any chain —")), *_named(chains)]


class ProjectForm(BaseForm):
    """A key project; the view offers enterprises, chains and task forces."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    level = SelectField(
        _l("Level"), choices=_labelled(PROJECT_LEVEL_LABELS), default=ProjectLevel.DISTRICT.value
    )
    enterprise_id = IdSelectField(
        _l("Enterprise"),
        validators=[DataRequired(_l("Please choose the enterprise that runs the project."))],
    )
    industry_chain_id = IdSelectField(_l("Industry chain"))
    task_force_id = IdSelectField(_l("Task force"))
    status = SelectField(
        _l("Status"), choices=_labelled(PROJECT_STATUS_LABELS), default=ProjectStatus.PLANNED.value
    )
    submit = SubmitField(_l("Save"))

    def set_choices(self, enterprises: list, chains: list, task_forces: list) -> None:
        """Offer these enterprises, chains and task forces."""
        self.enterprise_id.choices = [
            none_choice(_l("— choose an enterprise —")),
            *_named(enterprises),
        ]
        self.industry_chain_id.choices = [none_choice(), *_named(chains)]
        self.task_force_id.choices = [none_choice(), *_named(task_forces)]
