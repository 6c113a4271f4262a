"""The period picker and slice choice of the dashboard (a GET form: bookmarkable, no CSRF)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from servicedesk.clock import park_zone
from servicedesk.forms import BaseForm, within_calendar_years
from servicedesk.supervision.periods import (
    PERIOD_KINDS,
    Period,
    local_period,
    local_today,
    named_period,
)

MAX_CUSTOM_DAYS = 731

PERIOD_LABELS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "this_year": _l("This year"),
    "custom": _l("Custom range"),
}

SLICE_CHOICES = [
    ("task_force", _l("Task force")),
    ("chain", _l("Industry chain")),
    ("category", _l("Category")),
    ("urgency", _l("Urgency")),
    ("month", _l("Month")),
]


class PeriodForm(BaseForm):
    """Which period and which slice; bad input falls back to this month by task force."""

    class Meta:
        csrf = False

    period = SelectField(
        _l("Period"),
        choices=[(k, PERIOD_LABELS[k]) for k in PERIOD_KINDS],
        default="this_month",
        validate_choice=False,
    )
    date_from = DateField(_l("From"), validators=[Optional(), within_calendar_years])
    date_to = DateField(_l("To"), validators=[Optional(), within_calendar_years])
    slice = SelectField(
        _l("Slice by"), choices=SLICE_CHOICES, default="task_force", validate_choice=False
    )

    def chosen_slice(self) -> str:
        return self.slice.data if self.slice.data in dict(SLICE_CHOICES) else "task_force"

    def chosen_period(self, now: datetime) -> Period:
        """The period in the park's local time; a custom range needs both days."""
        tz = park_zone()
        kind = self.period.data if self.period.data in PERIOD_KINDS else "this_month"
        first, last = self._day(self.date_from), self._day(self.date_to)
        if kind == "custom" and first and last:
            first, last = min(first, last), max(first, last)
            # The month table asks one column per metric and month: two years at most.
            return local_period(first, min(last, first + timedelta(days=MAX_CUSTOM_DAYS - 1)), tz)
        if kind == "custom":
            kind = "this_month"
        self.period.data = kind
        return named_period(kind, local_today(now, tz), tz)

    @staticmethod
    def _day(field: DateField) -> date | None:
        return field.data if not field.errors else None
