"""A ticket's clocks: the limits that apply to it and its dispatch, sign, contact and resolve
deadlines.

The ticket services call these at filing, dispatch, transfer, return, pause, resume, extension
and rework;
``now`` is always passed in (naive UTC), so nothing here reads the clock itself.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from servicedesk.extensions import db
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sla.models import SlaPolicy, Tier
from servicedesk.sla.policy import (
    Limits,
    compute_deadlines,
    default_limits,
    extend,
    shift_after_pause,
    strictest,
    tiers_for,
)
from servicedesk.sqlutil import affected_rows
from servicedesk.tickets.models import Category, EventKind, Ticket, TicketEvent
from servicedesk.tickets.rules import AWAITING_DISPATCH, Status


def policy_row(category_id: int | None, tier: Tier) -> SlaPolicy | None:
    """The admin's policy for one category (None: every category) and tier, if there is one."""
    condition = (
        SlaPolicy.category_id.is_(None)
        if category_id is None
        else SlaPolicy.category_id == category_id
    )
    return db.session.scalar(select(SlaPolicy).where(condition, SlaPolicy.tier == Tier(tier).value))


def row_limits(row: SlaPolicy) -> Limits:
    """The limits an admin's policy row sets."""
    return Limits(
        row.sign_minutes, row.first_contact_minutes, row.resolve_minutes, row.dispatch_minutes
    )


def tier_limits(category: Category, tier: Tier) -> Limits:
    """One tier's limits for a category: its own policy, else the park-wide one, else built-in."""
    row = policy_row(category.id, tier) or policy_row(None, tier)
    if row is not None:
        return row_limits(row)
    return default_limits(category.kind, tier, load_calendar().minutes_per_day)


def limits_for(category: Category, urgency: str, green_channel: bool) -> Limits:
    """The limits a ticket gets: the tightest over every tier that applies to it."""
    return strictest(*(tier_limits(category, tier) for tier in tiers_for(urgency, green_channel)))


def _ticket_limits(ticket: Ticket) -> Limits:
    category = ticket.category or db.session.get(Category, ticket.category_id)
    assert category is not None, "category_id is a non-null foreign key"
    return limits_for(category, ticket.urgency, ticket.green_channel)


def start_dispatch_clock(ticket: Ticket, now: datetime, *, restart: bool) -> None:
    """Set the dispatch deadline from ``now``: at filing, and (``restart``: a new clock that
    climbs the ladder afresh) when a task force returns the ticket to dispatch."""
    limits = _ticket_limits(ticket)
    ticket.dispatch_due_at = load_calendar().add_working_minutes(now, limits.dispatch_minutes)
    ticket.dispatched_on_time = None
    if restart:
        _new_clock(ticket, now)


def start_missing_dispatch_clocks(now: datetime) -> int:
    """Give every ticket waiting for dispatch without a dispatch deadline one, counted from its
    filing or its latest return (tickets that waited before the dispatch clock existed); the
    sweep looks at them at once. How many. A Core UPDATE with compare-and-set, so nobody's open
    form goes stale and two ticks at once do the work once."""
    waiting = [s.value for s in AWAITING_DISPATCH]
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.status.in_(waiting), Ticket.dispatch_due_at.is_(None))
    ).all()
    calendar = load_calendar()
    started = 0
    for ticket in tickets:
        values: dict[str, object] = {}
        start = ticket.filed_at
        if ticket.status == Status.RETURNED:
            start = _returned_at(ticket) or ticket.filed_at
            values["clock_started_at"] = start
            values["clock_epoch"] = Ticket.clock_epoch + 1
        due = calendar.add_working_minutes(start, _ticket_limits(ticket).dispatch_minutes)
        values.update(dispatch_due_at=due, next_due_at=due, next_escalation_at=now)
        result = db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.dispatch_due_at.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        started += affected_rows(result)
    return started


def _returned_at(ticket: Ticket) -> datetime | None:
    return db.session.scalar(
        select(func.max(TicketEvent.created_at)).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.RETURNED.value
        )
    )


def start_clocks(ticket: Ticket, now: datetime) -> None:
    """Set all three deadlines from ``now`` (dispatch and transfer); any pause is over."""
    deadlines = compute_deadlines(load_calendar(), now, _ticket_limits(ticket))
    ticket.sign_due_at = deadlines.sign_due
    ticket.first_contact_due_at = deadlines.first_contact_due
    ticket.resolve_due_at = deadlines.resolve_due
    ticket.paused_at = None
    _new_clock(ticket, now)


