"""Forms for filing and working tickets. Every action form carries the ticket's version."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from servicedesk.forms import BaseForm, ascii_int, within_calendar_years
from servicedesk.sla.labels import URGENCY_LABELS
from servicedesk.sla.vocabulary import Urgency
from servicedesk.tickets.attachments import attachments_field, attachments_hint
from servicedesk.tickets.models import Channel, Rating

URGENCY_CHOICES = [(urgency.value, label) for urgency, label in URGENCY_LABELS.items()]
CHANNEL_CHOICES = [
    (Channel.EMAIL.value, _l("E-mail")),
    (Channel.SMS.value, _l("SMS")),
    (Channel.PHONE.value, _l("Phone call")),
]
RATING_CHOICES = [
    (Rating.SATISFIED.value, _l("Satisfied")),
    (Rating.BASICALLY_SATISFIED.value, _l("Basically satisfied")),
    (Rating.UNSATISFIED.value, _l("Unsatisfied: it needs rework")),
]
BODY_MAX = 10_000


def _text(label, required=True, max_length=BODY_MAX):
    validators = [DataRequired() if required else Optional(), Length(max=max_length)]
    return TextAreaField(label, validators=validators, render_kw={"rows": 4})


def _attachments():
    # The hint follows the settings (count, size) and is rendered in the reader's language.
    return attachments_field(description=LazyString(attachments_hint))


class FileTicketForm(BaseForm):
    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    urgency = SelectField(_l("Urgency"), choices=URGENCY_CHOICES, default=Urgency.NORMAL.value)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = _text(_l("Describe the difficulty"))
    key_project = SelectField(_l("Related key project"), coerce=int, default=0)
    preferred_channel = SelectField(_l("How should we contact you?"), choices=CHANNEL_CHOICES)
    attachments = _attachments()
    submit = SubmitField(_l("File the ticket"))


class ActionForm(BaseForm):
    """Base for every action on an existing ticket."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        version = ascii_int((self.version.data or "").strip())
        return -1 if version is None else version


class SignForm(ActionForm):
    submit = SubmitField(_l("Sign for this ticket"))


class DispatchForm(ActionForm):
    task_force = SelectField(_l("Task force"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Note for the task force"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Dispatch"))


class TransferForm(ActionForm):
    task_force = SelectField(_l("Transfer to"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Transfer"))


class ReturnForm(ActionForm):
    reason = StringField(
        _l("Why does this ticket not belong to your task force?"),
        validators=[DataRequired(), Length(max=500)],
    )
    submit = SubmitField(_l("Return to dispatch"))


class AssignForm(ActionForm):
    assignee = SelectField(_l("Assign to"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))


class ReplyForm(ActionForm):
    body = _text(_l("Reply to the enterprise"))
    attachments = _attachments()
    submit = SubmitField(_l("Send reply"))


class NoteForm(ActionForm):
    body = _text(_l("Internal note (never shown to the enterprise)"))
    attachments = _attachments()
    submit = SubmitField(_l("Add note"))


class RequestInfoForm(ActionForm):
    body = _text(_l("What do you need from the enterprise?"))
    submit = SubmitField(_l("Ask and pause the clock"))


class SiteVisitForm(ActionForm):
    visited_at = DateTimeLocalField(
        _l("When"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(), within_calendar_years]
    )
    location = StringField(_l("Where"), validators=[DataRequired(), Length(max=200)])
    participants = StringField(_l("Who took part"), validators=[DataRequired(), Length(max=500)])
    notes = _text(_l("What was found or agreed"))
    submit = SubmitField(_l("Record site visit"))


class ExtensionRequestForm(ActionForm):
    working_days = IntegerField(
        _l("Extra working days"), validators=[InputRequired(), NumberRange(min=1, max=15)]
    )
    reason = _text(_l("Reason"), max_length=2000)
    submit = SubmitField(_l("Request extension"))


class ExtensionDecisionForm(ActionForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[InputRequired()],
    )
    note = StringField(
        _l("Note (required when rejecting)"), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("Decide"))


class ResolveForm(ActionForm):
    summary = _text(_l("What was done to resolve the difficulty?"))
    submit = SubmitField(_l("Resolve"))


class EnterpriseReplyForm(ActionForm):
    body = _text(_l("Your message or the information requested"))
    attachments = _attachments()
    submit = SubmitField(_l("Send"))


class ConfirmForm(ActionForm):
    rating = RadioField(
        _l("How satisfied are you with the service?"),
        choices=RATING_CHOICES,
        validators=[InputRequired()],
    )
    comment = _text(_l("Comment (required when unsatisfied)"), required=False, max_length=2000)
    submit = SubmitField(_l("Confirm"))


class ReopenForm(ActionForm):
    reason = _text(_l("What is still not solved?"), max_length=2000)
    submit = SubmitField(_l("Reopen for rework"))


class WithdrawForm(ActionForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Withdraw the ticket"))
