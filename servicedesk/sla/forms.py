"""Admin forms: time limits in working hours, single calendar days, a whole year's holidays."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from servicedesk.forms import FIRST_YEAR, LAST_YEAR, BaseForm, in_calendar_years
from servicedesk.sla.policy import Limits

#: No limit may exceed this many working hours (about 57 working days of 7 hours).
MAX_LIMIT_HOURS = 400
#: A single line of the year form may not span more days than this (a typo, surely).
MAX_RANGE_DAYS = 31

_DAY_LINE = re.compile(r"^(?P<first>\S+?)(?:\s*\.\.\s*(?P<last>\S+))?(?:\s+(?P<name>.*))?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def hours_to_minutes(hours: Decimal) -> int:
    """Working hours as typed (decimals allowed) to whole working minutes."""
    return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes_to_hours(minutes: int) -> Decimal:
    """Whole working minutes to hours with at most two decimals, for showing and editing."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # normalize() alone would write 120 as 1.2E+2
    return hours.quantize(Decimal(1)) if hours == hours.to_integral() else hours.normalize()


def _limit_in_hours(form: BaseForm, field: DecimalField) -> None:
    if field.data is None:
        return  # the field already says it is not a number
    if not field.data.is_finite():
        raise ValidationError(_("Please enter a number of working hours, such as 2 or 6.5."))
    if field.data <= 0:
        raise ValidationError(_("The limit must be more than zero working hours."))
    # Before converting: 1e30 hours in minutes has more digits than Decimal arithmetic keeps.
    if field.data > MAX_LIMIT_HOURS:
        raise ValidationError(
            _("The limit may be at most %(max)d working hours.", max=MAX_LIMIT_HOURS)
        )
    if hours_to_minutes(field.data) < 1:
        raise ValidationError(_("The limit must be at least one working minute."))


def _hours_field(label):
    return DecimalField(
        label,
        places=None,
        validators=[InputRequired(), _limit_in_hours],
        description=_l("In working hours; decimals are allowed, such as 1.5."),
    )