def _new_clock(ticket: Ticket, now: datetime) -> None:
    """A new clock climbs the escalation ladder afresh."""
    ticket.clock_epoch = (ticket.clock_epoch or 0) + 1
    ticket.clock_started_at = now


def pause_clocks(ticket: Ticket, now: datetime) -> None:
    """Stop the clocks while the ticket waits for the enterprise (already paused: no change)."""
    if ticket.paused_at is None:
        ticket.paused_at = now


def resume_clocks(ticket: Ticket, now: datetime) -> int:
    """Restart the clocks: deadlines still running move later by the working time paused.

    Returns the working minutes the pause lasted (0 when the ticket was not paused).
    """
    paused_at = ticket.paused_at
    if paused_at is None:
        return 0
    calendar = load_calendar()
    if ticket.sign_due_at is not None and ticket.signed_at is None:
        ticket.sign_due_at = shift_after_pause(calendar, ticket.sign_due_at, paused_at, now)
    if ticket.first_contact_due_at is not None and ticket.first_contact_at is None:
        ticket.first_contact_due_at = shift_after_pause(
            calendar, ticket.first_contact_due_at, paused_at, now
        )
    if ticket.resolve_due_at is not None:
        ticket.resolve_due_at = shift_after_pause(calendar, ticket.resolve_due_at, paused_at, now)
    ticket.paused_at = None
    return calendar.working_minutes_between(paused_at, now)


def apply_extension(ticket: Ticket, working_days: int) -> None:
    """Move the resolve deadline ``working_days`` later and count them on the ticket.

    The ticket services check the park's maximum before asking; this only refuses nonsense.
    """
    if ticket.resolve_due_at is None:
        raise ValueError("the ticket has no resolve deadline to extend")
    ticket.resolve_due_at = extend(load_calendar(), ticket.resolve_due_at, working_days)
    ticket.extension_working_days = (ticket.extension_working_days or 0) + working_days


def restart_resolve_clock(ticket: Ticket, now: datetime) -> None:
    """Rework after an unsatisfied rating: a fresh resolve deadline from ``now``, same limits."""
    limits = _ticket_limits(ticket)
    ticket.resolve_due_at = load_calendar().add_working_minutes(now, limits.resolve_minutes)
    ticket.paused_at = None
    _new_clock(ticket, now)


def working_minutes_left(due: datetime, now: datetime) -> int:
    """Working minutes until ``due``; negative (minutes overdue) once it has passed."""
    calendar = load_calendar()
    if due >= now:
        return calendar.working_minutes_between(now, due)
    return -calendar.working_minutes_between(due, now)


def is_due_soon(due: datetime | None, now: datetime, hours: float | None = None) -> bool:
    """Not yet due, but at most ``hours`` working hours left (default: DUE_SOON_WORKING_HOURS)."""
    if due is None or due <= now:
        return False
    if hours is None:
        hours = current_app.config["DUE_SOON_WORKING_HOURS"]
    return working_minutes_left(due, now) <= hours * 60


def on_time(due: datetime | None, at: datetime) -> bool:
    """Whether something done at ``at`` met ``due`` (no deadline: on time)."""
    return due is None or at <= due


# --- the admin's time-limit table ----------------------------------------------------------


def save_policy(category: Category | None, tier: Tier, limits: Limits) -> SlaPolicy:
    """Set one category's (None: every category's) limits for ``tier``, creating the row if new."""
    every = (
        limits.dispatch_minutes,
        limits.sign_minutes,
        limits.first_contact_minutes,
        limits.resolve_minutes,
    )
    if min(every) < 1:
        raise ValueError(_("Every limit must be at least one working minute."))
    if max(limits.sign_minutes, limits.first_contact_minutes) > limits.resolve_minutes:
        raise ValueError(
            _(
                "Neither signing for nor the first contact may take longer than "
                "resolving the ticket."
            )
        )
    row = policy_row(category.id if category else None, tier)
    if row is None:
        row = SlaPolicy(category_id=category.id if category else None, tier=Tier(tier).value)
        db.session.add(row)
    row.sign_minutes = limits.sign_minutes
    row.first_contact_minutes = limits.first_contact_minutes
    row.resolve_minutes = limits.resolve_minutes
    row.dispatch_minutes = limits.dispatch_minutes
    db.session.flush()
    return row


def reset_policy(category: Category | None, tier: Tier) -> bool:
    """Drop the admin's row so the next rule down applies again; False if there was none."""
    row = policy_row(category.id if category else None, tier)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True
