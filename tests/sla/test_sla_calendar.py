"""Working time on the Chinese calendar, checked against the State Council's 2026 schedule."""

from __future__ import annotations

import time as stopwatch
from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest

from servicedesk.sla.calendar import WorkingCalendar, parse_working_hours
from tests.sla.helpers import DAY, SHANGHAI, local, park_calendar

# --- the settings string ---------------------------------------------------------------------


def test_the_park_hours_are_two_periods_of_seven_hours_in_total():
    hours = parse_working_hours("09:00-12:00, 13:30-17:30")
    assert hours == ((time(9), time(12)), (time(13, 30), time(17, 30)))
    assert park_calendar().minutes_per_day == DAY == 7 * 60


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("9-17", "not a time of day"),
        ("09:00", "not a period"),
        ("09:00-12:00-13:00", "not a period"),
        ("nine-ten", "not a time of day"),
        ("25:00-26:00", "not a time of day"),
        ("09:61-10:00", "not a time of day"),
        ("12:00-09:00", "ends before it starts"),
        ("09:00-09:00", "ends before it starts"),
        ("09:00-12:00,11:00-13:00", "overlaps"),
        ("13:30-17:30,09:00-12:00", "overlaps"),
    ],
)
def test_bad_working_hours_are_refused_with_a_reason(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_working_hours(text)


# --- which days are worked in 2026 -----------------------------------------------------------


def test_the_statutory_package_knows_2026_as_the_tests_assume():
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 17)) == (True, "Spring Festival")
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 5)) == (True, "National Day")
    # 调休: these weekend days are worked in 2026.
    for makeup in (
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ):
        assert makeup.weekday() >= 5
        assert chinese_calendar.is_workday(makeup)


@pytest.mark.parametrize(
    "day, worked",
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival
        (date(2026, 2, 14), True),  # Saturday make-up day
        (date(2026, 2, 16), False),  # Monday, Spring Festival
        (date(2026, 2, 23), False),  # Monday, last day of the Spring Festival break
        (date(2026, 2, 24), True),  # Tuesday, back to work
        (date(2026, 2, 28), True),  # Saturday make-up day
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 9, 20), True),  # Sunday make-up day before National Day
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),  # last day of the Golden Week
        (date(2026, 10, 8), True),  # Thursday after it
        (date(2026, 10, 10), True),  # Saturday make-up day
    ],
)
def test_working_days_follow_holidays_and_make_up_days(day, worked):
    assert park_calendar().is_working_day(day) is worked


def test_an_admin_override_wins_over_the_statutory_calendar():
    calendar = park_calendar(overrides={date(2026, 2, 16): True, date(2026, 3, 9): False})
    assert calendar.is_working_day(date(2026, 2, 16))
    assert not calendar.is_working_day(date(2026, 3, 9))


# --- counting working minutes ----------------------------------------------------------------


def test_the_lunch_break_is_not_counted():
    calendar = park_calendar()
    monday = (2026, 3, 9)
    assert calendar.add_working_minutes(local(*monday, 11), 120) == local(*monday, 14, 30)
    assert calendar.working_minutes_between(local(*monday, 11), local(*monday, 14, 30)) == 120


def test_a_start_during_lunch_counts_from_half_past_one():
    calendar = park_calendar()
    assert calendar.add_working_minutes(local(2026, 3, 9, 12, 30), 10) == local(2026, 3, 9, 13, 40)


def test_a_start_before_opening_counts_from_nine():
    calendar = park_calendar()
    assert calendar.add_working_minutes(local(2026, 3, 9, 7), 30) == local(2026, 3, 9, 9, 30)
    assert calendar.next_working_start(local(2026, 3, 9, 7)) == local(2026, 3, 9, 9)


def test_a_start_after_closing_counts_from_the_next_morning():
    calendar = park_calendar()
    assert calendar.add_working_minutes(local(2026, 3, 9, 18), 30) == local(2026, 3, 10, 9, 30)


def test_a_deadline_at_the_end_of_a_period_stays_there():
    calendar = park_calendar()
    assert calendar.add_working_minutes(local(2026, 3, 9, 9), 180) == local(2026, 3, 9, 12)
    assert calendar.add_working_minutes(local(2026, 3, 9, 9), DAY) == local(2026, 3, 9, 17, 30)


def test_a_start_inside_working_hours_is_its_own_working_start():
    calendar = park_calendar()
    assert calendar.next_working_start(local(2026, 3, 9, 10, 15)) == local(2026, 3, 9, 10, 15)