class PolicyForm(BaseForm):
    """One category × tier row of the time-limit table."""

    dispatch_hours = _hours_field(_l("Dispatch within (working hours, from filing or a return)"))
    sign_hours = _hours_field(_l("Sign for within (working hours)"))
    first_contact_hours = _hours_field(_l("First contact within (working hours)"))
    resolve_hours = _hours_field(_l("Resolve within (working hours)"))
    submit = SubmitField(_l("Save limits"))

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then: neither signing nor first contact may take longer than resolving."""
        if not super().validate(extra_validators):
            return False
        resolve = self.resolve_hours.data
        ok = True
        if self.sign_hours.data > resolve:
            self.sign_hours.errors.append(
                _("Signing for a ticket cannot take longer than resolving it.")
            )
            ok = False
        if self.first_contact_hours.data > resolve:
            self.first_contact_hours.errors.append(
                _("The first contact cannot take longer than resolving the ticket.")
            )
            ok = False
        return ok

    def limits(self) -> Limits:
        """The four limits in working minutes."""
        return Limits(
            sign_minutes=hours_to_minutes(self.sign_hours.data),
            first_contact_minutes=hours_to_minutes(self.first_contact_hours.data),
            resolve_minutes=hours_to_minutes(self.resolve_hours.data),
            dispatch_minutes=hours_to_minutes(self.dispatch_hours.data),
        )


class CalendarDayForm(BaseForm):
    """The admin's word on a single day."""

    day = DateField(_l("Day"), validators=[InputRequired()])
    kind = SelectField(
        _l("This day is"),
        choices=[
            ("holiday", _l("a holiday (not worked)")),
            ("working", _l("a working day (for example a make-up day)")),
        ],
        validators=[InputRequired()],
    )
    note = StringField(_l("Name or note"), validators=[Optional(), Length(max=100)])
    save_day = SubmitField(_l("Save day"))

    def validate_day(self, field: DateField) -> None:
        """Only days the calendar pages can show."""
        if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(
                _(
                    "Please choose a day between %(first)d and %(last)d.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )


class ConfirmForm(BaseForm):
    """A button that only carries the CSRF token (remove a day, reset a limit)."""

    submit = SubmitField(_l("Remove"))


def parse_day_lines(text: str) -> list[tuple[date, str]]:
    """Read one day or range per line (``YYYY-MM-DD[..YYYY-MM-DD] [name]``) into (day, name).

    Blank lines are skipped. Raises ValueError naming the first line that does not parse.
    """
    days: list[tuple[date, str]] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _DAY_LINE.match(line)
        try:
            if match is None:
                raise ValueError(line)
            first = _iso_date(match["first"])
            last = _iso_date(match["last"]) if match["last"] else first
        except ValueError:
            raise ValueError(
                _(
                    "Line %(number)d (“%(line)s”) is not a date. Write YYYY-MM-DD or "
                    "YYYY-MM-DD..YYYY-MM-DD, optionally followed by a name.",
                    number=number,
                    line=line,
                )
            ) from None
        if not (in_calendar_years(first) and in_calendar_years(last)):
            raise ValueError(
                _(
                    "Line %(number)d (“%(line)s”): the calendar holds days from %(first)d "
                    "to %(last)d only.",
                    number=number,
                    line=line,
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )
        if last < first:
            raise ValueError(
                _(
                    "Line %(number)d (“%(line)s”): the range ends before it starts.",
                    number=number,
                    line=line,
                )
            )
        if (last - first).days >= MAX_RANGE_DAYS:
            raise ValueError(
                _(
                    "Line %(number)d (“%(line)s”): a range may cover at most %(max)d days.",
                    number=number,
                    line=line,
                    max=MAX_RANGE_DAYS,
                )
            )
        name = (match["name"] or "").strip()
        if len(name) > 100:
            raise ValueError(
                _("Line %(number)d: the name may be at most 100 characters.", number=number)
            )
        day = first
        while day <= last:
            days.append((day, name))
            day += timedelta(days=1)
    return days


def _iso_date(text: str) -> date:
    if not _ISO_DATE.match(text):
        raise ValueError(text)
    return date.fromisoformat(text)


class CalendarYearForm(BaseForm):
    """A whole year's holidays and make-up working days, as the State Council publishes them."""

    year = IntegerField(
        _l("Year"), validators=[InputRequired(), NumberRange(min=FIRST_YEAR, max=LAST_YEAR)]
    )
    holidays = TextAreaField(
        _l("Holidays"),
        validators=[InputRequired(), Length(max=10000)],
        render_kw={"rows": 8, "placeholder": "2027-01-01 元旦\n2027-02-05..2027-02-13 春节"},
        description=_l(
            "One day (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD) per line, "
            "optionally followed by a space and the holiday's name."
        ),
    )
    makeup_days = TextAreaField(
        _l("Make-up working days (调休)"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 4, "placeholder": "2027-02-14 春节补班"},
        description=_l("Weekend days that are worked, one per line, in the same form."),
    )
    source = StringField(
        _l("Source or note"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example the number of the State Council notice."),
    )
    save_year = SubmitField(_l("Save the whole year"))

    def _parse(self, field: TextAreaField) -> list[tuple[date, str]]:
        try:
            days = parse_day_lines(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        year = self.year.data
        if isinstance(year, int) and not self.year.errors:
            for day, _name in days:
                if day.year != year:
                    raise ValidationError(
                        _(
                            "%(day)s is not in %(year)d; every day must belong "
                            "to the year entered.",
                            day=day.isoformat(),
                            year=year,
                        )
                    )
        return days

    def validate_holidays(self, field: TextAreaField) -> None:
        """Every line parses, lies in the year, and there is at least one."""
        if not self._parse(field):
            raise ValidationError(_("Please list at least one holiday."))

    def validate_makeup_days(self, field: TextAreaField) -> None:
        """Every line parses, lies in the year, and no day is also a holiday."""
        makeup = {day for day, _name in self._parse(field)}
        if self.holidays.errors:
            return
        both = sorted(makeup & {day for day, _name in parse_day_lines(self.holidays.data)})
        if both:
            raise ValidationError(
                _(
                    "%(day)s is listed both as a holiday and as a make-up working day.",
                    day=both[0].isoformat(),
                )
            )

    def parsed_days(self) -> tuple[list[tuple[date, str]], list[tuple[date, str]]]:
        """After validation: the (day, name) holidays and make-up working days entered."""
        return parse_day_lines(self.holidays.data), parse_day_lines(self.makeup_days.data)
