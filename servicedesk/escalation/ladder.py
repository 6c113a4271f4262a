"""The escalation ladder as pure functions: given a ticket's clocks, the rungs and what has
already fired, which steps are due now and when to look again. No database, no clock.

A rung fires once per (stage, level) for each clock epoch; the daily ``repeat`` rung fires once
per working day while the ticket holds red, and after an outage only the latest missed repeat
goes out (nobody needs five copies of the same reminder at once).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from servicedesk.escalation.models import Level, Trigger
from servicedesk.sla.calendar import WorkingCalendar
from servicedesk.tickets.clocks import Clock, Stage
from servicedesk.tickets.models import CARD_RANK, Card

CARD_OF_LEVEL = {
    Level.BLUE: Card.BLUE,
    Level.YELLOW: Card.YELLOW,
    Level.RED: Card.RED,
    Level.REPEAT: Card.RED,
}


@dataclass(frozen=True)
class Rung:
    level: Level
    trigger: Trigger
    threshold: int
    audiences: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Firing:
    stage: Stage
    level: Level
    repeat_no: int
    due_at: datetime

    @property
    def card(self) -> Card:
        return CARD_OF_LEVEL[self.level]

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.stage.value, self.level.value, self.repeat_no)


def rung_time(calendar: WorkingCalendar, clock: Clock, rung: Rung) -> datetime:
    """When a non-repeating rung is due for ``clock``."""
    if rung.trigger is Trigger.SHARE_USED:
        allowed = calendar.working_minutes_between(clock.started_at, clock.due_at)
        used = math.ceil(allowed * rung.threshold / 100)
        return calendar.add_working_minutes(clock.started_at, used) if used else clock.started_at
    if rung.trigger is Trigger.OVERDUE:
        return calendar.add_working_minutes(clock.due_at, rung.threshold)
    raise ValueError(f"{rung.trigger} is not a one-off trigger")


def repeat_time(
    calendar: WorkingCalendar, red_due: datetime, rung: Rung, repeat_no: int
) -> datetime:
    """When the ``repeat_no``-th daily reminder after red is due (opening of a working day)."""
    return calendar.working_day_start(red_due, repeat_no * max(rung.threshold, 1))


def _red_due(calendar: WorkingCalendar, clock: Clock, rungs: Iterable[Rung]) -> datetime | None:
    for rung in rungs:
        if rung.level is Level.RED:
            return rung_time(calendar, clock, rung)
    return None


def _latest_repeat(
    calendar: WorkingCalendar, red_due: datetime, rung: Rung, now: datetime
) -> tuple[int, datetime]:
    """The highest repeat number already due at ``now`` (0 when none) and when the next is due."""
    number, upcoming = 0, repeat_time(calendar, red_due, rung, 1)
    while upcoming <= now:
        number += 1
        upcoming = repeat_time(calendar, red_due, rung, number + 1)
    return number, upcoming


class Evaluation(NamedTuple):
    """What the ladder says about a ticket's clocks at one moment."""

    due: list[Firing]  # to fire now, not fired yet, oldest first
    next_look_at: datetime | None  # the next moment worth a look (the sweep's index)
    upcoming: list[Firing]  # every step still to fire, due ones included, soonest first


def evaluate(
    calendar: WorkingCalendar,
    clocks: Iterable[Clock],
    ladder: Mapping[Stage, list[Rung]],
    fired: set[tuple[str, str, int]],
    now: datetime,
) -> Evaluation:
    """The firings due at ``now`` that have not fired yet, the next moment worth a look, and
    the steps still to come (for the reminders panel): one walk of the ladder for both."""
    due: list[Firing] = []
    steps: list[Firing] = []  # due or not, in the order of the clocks and their rungs
    looks: list[datetime] = []
    for clock in clocks:
        rungs = ladder.get(clock.stage, [])
        red_due = _red_due(calendar, clock, rungs)
        for rung in rungs:
            if rung.trigger is Trigger.DAILY:
                if red_due is None:
                    continue
                number, following = _latest_repeat(calendar, red_due, rung, now)
                if number and (clock.stage.value, rung.level.value, number) not in fired:
                    at = repeat_time(calendar, red_due, rung, number)
                    due.append(Firing(clock.stage, rung.level, number, at))
                    steps.append(due[-1])
                else:
                    steps.append(Firing(clock.stage, rung.level, number + 1, following))
                looks.append(following)
                continue
            at = rung_time(calendar, clock, rung)
            if (clock.stage.value, rung.level.value, 0) in fired:
                continue
            steps.append(Firing(clock.stage, rung.level, 0, at))
            if at <= now:
                due.append(steps[-1])
            else:
                looks.append(at)
    due.sort(key=lambda f: (f.due_at, f.stage.value, f.level.value))
    upcoming = sorted(steps, key=lambda f: f.due_at)
    return Evaluation(due, min(looks) if looks else None, upcoming)


LEVEL_RANK = {Level.BLUE: 1, Level.YELLOW: 2, Level.RED: 3, Level.REPEAT: 4}


def step_rank(level: str, repeat_no: int = 0) -> tuple[int, int]:
    """How high a step stands on its clock's ladder: blue < yellow < red < each daily repeat."""
    return (LEVEL_RANK[Level(level)], repeat_no)


def catch_up(
    due: Iterable[Firing], fired: set[tuple[str, str, int]]
) -> tuple[list[Firing], list[Firing]]:
    """Split due firings into those to send and those superseded.

    Of the rungs of one clock due at once (after downtime, or a ticket overdue on arrival) only
    the highest goes out; a rung below one already fired on the same clock epoch (a blue after
    the yellow card) is superseded too: nobody needs "75 % used" after "the deadline passed".
    """
    due = list(due)
    top: dict[str, tuple[int, int]] = {}
    for stage, level, repeat_no in fired:
        rank = step_rank(level, repeat_no)
        top[stage] = max(top.get(stage, rank), rank)
    for firing in due:
        rank = step_rank(firing.level, firing.repeat_no)
        top[firing.stage.value] = max(top.get(firing.stage.value, rank), rank)
    send = [f for f in due if step_rank(f.level, f.repeat_no) == top[f.stage.value]]
    superseded = [f for f in due if f not in send]
    return send, superseded


def highest_card(cards: Iterable[Card | str]) -> Card:
    """The highest of some cards (none when there are none)."""
    best = Card.NONE
    for card in cards:
        card = Card(card)
        if CARD_RANK[card] > CARD_RANK[best]:
            best = card
    return best
