"""The ladder in force: the admin's rows, or the defaults of DOMAIN.md where there are none."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.escalation.ladder import Rung
from servicedesk.escalation.models import Audience, EscalationStep, Level, Stage, Trigger
from servicedesk.extensions import db
from servicedesk.tickets.models import Channel


def default_rungs(minutes_per_day: int, stage: Stage | None = None) -> list[Rung]:
    """DOMAIN.md's ladder: blue at 75 % used, yellow at the deadline, red two working days
    late, then a reminder every working day at opening time while red. The task force's clocks
    tell the assignee, then the lead, then the supervisors; the dispatch clock (a ticket nobody
    has dispatched yet) tells the dispatchers, then the supervisors too."""
    both = (Channel.EMAIL, Channel.SMS)
    if stage is Stage.DISPATCH:
        first: tuple[str, ...] = (Audience.DISPATCHERS,)
        second: tuple[str, ...] = (Audience.DISPATCHERS,)
        top: tuple[str, ...] = (Audience.DISPATCHERS, Audience.SUPERVISORS)
    else:
        first, second = (Audience.ASSIGNEE,), (Audience.ASSIGNEE, Audience.LEAD)
        top = (Audience.LEAD, Audience.SUPERVISORS)
    return [
        Rung(Level.BLUE, Trigger.SHARE_USED, 75, first, (Channel.EMAIL,)),
        Rung(Level.YELLOW, Trigger.OVERDUE, 0, second, both),
        Rung(Level.RED, Trigger.OVERDUE, 2 * minutes_per_day, top, both),
        Rung(Level.REPEAT, Trigger.DAILY, 1, top, both),
    ]


_LEVEL_ORDER = {level: i for i, level in enumerate(Level)}


def _rung(step: EscalationStep) -> Rung:
    return Rung(
        Level(step.level),
        Trigger(step.trigger),
        step.threshold,
        tuple(step.audiences or ()),
        tuple(step.channels or ()),
    )


def load_ladder(minutes_per_day: int) -> dict[Stage, list[Rung]]:
    """Rungs per stage: a stage with any row uses its active rows only; others the defaults."""
    rows = db.session.scalars(select(EscalationStep)).all()
    ladder: dict[Stage, list[Rung]] = {}
    for stage in Stage:
        own = [r for r in rows if r.stage == stage.value]
        rungs = (
            [_rung(r) for r in own if r.active] if own else default_rungs(minutes_per_day, stage)
        )
        ladder[stage] = sorted(rungs, key=lambda r: _LEVEL_ORDER[r.level])
    return ladder


def rung_for(ladder: dict[Stage, list[Rung]], stage: Stage, level: Level) -> Rung | None:
    """The rung of ``level`` on ``stage``'s ladder, if there is one."""
    return next((r for r in ladder.get(stage, []) if r.level is level), None)
