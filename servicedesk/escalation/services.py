"""Changing the escalation ladder, and reading what a ticket has been reminded of.

The ladder in force per stage is the admin's rows when the stage has any, else the defaults of
DOMAIN.md (:func:`servicedesk.escalation.policy.load_ladder`). Saving one rung of a stage that
has no rows yet therefore writes the stage's other default rungs too, so they stay in force.
Nothing here touches tickets: the sweep applies the ladder on its next pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.escalation.labels import LEVEL_LABELS
from servicedesk.escalation.ladder import Firing, Rung, evaluate
from servicedesk.escalation.models import (
    EscalationFiring,
    EscalationStep,
    Level,
    Stage,
    Trigger,
)
from servicedesk.escalation.policy import default_rungs, load_ladder
from servicedesk.escalation.sweep import fired_steps
from servicedesk.extensions import db
from servicedesk.notifications.models import Notification
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sqlutil import affected_rows
from servicedesk.tickets.clocks import running_clocks
from servicedesk.tickets.models import Ticket

#: The rungs that give a card, in the order they must fire.
CARD_LEVELS = (Level.BLUE, Level.YELLOW, Level.RED)


class LadderError(ValueError):
    """A change that would leave the ladder out of order; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RungInForce:
    """One row of the ladder page: the rung, whether it is active, and where it comes from."""

    stage: Stage
    level: Level
    rung: Rung | None  # None: the stage has rows, but none for this level
    active: bool
    source: str  # "own" (an admin's row), "default" (DOMAIN.md) or "missing"


def stage_rows(stage: Stage) -> list[EscalationStep]:
    """The admin's rows for one stage (possibly none)."""
    return list(
        db.session.scalars(select(EscalationStep).where(EscalationStep.stage == Stage(stage).value))
    )


def _rung_of(row: EscalationStep) -> Rung:
    return Rung(
        Level(row.level),
        Trigger(row.trigger),
        row.threshold,
        tuple(row.audiences or ()),
        tuple(row.channels or ()),
    )


def ladder_in_force(minutes_per_day: int) -> dict[Stage, list[RungInForce]]:
    """Every stage's four rungs as the sweep sees them, marked "own", "default" or "missing"."""
    ladder: dict[Stage, list[RungInForce]] = {}
    for stage in Stage:
        defaults = {r.level: r for r in default_rungs(minutes_per_day, stage)}
        rows = {Level(r.level): r for r in stage_rows(stage)}
        entries = []
        for level in Level:
            if not rows:
                entries.append(RungInForce(stage, level, defaults[level], True, "default"))
            elif level in rows:
                row = rows[level]
                entries.append(RungInForce(stage, level, _rung_of(row), row.active, "own"))
            else:
                entries.append(RungInForce(stage, level, None, False, "missing"))
        ladder[stage] = entries
    return ladder


def rung_to_edit(stage: Stage, level: Level, minutes_per_day: int) -> tuple[Rung | None, bool]:
    """What the edit form starts from: the row, else the default (active), else nothing."""
    rows = {Level(r.level): r for r in stage_rows(stage)}
    if level in rows:
        return _rung_of(rows[level]), rows[level].active
    if rows:
        return None, True
    return next(r for r in default_rungs(minutes_per_day, stage) if r.level is level), True


def _precedes(earlier: Rung, later: Rung) -> bool:
    """Whether ``earlier`` fires before ``later`` on every clock."""
    if earlier.trigger is Trigger.SHARE_USED and later.trigger is Trigger.OVERDUE:
        return True  # at most the whole time used comes no later than the deadline
    if earlier.trigger is Trigger.OVERDUE and later.trigger is Trigger.SHARE_USED:
        return False
    return earlier.threshold < later.threshold


