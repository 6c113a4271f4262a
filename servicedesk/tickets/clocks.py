"""Which of a ticket's deadlines are running: one pure function every room asks.

The sweep climbs the ladder on these clocks, the ticket page shows what they will bring, and
``next_due_at`` is the earliest of them. No database, no clock: a plain object with the
ticket's fields will do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicedesk.tickets.rules import AWAITING_DISPATCH, WORKING_STATUSES


class Stage(enum.StrEnum):
    """Which deadline a clock (and a step of the escalation ladder) watches."""

    DISPATCH = "dispatch"
    SIGN = "sign"
    FIRST_CONTACT = "first_contact"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class Clock:
    """One running deadline of a ticket."""

    stage: Stage
    started_at: datetime
    due_at: datetime


def running_clocks(ticket: Any) -> list[Clock]:
    """The deadlines of a ticket still to be met, in stage order: dispatch while it waits in
    the dispatcher's queue, the task force's while it works on it; none while paused."""
    if ticket.paused_at is not None:
        return []
    if ticket.status in AWAITING_DISPATCH:
        # Filed, or returned (the return restarts the clock: clock_started_at).
        if ticket.dispatch_due_at is None:
            return []
        started = ticket.clock_started_at or ticket.filed_at
        return [Clock(Stage.DISPATCH, started, ticket.dispatch_due_at)]
    if ticket.status not in WORKING_STATUSES:
        return []
    started = ticket.clock_started_at or ticket.dispatched_at or ticket.filed_at
    clocks = []
    if ticket.signed_at is None and ticket.sign_due_at:
        clocks.append(Clock(Stage.SIGN, started, ticket.sign_due_at))
    if ticket.first_contact_at is None and ticket.first_contact_due_at:
        clocks.append(Clock(Stage.FIRST_CONTACT, started, ticket.first_contact_due_at))
    if ticket.resolved_at is None and ticket.resolve_due_at:
        clocks.append(Clock(Stage.RESOLVE, started, ticket.resolve_due_at))
    return clocks
