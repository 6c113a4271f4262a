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

from servicedesk.tickets.rules import WORKING_STATUSES


class Stage(enum.StrEnum):
    """Which deadline a clock (and a step of the escalation ladder) watches."""

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
    """The deadlines of a ticket the task force still has to meet, in stage order; none while
    the clock is paused or the ticket is not being worked on by a task force."""
    if ticket.status not in WORKING_STATUSES or ticket.paused_at is not None:
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