def check_order(rungs: list[Rung]) -> None:
    """Raise LadderError unless the active card rungs come blue, then yellow, then red."""
    cards = sorted(
        (r for r in rungs if r.level in CARD_LEVELS), key=lambda r: CARD_LEVELS.index(r.level)
    )
    for earlier, later in zip(cards, cards[1:], strict=False):
        if not _precedes(earlier, later):
            raise LadderError(
                _(
                    "The %(earlier)s must come before the %(later)s: with these settings it "
                    "would not. Choose an earlier moment for the %(earlier)s or a later one for "
                    "the %(later)s.",
                    earlier=LEVEL_LABELS[earlier.level],
                    later=LEVEL_LABELS[later.level],
                ),
                field="threshold",
            )


def save_step(
    actor: User, stage: Stage, level: Level, rung: Rung, active: bool, minutes_per_day: int
) -> EscalationStep:
    """Set one rung of one stage (creating it if need be); the first change to a stage that
    still runs on the defaults writes its other default rungs as rows, so they stay in force.

    Raises LadderError when the stage's active card rungs would fire out of order.
    """
    stage, level = Stage(stage), Level(level)
    if rung.level is not level:
        raise ValueError("the rung is for another level")
    if (level is Level.REPEAT) != (rung.trigger is Trigger.DAILY):
        raise LadderError(
            _("Only the daily reminder repeats; the cards fire once."), field="trigger"
        )
    rows = {Level(r.level): r for r in stage_rows(stage)}
    if not rows:
        for default in default_rungs(minutes_per_day, stage):
            if default.level is not level:
                rows[default.level] = _new_row(stage, default, True)
    in_force = [_rung_of(r) for lvl, r in rows.items() if r.active and lvl is not level]
    if active:
        in_force.append(rung)
    check_order(in_force)
    row = rows.get(level)
    if row is None:
        row = _new_row(stage, rung, active)
    else:
        row.trigger, row.threshold = rung.trigger.value, rung.threshold
        row.audiences, row.channels = list(rung.audiences), list(rung.channels)
        row.active = active
    db.session.flush()
    return row


def _new_row(stage: Stage, rung: Rung, active: bool) -> EscalationStep:
    row = EscalationStep(
        stage=stage.value,
        level=rung.level.value,
        trigger=rung.trigger.value,
        threshold=rung.threshold,
        audiences=[str(a) for a in rung.audiences],
        channels=[str(c) for c in rung.channels],
        active=active,
    )
    db.session.add(row)
    return row


def reset_stage(actor: User, stage: Stage) -> int:
    """Delete the admin's rows of a stage so the defaults apply again; returns how many."""
    result = db.session.execute(
        delete(EscalationStep).where(EscalationStep.stage == Stage(stage).value)
    )
    return affected_rows(result)


# --- reading: what a ticket has been, and will be, reminded of -----------------------------


@dataclass
class TicketReminders:
    """Everything the reminders panel shows for one ticket."""

    notifications: list
    firings: list[EscalationFiring]
    upcoming: list[Firing]
    next_look_at: datetime | None


def upcoming_steps(ticket: Ticket) -> list[Firing]:
    """The rungs still to fire on the ticket's running clocks, soonest first (for the panel):
    the same walk of the ladder the sweep makes (:func:`servicedesk.escalation.ladder.evaluate`)."""
    clocks = running_clocks(ticket)
    if not clocks:
        return []
    calendar = load_calendar()
    ladder = load_ladder(calendar.minutes_per_day)
    return evaluate(calendar, clocks, ladder, fired_steps(ticket), utcnow()).upcoming


def ticket_reminders(ticket: Ticket) -> TicketReminders:
    """Every outbox row and firing of a ticket (newest first) and what is due next."""
    notifications = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.ticket_id == ticket.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )
    firings = list(
        db.session.scalars(
            select(EscalationFiring)
            .where(EscalationFiring.ticket_id == ticket.id)
            .order_by(EscalationFiring.fired_at.desc(), EscalationFiring.id.desc())
        )
    )
    return TicketReminders(
        notifications, firings, upcoming_steps(ticket), ticket.next_escalation_at
    )
