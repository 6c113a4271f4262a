"""Time limits and deadlines: the SLA arithmetic, pure (no database, no Flask).

Limits are working minutes; deadlines are naive UTC datetimes worked out on a
:class:`~servicedesk.sla.calendar.WorkingCalendar`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servicedesk.sla.calendar import WorkingCalendar
from servicedesk.sla.models import Tier
from servicedesk.sla.vocabulary import CategoryKind, Urgency

#: Normal resolve limit by category kind, in working days (Sichuan 2025 practice).
NORMAL_RESOLVE_DAYS = {
    CategoryKind.CONSULTATION: 3,
    CategoryKind.ASSISTANCE: 7,
    CategoryKind.COORDINATION: 15,
}
#: Dispatch limits by tier, in working minutes: a filed or returned ticket must reach a task
#: force within two working hours, a green-channel one within one.
DISPATCH_MINUTES = {Tier.NORMAL: 2 * 60, Tier.URGENT: 2 * 60, Tier.GREEN: 1 * 60}
#: Sign-for and first-contact limits of the tighter tiers, in working minutes.
_TIGHT_LIMITS = {
    Tier.URGENT: (2 * 60, 4 * 60),
    Tier.GREEN: (1 * 60, 2 * 60),
}


@dataclass(frozen=True)
class Limits:
    """How much working time each step may take, in working minutes; the dispatch limit runs
    from filing (or a return) to dispatch, the others from dispatch."""

    sign_minutes: int
    first_contact_minutes: int
    resolve_minutes: int
    dispatch_minutes: int


@dataclass(frozen=True)
class Deadlines:
    """When each step is due (naive UTC)."""

    sign_due: datetime
    first_contact_due: datetime
    resolve_due: datetime


def default_limits(category_kind: str, tier: Tier, minutes_per_day: int) -> Limits:
    """The built-in limits of DOMAIN.md for a category kind and a tier."""
    try:
        kind = CategoryKind(category_kind)
    except ValueError:
        kind = CategoryKind.ASSISTANCE
    normal_resolve = NORMAL_RESOLVE_DAYS[kind] * minutes_per_day
    tier = Tier(tier)
    dispatch = DISPATCH_MINUTES[tier]
    if tier is Tier.NORMAL:
        return Limits(minutes_per_day, minutes_per_day, normal_resolve, dispatch)
    sign, first_contact = _TIGHT_LIMITS[tier]
    return Limits(sign, first_contact, normal_resolve // 2, dispatch)


def tiers_for(urgency: str, green_channel: bool) -> list[Tier]:
    """The tiers whose limits apply: urgent and/or green channel, else normal."""
    tiers = []
    if urgency == Urgency.URGENT.value:
        tiers.append(Tier.URGENT)
    if green_channel:
        tiers.append(Tier.GREEN)
    return tiers or [Tier.NORMAL]


def strictest(*limits: Limits) -> Limits:
    """The tightest of each limit, so a ticket in two tiers gets the shorter time everywhere."""
    if not limits:
        raise ValueError("strictest() needs at least one set of limits")
    return Limits(
        sign_minutes=min(x.sign_minutes for x in limits),
        first_contact_minutes=min(x.first_contact_minutes for x in limits),
        resolve_minutes=min(x.resolve_minutes for x in limits),
        dispatch_minutes=min(x.dispatch_minutes for x in limits),
    )


def compute_deadlines(calendar: WorkingCalendar, start: datetime, limits: Limits) -> Deadlines:
    """Deadlines for a ticket whose clocks start at ``start``."""
    return Deadlines(
        sign_due=calendar.add_working_minutes(start, limits.sign_minutes),
        first_contact_due=calendar.add_working_minutes(start, limits.first_contact_minutes),
        resolve_due=calendar.add_working_minutes(start, limits.resolve_minutes),
    )


def shift_after_pause(
    calendar: WorkingCalendar, due: datetime, paused_at: datetime, resumed_at: datetime
) -> datetime:
    """Move ``due`` later by the working minutes the pause covered.

    A deadline that had already passed when the clock paused stays where it is: the time had run
    out before the ticket waited for the enterprise.
    """
    if paused_at >= due:
        return due
    paused = calendar.working_minutes_between(paused_at, resumed_at)
    if paused <= 0:
        return due
    return calendar.add_working_minutes(due, paused)


def extend(calendar: WorkingCalendar, resolve_due: datetime, working_days: int) -> datetime:
    """The resolve deadline after an approved extension of ``working_days``."""
    if working_days <= 0:
        raise ValueError("an extension must add at least one working day")
    return calendar.add_working_days(resolve_due, working_days)
