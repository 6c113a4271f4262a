"""The escalation ladder an admin edits, and the record of every step a ticket has climbed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk.clock import utcnow
from servicedesk.extensions import Model
from servicedesk.tickets.clocks import Stage as Stage  # the stages are the ticket's clocks


class Level(enum.StrEnum):
    """A rung of the ladder. ``repeat`` is the daily reminder while the ticket holds red."""

    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    REPEAT = "repeat"


class Trigger(enum.StrEnum):
    SHARE_USED = "share_used"  # threshold: percent of the allowed working time used
    OVERDUE = "overdue"  # threshold: working minutes past the deadline (0 = at the deadline)
    DAILY = "daily"  # threshold: every N working days, at the start of the working day


class Audience(enum.StrEnum):
    ASSIGNEE = "assignee"  # the assignee, or every member while nobody has signed
    MEMBERS = "members"
    LEAD = "lead"
    SUPERVISORS = "supervisors"
    DISPATCHERS = "dispatchers"  # every active dispatcher of the park
    ENTERPRISE = "enterprise"


class EscalationStep(Model):
    """One rung for one stage: when it fires, who hears, on which channels."""

    __tablename__ = "escalation_step"
    __table_args__ = (UniqueConstraint("stage", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    trigger: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[int]
    audiences: Mapped[list] = mapped_column(JSON)
    channels: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EscalationFiring(Model):
    """A step that fired for a ticket. The unique key is the claim: two sweeps cannot both fire
    the same (ticket, clock epoch, stage, level, repeat). A ``superseded`` step was due together
    with a higher one of its clock (or after one) and was recorded, never sent."""

    __tablename__ = "escalation_firing"
    __table_args__ = (UniqueConstraint("ticket_id", "clock_epoch", "stage", "level", "repeat_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    clock_epoch: Mapped[int]
    stage: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    repeat_no: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded: Mapped[bool] = mapped_column(default=False, server_default=false())


class SweepRun(Model):
    """One pass of the periodic sweep, for the health page and the benchmark."""

    __tablename__ = "sweep_run"
    __table_args__ = (Index("ix_sweep_run_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    due_tickets: Mapped[int] = mapped_column(default=0)
    firings: Mapped[int] = mapped_column(default=0)
    notifications: Mapped[int] = mapped_column(default=0)
    enqueued: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
