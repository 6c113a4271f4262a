"""The form for one rung of the escalation ladder: when it fires, who hears, on which channels."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange, StopValidation, ValidationError

from servicedesk.escalation.ladder import Rung
from servicedesk.escalation.models import Audience, Level, Trigger
from servicedesk.forms import BaseForm, MultiCheckboxField
from servicedesk.sla.forms import hours_to_minutes, minutes_to_hours
from servicedesk.tickets.labels import CHANNEL_LABELS
from servicedesk.tickets.models import MESSAGE_CHANNELS

#: Working time past a deadline may be set up to this many working hours.
MAX_OVERDUE_HOURS = 400
MAX_REPEAT_DAYS = 30

AUDIENCE_LABELS = {
    Audience.ASSIGNEE: _l("The assignee (every member while nobody has signed for it)"),
    Audience.MEMBERS: _l("Every member of the task force"),
    Audience.LEAD: _l("The task-force lead"),
    Audience.SUPERVISORS: _l("The supervisors"),
    Audience.DISPATCHERS: _l("The dispatchers"),
    Audience.ENTERPRISE: _l("The enterprise's contact who filed the ticket"),
}
TRIGGER_LABELS = {
    Trigger.SHARE_USED: _l("When a share of the allowed working time is used"),
    Trigger.OVERDUE: _l("When the deadline has passed by some working time"),
}


def _blank(field) -> bool:
    return not field.raw_data or not str(field.raw_data[0]).strip()


def _percent(form: RungForm, field: IntegerField) -> None:
    """Required, a whole number from 1 to 100 — but only when the step fires by share used."""
    if form.trigger.data != Trigger.SHARE_USED.value:
        field.errors = []  # whatever was typed here does not apply
        raise StopValidation()
    if _blank(field):
        field.errors = []
        raise StopValidation(_("Please enter the share of the working time, from 1 to 100."))
    if field.process_errors or not 1 <= field.data <= 100:
        field.errors = []
        raise StopValidation(_("The share must be a whole number from 1 to 100 per cent."))


def _hours(form: RungForm, field: DecimalField) -> None:
    """Required, from 0 to 400 working hours — but only when the step fires after the deadline."""
    if form.trigger.data != Trigger.OVERDUE.value:
        field.errors = []
        raise StopValidation()
    message = None
    if _blank(field):
        message = _("Please enter the working hours past the deadline (0 means at the deadline).")
    elif field.process_errors or not field.data.is_finite():
        message = _("Please enter a number of working hours, such as 0, 2 or 6.5.")
    elif field.data < 0:
        message = _("The working hours past the deadline cannot be negative.")
    elif field.data > MAX_OVERDUE_HOURS:
        message = _(
            "The working hours past the deadline may be at most %(max)d.", max=MAX_OVERDUE_HOURS
        )
    if message:
        field.errors = []
        raise StopValidation(message)


class _AudienceAndChannels(BaseForm):
    audiences = MultiCheckboxField(
        _l("Who hears it"),
        coerce=str,
        choices=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
        description=_l(
            "Red cards and daily reminders always reach the supervisors named here, "
            "whatever their own message choices."
        ),
    )
    channels = MultiCheckboxField(
        _l("Channels"), coerce=str, choices=[(c.value, CHANNEL_LABELS[c]) for c in MESSAGE_CHANNELS]
    )
    active = BooleanField(
        _l("In force"),
        default=True,
        description=_l("Untick to switch this step off without losing it."),
    )
    submit = SubmitField(_l("Save step"))

    def validate_audiences(self, field: MultiCheckboxField) -> None:
        """At least one kind of person must hear the step."""
        if not field.data:
            raise ValidationError(_("Please choose at least one kind of person to tell."))

    def validate_channels(self, field: MultiCheckboxField) -> None:
        """At least one channel."""
        if not field.data:
            raise ValidationError(_("Please choose at least one channel."))

    def fill(self, rung: Rung | None, active: bool) -> None:
        """Show a rung in the form (on GET)."""
        self.active.data = active
        if rung is not None:
            self.audiences.data = [str(a) for a in rung.audiences]
            self.channels.data = [str(c) for c in rung.channels]


class RungForm(_AudienceAndChannels):
    """A blue, yellow or red card: fires once, by share used or by working time overdue."""

    trigger = RadioField(
        _l("When it fires"),
        choices=[(t.value, label) for t, label in TRIGGER_LABELS.items()],
        validators=[InputRequired(_l("Please choose when the step fires."))],
    )
    percent = IntegerField(
        _l("Share of the allowed working time used (per cent)"),
        validators=[_percent],
        description=_l("For example 75: the step fires once three quarters of the time is used."),
    )
    hours = DecimalField(
        _l("Working hours past the deadline"),
        places=None,
        validators=[_hours],
        description=_l("0 means at the deadline; decimals are allowed, such as 1.5."),
    )

    def fill(self, rung: Rung | None, active: bool) -> None:
        """Show a rung in the form (on GET)."""
        super().fill(rung, active)
        if rung is None:
            return
        self.trigger.data = rung.trigger.value
        if rung.trigger is Trigger.SHARE_USED:
            self.percent.data = rung.threshold
        elif rung.trigger is Trigger.OVERDUE:
            self.hours.data = minutes_to_hours(rung.threshold)

    def rung(self, level: Level) -> Rung:
        """The validated rung; the threshold in per cent or in working minutes."""
        trigger = Trigger(self.trigger.data)
        if trigger is Trigger.SHARE_USED:
            threshold = self.percent.data
        else:
            threshold = hours_to_minutes(Decimal(self.hours.data))
        return Rung(
            level, trigger, threshold, tuple(self.audiences.data), tuple(self.channels.data)
        )


class RepeatForm(_AudienceAndChannels):
    """The daily reminder while a ticket holds red."""

    every_days = IntegerField(
        _l("Every how many working days"),
        validators=[
            InputRequired(_l("Please enter every how many working days, from 1 to 30.")),
            NumberRange(
                min=1,
                max=MAX_REPEAT_DAYS,
                message=_l("Please enter a whole number of working days from 1 to 30."),
            ),
        ],
        description=_l("Sent at the opening of the working day, on working days only."),
    )

    def fill(self, rung: Rung | None, active: bool) -> None:
        """Show a rung in the form (on GET)."""
        super().fill(rung, active)
        if rung is not None:
            self.every_days.data = rung.threshold

    def rung(self, level: Level) -> Rung:
        """The validated daily reminder."""
        return Rung(
            level,
            Trigger.DAILY,
            self.every_days.data,
            tuple(self.audiences.data),
            tuple(self.channels.data),
        )


def form_for(level: Level) -> type[_AudienceAndChannels]:
    """The form class that edits ``level``."""
    return RepeatForm if level is Level.REPEAT else RungForm
