"""Time limits by tier and kind, deadlines, pauses and extensions: the pure arithmetic."""

from __future__ import annotations

import pytest

from servicedesk.sla.models import Tier
from servicedesk.sla.policy import (
    Limits,
    compute_deadlines,
    default_limits,
    extend,
    shift_after_pause,
    strictest,
    tiers_for,
)
from tests.sla.helpers import DAY, local, park_calendar


@pytest.mark.parametrize(
    "kind, days", [("consultation", 3), ("assistance", 7), ("coordination", 15)]
)
def test_normal_limits_follow_the_category_kind(kind, days):
    assert default_limits(kind, Tier.NORMAL, DAY) == Limits(DAY, DAY, days * DAY, 120)


@pytest.mark.parametrize(
    "kind, days", [("consultation", 3), ("assistance", 7), ("coordination", 15)]
)
def test_urgent_and_green_channel_resolve_in_half_the_normal_time(kind, days):
    assert default_limits(kind, Tier.URGENT, DAY) == Limits(120, 240, days * DAY // 2, 120)
    assert default_limits(kind, Tier.GREEN, DAY) == Limits(60, 120, days * DAY // 2, 60)


def test_a_ticket_is_dispatched_within_two_working_hours_a_green_channel_one_within_one():
    dispatch = {tier: default_limits("assistance", tier, DAY).dispatch_minutes for tier in Tier}
    assert dispatch == {Tier.NORMAL: 120, Tier.URGENT: 120, Tier.GREEN: 60}


def test_an_unknown_kind_is_treated_as_assistance():
    assert default_limits("mystery", Tier.NORMAL, DAY).resolve_minutes == 7 * DAY


@pytest.mark.parametrize(
    "urgency, green, tiers",
    [
        ("normal", False, [Tier.NORMAL]),
        ("urgent", False, [Tier.URGENT]),
        ("normal", True, [Tier.GREEN]),
        ("urgent", True, [Tier.URGENT, Tier.GREEN]),
    ],
)
def test_tiers_that_apply(urgency, green, tiers):
    assert tiers_for(urgency, green) == tiers


def test_an_urgent_green_channel_ticket_takes_the_tightest_of_each_limit():
    urgent = Limits(
        sign_minutes=120, first_contact_minutes=100, resolve_minutes=5000, dispatch_minutes=120
    )
    green = Limits(
        sign_minutes=60, first_contact_minutes=200, resolve_minutes=6000, dispatch_minutes=60
    )
    assert strictest(urgent, green) == Limits(60, 100, 5000, 60)
    assert strictest(urgent) == urgent
    with pytest.raises(ValueError):
        strictest()


def test_deadlines_of_a_green_channel_ticket_dispatched_on_friday_afternoon():
    calendar = park_calendar()
    limits = default_limits("consultation", Tier.GREEN, DAY)  # 1 h, 2 h, 1.5 WD
    deadlines = compute_deadlines(calendar, local(2026, 3, 6, 16, 45), limits)
    assert deadlines.sign_due == local(2026, 3, 9, 9, 15)
    assert deadlines.first_contact_due == local(2026, 3, 9, 10, 15)
    # 45 min on Friday, a full Monday (420), then 165 min on Tuesday morning.
    assert deadlines.resolve_due == local(2026, 3, 10, 11, 45)


def test_a_pause_moves_the_deadline_by_the_working_time_it_covered():
    calendar = park_calendar()
    due = local(2026, 3, 11, 12)  # Wednesday noon
    # Paused Monday 10:00 to 16:00: 120 min before lunch + 150 after = 270 working minutes.
    shifted = shift_after_pause(calendar, due, local(2026, 3, 9, 10), local(2026, 3, 9, 16))
    assert calendar.working_minutes_between(due, shifted) == 270
    assert shifted == local(2026, 3, 12, 9, 30)


def test_a_pause_over_the_weekend_counts_only_working_time():
    calendar = park_calendar()
    due = local(2026, 3, 10, 10)
    shifted = shift_after_pause(calendar, due, local(2026, 3, 6, 17), local(2026, 3, 9, 10))
    assert shifted == local(2026, 3, 10, 11, 30)  # 30 + 60 minutes later


def test_a_pause_outside_working_hours_changes_nothing():
    calendar = park_calendar()
    due = local(2026, 3, 10, 10)
    assert shift_after_pause(calendar, due, local(2026, 3, 7, 9), local(2026, 3, 8, 18)) == due


def test_a_pause_after_the_deadline_passed_does_not_forgive_the_delay():
    calendar = park_calendar()
    due = local(2026, 3, 9, 10)
    assert shift_after_pause(calendar, due, local(2026, 3, 9, 11), local(2026, 3, 10, 11)) == due


def test_a_pause_over_the_spring_festival_counts_only_the_make_up_saturday():
    calendar = park_calendar()
    due = local(2026, 2, 25, 10)
    shifted = shift_after_pause(calendar, due, local(2026, 2, 13, 17, 30), local(2026, 2, 24, 9))
    assert shifted == local(2026, 2, 26, 10)  # one working day later


def test_an_extension_adds_working_days_to_the_resolve_deadline():
    calendar = park_calendar()
    due = local(2026, 9, 30, 15)
    assert extend(calendar, due, 1) == local(2026, 10, 8, 15)
    assert extend(calendar, due, 2) == local(2026, 10, 9, 15)
    assert extend(calendar, due, 3) == local(2026, 10, 10, 15)  # the make-up Saturday
    with pytest.raises(ValueError):
        extend(calendar, due, 0)


def test_limits_are_shown_in_plain_working_hours():
    from servicedesk.sla.forms import hours_to_minutes, minutes_to_hours

    assert [str(minutes_to_hours(m)) for m in (90, 420, 615, 7200, 6300, 1)] == [
        "1.5",
        "7",
        "10.25",
        "120",
        "105",
        "0.02",
    ]
    assert hours_to_minutes(minutes_to_hours(615)) == 615
