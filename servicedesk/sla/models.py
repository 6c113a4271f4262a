"""SLA policies and the admin's overrides of the working calendar."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.clock import utcnow
from servicedesk.extensions import Model

if TYPE_CHECKING:
    from servicedesk.tickets.models import Category


class Tier(enum.StrEnum):
    """Which row of the time-limit table applies: by urgency, or the green channel."""

    NORMAL = "normal"
    URGENT = "urgent"
    GREEN = "green"


class SlaPolicy(Model):
    """Working-minute limits for one category (or every category, when ``category_id`` is None)
    and one tier."""

    __tablename__ = "sla_policy"
    __table_args__ = (UniqueConstraint("category_id", "tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(10))
    sign_minutes: Mapped[int]
    first_contact_minutes: Mapped[int]
    resolve_minutes: Mapped[int]
    #: From filing (or a return) to dispatch.
    dispatch_minutes: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()


class CalendarDay(Model):
    """An admin's word on one day: a holiday (not working) or a make-up working day."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(100))


class CalendarYear(Model):
    """A year whose holidays an admin entered by hand; its CalendarDay rows are the whole truth."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(200))
