"""The base form, request values read safely, and fields shared by the admin pages.

Every form derives from :class:`BaseForm`, which refuses control characters in any text.
Numbers and days read from the query string go through :func:`int_arg` and :func:`day_arg`,
which accept only what the database can hold. A select of rows posts the row's id; ``0``
stands for "none". Posted ids that are not among the offered choices (deleted rows, rows of
someone else, made-up numbers, letters) are refused with a field error, never passed on to the
database.
"""

from __future__ import annotations

import re
from datetime import date

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

#: The value a select posts for "no row".
NO_ID = 0
#: The largest id or count the database holds (a signed 64-bit integer).
MAX_INT = 2**63 - 1
#: Days typed into a form or a filter must lie in these years (the calendar knows no others).
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Tab, line feed and carriage return are text; every other C0 control character and DEL is not
# (PostgreSQL cannot even store NUL).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_NUMBER = re.compile("[0-9]{1,19}")

_NOT_OFFERED = _l("Please choose one of the listed options.")
_NOT_A_NUMBER = _l("Please choose one of the listed options (the value sent was not valid).")


class BaseForm(FlaskForm):
    """A Flask-WTF form that refuses control characters (other than tab and newline) in text."""

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then no control characters in any text field."""
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
                field.errors = [*field.errors, _("This text may not contain control characters.")]
                valid = False
        return valid


def ascii_int(text: str | None) -> int | None:
    """``text`` as a whole number of ASCII digits that fits 64 bits, else None.

    ``str.isdigit()`` accepts "²" and ``int()`` accepts "١٢"; neither belongs in an id.
    """
    if text is None or not _ASCII_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_INT else None


def int_arg(name: str) -> int | None:
    """A query-string number (an id, a page, a year), or None when it is missing or not one."""
    return ascii_int(request.args.get(name))


def page_arg() -> int:
    """The ``?page=`` number, 1 when missing or not a page number."""
    page = int_arg("page")
    # A page past 10^6 would ask the database for an offset past 64 bits at large page sizes.
    return page if page is not None and 1 <= page <= 1_000_000 else 1


def in_calendar_years(day: date | None) -> bool:
    """Whether ``day`` lies in the years forms accept (FIRST_YEAR to LAST_YEAR)."""
    return day is not None and FIRST_YEAR <= day.year <= LAST_YEAR


def day_arg(name: str) -> date | None:
    """A query-string day (YYYY-MM-DD) in the years forms accept, else None."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if in_calendar_years(day) else None


def within_calendar_years(form: FlaskForm, field: Field) -> None:
    """A field validator: the day (or moment) lies in the years forms accept."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _(
                "Please choose a day between %(first)d and %(last)d.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )


def none_choice(label: str | None = None) -> tuple[int, str]:
    """The "— none —" entry that heads an optional select."""
    return (NO_ID, label or _l("— none —"))


def id_or_none(value: int | None) -> int | None:
    """A selected id, or None for the "— none —" choice."""
    return value or None


class IdSelectField(SelectField):
    """A select of database rows by id (``coerce=int``); ``0`` means none."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("default", NO_ID)
        super().__init__(label, validators, **kwargs)
        # Bootstrap-Flask styles selects by the field's type name.
        self.type = "SelectField"

    def process_data(self, value):
        super().process_data(NO_ID if value is None else value)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except ValueError as exc:
                raise ValueError(str(_NOT_A_NUMBER)) from exc

    def pre_validate(self, form):
        # StopValidation: a bad id must not be reported as a missing one by DataRequired.
        if self.process_errors:
            raise StopValidation()
        if self.data is None or all(value != self.data for value, _label in self._pairs()):
            raise StopValidation(str(_NOT_OFFERED))

    def _pairs(self) -> list[tuple[int, str]]:
        return [(self.coerce(choice[0]), choice[1]) for choice in self.choices or []]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (roles, task forces, members)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("default", [])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(value) for value in valuelist]
        except ValueError as exc:
            raise ValueError(str(_NOT_A_NUMBER)) from exc

    def pre_validate(self, form):
        offered = {self.coerce(choice[0]) for choice in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(str(_NOT_OFFERED))
