"""Forms for recording and cancelling absences. Times are typed in the park's time zone and
handed to the services as naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from servicedesk.absences.services import NOTE_MAX
from servicedesk.auth.models import User
from servicedesk.clock import park_zone
from servicedesk.forms import BaseForm, IdSelectField, none_choice, within_calendar_years

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def park_time_to_utc(local: datetime) -> datetime:
    """A naive park-local moment typed into a form, as the naive UTC the database stores."""
    return local.replace(tzinfo=park_zone()).astimezone(UTC).replace(tzinfo=None)


def _moment(label) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=MOMENT_FORMAT, validators=[InputRequired(), within_calendar_years]
    )


def people_choices(people: list[User]) -> list[tuple[int, str]]:
    """A select's choices for these people, after "— choose —": ids and names (with the
    e-mail address for namesakes)."""
    names = [p.name for p in people]
    return [none_choice(_l("— choose —"))] + [
        (p.id, p.name if names.count(p.name) == 1 else f"{p.name} <{p.email}>") for p in people
    ]


class AbsenceForm(BaseForm):
    """Someone's absence: who (on the team page), from when until when, and who stands in."""

    person = IdSelectField(_l("Who is away"), validators=[DataRequired()])
    starts_at = _moment(_l("Away from"))
    ends_at = _moment(_l("Back at"))
    deputy = IdSelectField(
        _l("Deputy"),
        validators=[DataRequired()],
        description=_l(
            "Receives the reminders and new-ticket notices addressed to the person away, "
            "until they are back."
        ),
    )
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Record the absence"))

    def set_choices(self, people: list[User] | None, deputies: list[User]) -> None:
        """Offer these people (None: the form is about oneself) and deputies."""
        if people is not None:
            self.person.choices = people_choices(people)
        self.deputy.choices = people_choices(deputies)

    def times(self) -> dict[str, datetime]:
        """The typed times as naive UTC, for the service."""
        return {
            "starts_at": park_time_to_utc(self.starts_at.data),
            "ends_at": park_time_to_utc(self.ends_at.data),
        }


class OwnAbsenceForm(AbsenceForm):
    """One's own absence: nobody to choose."""

    person = None  # type: ignore[assignment]


class CancelAbsenceForm(BaseForm):
    """End an absence now (or delete it, when it has not begun)."""

    submit = SubmitField(_l("Cancel"))
