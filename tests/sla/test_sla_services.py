"""The clocks of a ticket, with the admin's limits and calendar rows in the database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.sla import calendar_store
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sla.models import CalendarDay, CalendarYear, SlaPolicy, Tier
from servicedesk.sla.policy import Limits
from servicedesk.tickets import sla
from tests.sla.helpers import DAY, local

# --- which limits a ticket gets --------------------------------------------------------------


def test_without_policies_the_built_in_limits_apply(make_category):
    consultation = make_category(kind="consultation")
    assert sla.limits_for(consultation, "normal", False) == Limits(DAY, DAY, 3 * DAY, 120)
    assert sla.limits_for(consultation, "urgent", True) == Limits(60, 120, 3 * DAY // 2, 60)


def test_a_park_wide_policy_replaces_the_built_in_one_and_a_category_policy_wins(make_category):
    land, water = make_category(), make_category()
    db.session.add(
        SlaPolicy(
            category_id=None,
            tier="urgent",
            sign_minutes=90,
            first_contact_minutes=180,
            resolve_minutes=1200,
            dispatch_minutes=45,
        )
    )
    db.session.add(
        SlaPolicy(
            category_id=land.id,
            tier="urgent",
            sign_minutes=30,
            first_contact_minutes=60,
            resolve_minutes=600,
            dispatch_minutes=15,
        )
    )
    db.session.commit()
    assert sla.limits_for(water, "urgent", False) == Limits(90, 180, 1200, 45)
    assert sla.limits_for(land, "urgent", False) == Limits(30, 60, 600, 15)
    assert sla.limits_for(land, "normal", False) == Limits(DAY, DAY, 7 * DAY, 120)


def test_urgent_green_channel_takes_the_tightest_of_both_tiers(make_category):
    category = make_category()
    sla.save_policy(category, Tier.URGENT, Limits(30, 300, 900, 40))
    sla.save_policy(category, Tier.GREEN, Limits(60, 100, 2000, 90))
    db.session.commit()
    assert sla.limits_for(category, "urgent", True) == Limits(30, 100, 900, 40)


def test_saving_twice_updates_the_row_and_resetting_drops_it(make_category):
    category = make_category()
    sla.save_policy(category, Tier.NORMAL, Limits(100, 200, 3000, 60))
    sla.save_policy(category, Tier.NORMAL, Limits(110, 210, 3100, 30))
    db.session.commit()
    assert db.session.query(SlaPolicy).count() == 1
    assert sla.limits_for(category, "normal", False) == Limits(110, 210, 3100, 30)
    assert sla.reset_policy(category, Tier.NORMAL) is True
    assert sla.reset_policy(category, Tier.NORMAL) is False
    assert sla.limits_for(category, "normal", False) == Limits(DAY, DAY, 7 * DAY, 120)


def test_saving_nonsense_limits_is_refused(make_category):
    with pytest.raises(ValueError):
        sla.save_policy(make_category(), Tier.NORMAL, Limits(500, 100, 400, 60))
    with pytest.raises(ValueError):
        sla.save_policy(None, Tier.NORMAL, Limits(0, 100, 400, 60))
    with pytest.raises(ValueError):
        sla.save_policy(None, Tier.NORMAL, Limits(60, 100, 400, 0))


# --- the clocks of one ticket ----------------------------------------------------------------


def test_dispatch_starts_all_three_clocks(make_timed_ticket):
    ticket = make_timed_ticket(kind="consultation")
    ticket.paused_at = local(2026, 3, 2, 10)
    sla.start_clocks(ticket, local(2026, 3, 9, 10))
    assert ticket.sign_due_at == local(2026, 3, 10, 10)
    assert ticket.first_contact_due_at == local(2026, 3, 10, 10)
    assert ticket.resolve_due_at == local(2026, 3, 12, 10)
    assert ticket.paused_at is None


def test_a_green_channel_ticket_filed_before_the_spring_festival(make_timed_ticket):
    ticket = make_timed_ticket(green_channel=True)
    sla.start_clocks(ticket, local(2026, 2, 13, 17))
    assert ticket.sign_due_at == local(2026, 2, 14, 9, 30)  # make-up Saturday
    assert ticket.first_contact_due_at == local(2026, 2, 14, 10, 30)


def test_waiting_for_the_enterprise_moves_only_the_clocks_still_running(make_timed_ticket):
    ticket = make_timed_ticket()
    sla.start_clocks(ticket, local(2026, 3, 9, 9))
    ticket.signed_at = local(2026, 3, 9, 9, 30)
    sign_due, contact_due, resolve_due = (
        ticket.sign_due_at,
        ticket.first_contact_due_at,
        ticket.resolve_due_at,
    )
    sla.pause_clocks(ticket, local(2026, 3, 9, 10))
    sla.pause_clocks(ticket, local(2026, 3, 9, 11))  # already paused
    assert ticket.paused_at == local(2026, 3, 9, 10)
    paused = sla.resume_clocks(ticket, local(2026, 3, 9, 14, 30))
    assert paused == 120 + 60
    assert ticket.paused_at is None
    assert ticket.sign_due_at == sign_due  # already signed
    assert ticket.first_contact_due_at == local(2026, 3, 10, 12)  # 09:00 + 180 min
    assert load_calendar().working_minutes_between(resolve_due, ticket.resolve_due_at) == 180
    assert contact_due != ticket.first_contact_due_at


def test_resuming_a_ticket_that_was_not_paused_changes_nothing(make_timed_ticket):
    ticket = make_timed_ticket()
    sla.start_clocks(ticket, local(2026, 3, 9, 9))
    before = ticket.resolve_due_at
    assert sla.resume_clocks(ticket, local(2026, 3, 10, 9)) == 0
    assert ticket.resolve_due_at == before


def test_an_approved_extension_moves_the_resolve_deadline(make_timed_ticket):
    ticket = make_timed_ticket()
    sla.start_clocks(ticket, local(2026, 9, 21, 10))
    # Worked: 22–24 Sep, 28–30 Sep (Mid-autumn between), then National Day until 8 Oct.
    assert ticket.resolve_due_at == local(2026, 10, 8, 10)
    sla.apply_extension(ticket, 2)
    assert ticket.resolve_due_at == local(2026, 10, 10, 10)  # make-up Saturday
    assert ticket.extension_working_days == 2
    sla.apply_extension(ticket, 3)
    assert ticket.resolve_due_at == local(2026, 10, 14, 10)
    assert ticket.extension_working_days == 5
    with pytest.raises(ValueError):
        sla.apply_extension(ticket, 0)


def test_rework_gives_a_fresh_resolve_deadline(make_timed_ticket):
    ticket = make_timed_ticket(kind="consultation", urgency="urgent")
    sla.start_clocks(ticket, local(2026, 3, 2, 9))
    sla.restart_resolve_clock(ticket, local(2026, 3, 16, 9))
    # 1.5 WD = 630 minutes: all Monday, Tuesday morning, 30 minutes after lunch.
    assert ticket.resolve_due_at == local(2026, 3, 17, 14)


def test_queue_colours_and_on_time(app):
    due = local(2026, 3, 9, 16)
    assert sla.working_minutes_left(due, local(2026, 3, 9, 11)) == 60 + 150
    assert sla.working_minutes_left(due, local(2026, 3, 10, 9, 30)) == -(90 + 30)
    assert sla.is_due_soon(due, local(2026, 3, 9, 11), hours=4)
    assert not sla.is_due_soon(due, local(2026, 3, 9, 11), hours=3)
    assert sla.is_due_soon(due, local(2026, 3, 9, 13))  # default: 4 working hours
    assert not sla.is_due_soon(due, local(2026, 3, 6, 13))
    assert not sla.is_due_soon(due, local(2026, 3, 9, 17))  # overdue, not "soon"
    assert not sla.is_due_soon(None, local(2026, 3, 9, 17))
    assert sla.on_time(due, due) and not sla.on_time(due, local(2026, 3, 9, 16, 1))
    assert sla.on_time(None, local(2026, 3, 9, 16))


# --- the calendar rows -----------------------------------------------------------------------


def test_next_year_is_missing_until_an_admin_enters_it(app, set_today):
    set_today(datetime(2026, 6, 1, 4))
    assert calendar_store.missing_calendar_years() == [2027]
    calendar_store.enter_year(
        2027,
        [(date(2027, 1, 1), "元旦")],
        [(date(2027, 2, 20), "春节补班")],
        note="国办发明电〔2026〕",
    )
    db.session.commit()
    assert calendar_store.missing_calendar_years() == []
    assert db.session.get(CalendarYear, 2027).note == "国办发明电〔2026〕"


def test_missing_years_are_judged_by_the_shanghai_date(app, set_today):
    set_today(datetime(2026, 12, 31, 15, 59))  # 23:59 in Shanghai
    assert calendar_store.missing_calendar_years() == [2027]
    set_today(datetime(2026, 12, 31, 16, 0))  # New Year in Shanghai
    assert calendar_store.missing_calendar_years() == [2027, 2028]


def test_a_deadline_across_new_year_uses_the_year_entered_by_hand(make_timed_ticket):
    ticket = make_timed_ticket(green_channel=True)
    sla.start_clocks(ticket, local(2026, 12, 31, 17))
    assert ticket.sign_due_at == local(2027, 1, 1, 9, 30)  # fallback: Friday worked
    calendar_store.enter_year(2027, [(date(2027, 1, 1), "元旦")], [])
    sla.start_clocks(ticket, local(2026, 12, 31, 17))
    assert ticket.sign_due_at == local(2027, 1, 4, 9, 30)


def test_entering_a_year_again_replaces_its_days(app):
    calendar_store.set_day(date(2027, 5, 6), False, "old")
    calendar_store.set_day(date(2026, 12, 31), False, "kept: another year")
    calendar_store.enter_year(
        2027, [(date(2027, 1, 1), ""), (date(2027, 1, 1), "dup")], [(date(2027, 2, 20), "")]
    )
    db.session.commit()
    days = {row.day: row.is_working for row in db.session.query(CalendarDay)}
    assert days == {date(2026, 12, 31): False, date(2027, 1, 1): False, date(2027, 2, 20): True}


def test_entering_a_year_refuses_foreign_or_contradictory_days(app):
    with pytest.raises(Refused, match="2026-10-01 is not in 2027"):
        calendar_store.enter_year(2027, [(date(2026, 10, 1), "")], [])
    with pytest.raises(Refused, match="both"):
        calendar_store.enter_year(2027, [(date(2027, 2, 20), "")], [(date(2027, 2, 20), "")])
    assert db.session.query(CalendarDay).count() == 0
    assert db.session.get(CalendarYear, 2027) is None


def test_a_single_day_can_be_set_changed_and_removed(app):
    monday = date(2026, 3, 9)
    calendar_store.set_day(monday, False, "typhoon")
    assert not load_calendar().is_working_day(monday)
    calendar_store.set_day(monday, True, None)
    assert load_calendar().is_working_day(monday)
    assert db.session.get(CalendarDay, monday).note is None
    calendar_store.remove_day(monday)
    with pytest.raises(Refused):
        calendar_store.remove_day(monday)


def test_the_calendar_reads_its_hours_and_zone_from_the_settings(app):
    app.config["WORKING_HOURS"] = "08:30-12:00,14:00-18:00"
    calendar_store.forget_calendar()
    assert load_calendar().minutes_per_day == 210 + 240
