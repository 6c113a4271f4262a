"""Form fields shared by the admin pages: selects of database rows and checkbox groups.

A select of rows posts the row's id; ``0`` stands for "none". Posted ids that are not among the
offered choices (deleted rows, rows of someone else, made-up numbers, letters) are refused with
a field error, never passed on to the database.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

#: The value a select posts for "no row".
NO_ID = 0

_NOT_OFFERED = _l("Please choose one of the listed options.")
_NOT_A_NUMBER = _l("Please choose one of the listed options (the value sent was not valid).")


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
