"""The ladder as pure arithmetic on a working calendar (no database)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from servicedesk.escalation.ladder import (
    Firing,
    catch_up,
    evaluate,
    highest_card,
    repeat_time,
    rung_time,
)
from servicedesk.escalation.models import Level, Stage
from servicedesk.escalation.policy import default_rungs
from servicedesk.sla.calendar import WorkingCalendar, parse_working_hours
from servicedesk.tickets.clocks import Clock
from servicedesk.tickets.models import Card

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar(SHANGHAI, parse_working_hours("09:00-12:00,13:30-17:30"))
LADDER = {stage: default_rungs(CALENDAR.minutes_per_day, stage) for stage in Stage}


def utc(local: str) -> datetime:
    """A Shanghai wall-clock time as the naive UTC the database stores."""
    moment = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


# Dispatched Monday 2026-11-23 09:00; resolve due in 7 working days: Wednesday 2026-12-02 09:00.
START, DUE = utc("2026-11-23 09:00"), utc("2026-12-02 09:00")
RESOLVE = Clock(Stage.RESOLVE, START, DUE)


def rungs(level):
    return next(r for r in LADDER[Stage.RESOLVE] if r.level is level)


def test_blue_comes_when_three_quarters_of_the_working_time_is_used():
    # 7 working days = 2940 working minutes; 75 % = 2205 min = 5 days 105 min → Mon 30 Nov 10:45.
    assert rung_time(CALENDAR, RESOLVE, rungs(Level.BLUE)) == utc("2026-11-30 10:45")


def test_yellow_at_the_deadline_red_two_working_days_later():
    assert rung_time(CALENDAR, RESOLVE, rungs(Level.YELLOW)) == DUE
    # Two working days (840 working minutes) after Wednesday 09:00 end at Thursday 17:30.
    assert rung_time(CALENDAR, RESOLVE, rungs(Level.RED)) == utc("2026-12-03 17:30")


def test_red_counts_working_days_across_a_weekend():
    friday = Clock(Stage.SIGN, utc("2026-11-26 09:00"), utc("2026-11-27 16:00"))
    # Friday 16:00 + 2 working days → Tuesday 16:00 (the weekend does not count).
    assert rung_time(CALENDAR, friday, rungs(Level.RED)) == utc("2026-12-01 16:00")


def test_daily_repeat_is_at_opening_time_on_working_days_only():
    red = utc("2026-12-04 09:00")  # a Friday
    assert repeat_time(CALENDAR, red, rungs(Level.REPEAT), 1) == utc("2026-12-07 09:00")  # Mon
    assert repeat_time(CALENDAR, red, rungs(Level.REPEAT), 2) == utc("2026-12-08 09:00")


def test_repeats_skip_holidays_and_work_on_make_up_days():
    red = utc("2026-09-30 10:00")
    first = repeat_time(CALENDAR, red, rungs(Level.REPEAT), 1)
    # 1-7 October are the National Day holiday (chinesecalendar); 10 October (Saturday) is a
    # make-up working day, so the next opening after 30 September is Thursday 8 October.
    assert first == utc("2026-10-08 09:00")
    assert repeat_time(CALENDAR, red, rungs(Level.REPEAT), 3) == utc("2026-10-10 09:00")


def test_evaluate_fires_each_rung_once_in_order():
    clocks = [RESOLVE]
    due, next_at, _ = evaluate(CALENDAR, clocks, LADDER, set(), utc("2026-11-30 11:00"))
    assert [f.level for f in due] == [Level.BLUE]
    assert next_at == DUE
    fired = {f.key for f in due}
    due, next_at, _ = evaluate(CALENDAR, clocks, LADDER, fired, utc("2026-11-30 11:05"))
    assert due == [] and next_at == DUE


def test_evaluate_after_an_outage_fires_what_is_due_and_only_the_latest_repeat():
    now = utc("2026-12-10 15:00")  # red 3 Dec 17:30; repeats due 4, 7, 8, 9, 10 Dec
    due, next_at, _ = evaluate(CALENDAR, [RESOLVE], LADDER, set(), now)
    assert [(f.level, f.repeat_no) for f in due] == [
        (Level.BLUE, 0),
        (Level.YELLOW, 0),
        (Level.RED, 0),
        (Level.REPEAT, 5),
    ]
    assert next_at == utc("2026-12-11 09:00")
    fired = {f.key for f in due}
    due, _, _ = evaluate(CALENDAR, [RESOLVE], LADDER, fired, now + timedelta(minutes=1))
    assert due == []


def test_no_clocks_nothing_due():
    assert evaluate(CALENDAR, [], LADDER, set(), utc("2026-12-10 15:00")) == ([], None, [])


def test_cards_only_climb():
    assert highest_card([Card.NONE, Card.YELLOW, Card.BLUE]) is Card.YELLOW
    assert highest_card([]) is Card.NONE
    assert highest_card(["red", "blue"]) is Card.RED


def _firing(level, repeat_no=0, stage=Stage.RESOLVE):
    return Firing(stage, level, repeat_no, DUE)


def test_after_downtime_only_the_highest_rung_of_a_clock_goes_out():
    blue, yellow, red = (_firing(level) for level in (Level.BLUE, Level.YELLOW, Level.RED))
    sign_yellow = _firing(Level.YELLOW, stage=Stage.SIGN)
    send, superseded = catch_up([blue, yellow, red, sign_yellow], set())
    assert send == [red, sign_yellow]  # one per clock: each clock's highest
    assert superseded == [blue, yellow]


def test_a_daily_repeat_outranks_the_red_card_it_follows():
    red, repeat = _firing(Level.RED), _firing(Level.REPEAT, 2)
    assert catch_up([red, repeat], set()) == ([repeat], [red])


def test_a_blue_never_follows_the_yellow_card_of_the_same_clock():
    blue = _firing(Level.BLUE)
    assert catch_up([blue], {("resolve", "yellow", 0)}) == ([], [blue])
    # Another clock's yellow does not silence this one's blue.
    assert catch_up([blue], {("sign", "yellow", 0)}) == ([blue], [])


def test_the_ladder_says_which_due_rungs_a_late_ticket_skips():
    # Friday 08:00: red (Thursday 17:30) is due, its first daily repeat (09:00) is not yet.
    due, _, _ = evaluate(CALENDAR, [RESOLVE], LADDER, set(), utc("2026-12-04 08:00"))
    send, superseded = catch_up(due, set())
    assert [f.level for f in send] == [Level.RED]
    assert {f.level for f in superseded} == {Level.BLUE, Level.YELLOW}