def test_friday_afternoon_runs_on_into_monday():
    calendar = park_calendar()
    friday = local(2026, 3, 6, 17)
    assert calendar.add_working_minutes(friday, 60) == local(2026, 3, 9, 9, 30)
    assert calendar.working_minutes_between(friday, local(2026, 3, 9, 9, 30)) == 60


def test_one_working_day_is_the_same_time_on_the_next_working_day():
    calendar = park_calendar()
    assert calendar.add_working_days(local(2026, 3, 9, 15), 1) == local(2026, 3, 10, 15)


def test_the_spring_festival_break_is_skipped_and_the_make_up_saturday_worked():
    calendar = park_calendar()
    # Friday 13 February 16:00 plus one working day lands on the make-up Saturday.
    assert calendar.add_working_days(local(2026, 2, 13, 16), 1) == local(2026, 2, 14, 16)
    # Saturday 14 February at closing time: the next minute is worked on Tuesday 24 February.
    assert calendar.add_working_minutes(local(2026, 2, 14, 17, 30), 1) == local(2026, 2, 24, 9, 1)
    assert calendar.working_minutes_between(local(2026, 2, 14, 17), local(2026, 2, 24, 10)) == 90


def test_national_day_golden_week_is_skipped():
    calendar = park_calendar()
    assert calendar.add_working_minutes(local(2026, 9, 30, 17), 60) == local(2026, 10, 8, 9, 30)


def test_fifteen_working_days_across_mid_autumn_and_national_day():
    calendar = park_calendar()
    start = local(2026, 9, 21, 9)
    began = stopwatch.perf_counter()
    due = calendar.add_working_days(start, 15)
    assert stopwatch.perf_counter() - began < 0.5
    # Worked: 21–24 Sep, 28–30 Sep, 8–9 Oct, Saturday 10 Oct, 12–16 Oct.
    assert due == local(2026, 10, 16, 17, 30)
    assert calendar.working_minutes_between(start, due) == 15 * DAY


def test_minutes_between_is_zero_when_the_end_is_not_later():
    calendar = park_calendar()
    assert calendar.working_minutes_between(local(2026, 3, 9, 10), local(2026, 3, 9, 10)) == 0
    assert calendar.working_minutes_between(local(2026, 3, 9, 11), local(2026, 3, 9, 10)) == 0


def test_minutes_between_counts_whole_minutes_of_partial_periods():
    calendar = park_calendar()
    start = local(2026, 3, 9, 11, 59) + timedelta(seconds=30)
    assert calendar.working_minutes_between(start, local(2026, 3, 9, 13, 31)) == 1


def test_times_go_in_and_out_as_naive_utc():
    calendar = park_calendar()
    # 00:30 UTC is 08:30 in Shanghai: counting begins at 09:00 local, 01:00 UTC.
    due = calendar.add_working_minutes(datetime(2026, 3, 9, 0, 30), 30)
    assert due == datetime(2026, 3, 9, 1, 30)


def test_adding_nothing_leaves_the_moment_alone_and_negative_time_is_refused():
    calendar = park_calendar()
    assert calendar.add_working_minutes(local(2026, 3, 7, 10), 0) == local(2026, 3, 7, 10)
    with pytest.raises(ValueError):
        calendar.add_working_minutes(local(2026, 3, 9, 10), -1)


# --- the year the package does not know ------------------------------------------------------


def test_2027_is_unknown_and_falls_back_to_monday_to_friday():
    calendar = park_calendar()
    assert calendar.knows_year(2026)
    assert not calendar.knows_year(2027)
    assert calendar.is_working_day(date(2027, 1, 1))  # a Friday, but unknown: worked
    assert not calendar.is_working_day(date(2027, 1, 2))  # Saturday
    assert calendar.add_working_minutes(local(2026, 12, 31, 17), 60) == local(2027, 1, 1, 9, 30)


def test_2027_entered_by_hand_wins_over_the_fallback():
    calendar = park_calendar(
        overrides={date(2027, 1, 1): False, date(2027, 2, 20): True},
        manual_years=frozenset({2027}),
    )
    assert calendar.knows_year(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday make-up day
    assert calendar.is_working_day(date(2027, 1, 5))  # an ordinary Tuesday
    assert calendar.add_working_minutes(local(2026, 12, 31, 17), 60) == local(2027, 1, 4, 9, 30)


def test_a_year_entered_by_hand_replaces_the_statutory_package():
    calendar = park_calendar(manual_years=frozenset({2026}))
    assert calendar.is_working_day(date(2026, 2, 16))  # no rows entered: only Mon–Fri
    assert not calendar.is_working_day(date(2026, 2, 14))


def test_a_calendar_without_working_periods_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(tz=SHANGHAI, hours=())
