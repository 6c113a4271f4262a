"""The escalation sweep: climb the ladder for tickets whose next step is due.

It finds due tickets through the ``ticket.next_escalation_at`` index, so its cost follows the
tickets that are due, not all open ones. Two sweeps at once are harmless: each firing and each
outbox row is written under a unique key (``insert_once``), so one of them wins every write,
and ticket fields are updated with compare-and-set. The periodic tick
(:mod:`servicedesk.jobs.periodic`) runs it, next to the other domains' periodic work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select, update

from servicedesk.absences.queries import StandIns, stand_ins_at
from servicedesk.clock import utcnow
from servicedesk.escalation.ladder import Firing, catch_up, evaluate, highest_card
from servicedesk.escalation.models import EscalationFiring, Stage
from servicedesk.escalation.policy import load_ladder
from servicedesk.escalation.reminders import Reminder, fold, write_reminders
from servicedesk.extensions import db
from servicedesk.notifications.models import Notification
from servicedesk.sla.calendar import WorkingCalendar
from servicedesk.sla.calendar_store import load_calendar
from servicedesk.sqlutil import insert_once, is_sqlite_busy, retrying_on_sqlite_busy
from servicedesk.tickets.clocks import running_clocks
from servicedesk.tickets.models import CARD_RANK, Card, EventKind, Ticket, TicketEvent
from servicedesk.tickets.rules import AWAITING_DISPATCH, WORKING_STATUSES

log = logging.getLogger(__name__)


@dataclass
class SweepStats:
    """What one sweep did; ``errors`` names the tickets that could not be escalated."""

    due_tickets: int = 0
    firings: int = 0
    notifications: int = 0
    superseded: int = 0  # due steps recorded, not sent: a higher rung of the clock went out
    errors: list[str] = field(default_factory=list)


def fired_steps(ticket: Ticket) -> set[tuple[str, str, int]]:
    """The (stage, level, repeat) steps already fired on the ticket's current clock."""
    rows = db.session.execute(
        select(EscalationFiring.stage, EscalationFiring.level, EscalationFiring.repeat_no).where(
            EscalationFiring.ticket_id == ticket.id,
            EscalationFiring.clock_epoch == ticket.clock_epoch,
        )
    ).all()
    return {(r.stage, r.level, r.repeat_no) for r in rows}


def _claim(
    ticket: Ticket, firing: Firing, now: datetime, *, superseded: bool = False
) -> int | None:
    """Record one firing under its unique key; its id when this sweep won it, else None."""
    return insert_once(
        EscalationFiring,
        {
            "ticket_id": ticket.id,
            "clock_epoch": ticket.clock_epoch,
            "stage": firing.stage.value,
            "level": firing.level.value,
            "repeat_no": firing.repeat_no,
            "due_at": firing.due_at,
            "fired_at": now,
            "superseded": superseded,
        },
        ["ticket_id", "clock_epoch", "stage", "level", "repeat_no"],
    )


def escalate_ticket(
    ticket: Ticket,
    calendar: WorkingCalendar,
    ladder,
    now: datetime,
    stats: SweepStats,
    stand_ins: StandIns | None = None,
) -> list[Reminder]:
    """Fire what is due for one ticket, raise its card, and set when to look next; the
    reminders to write, one per person and channel (:func:`~reminders.fold`), addressed to
    the deputies of people away at ``now``."""
    seen = ticket.next_escalation_at
    clocks = running_clocks(ticket)
    fired = fired_steps(ticket)
    due, next_at, _ = evaluate(calendar, clocks, ladder, fired, now) if clocks else ([], None, [])
    due, superseded = catch_up(due, fired)
    for firing in superseded:
        if _claim(ticket, firing, now, superseded=True) is not None:
            stats.superseded += 1
    claimed: list[tuple[int, Firing]] = []
    for firing in due:
        firing_id = _claim(ticket, firing, now)
        if firing_id is not None:  # else another sweep fired it, and tells about it
            claimed.append((firing_id, firing))
    stats.firings += len(claimed)
    card = highest_card([ticket.card, *(firing.card for _, firing in claimed)])
    values: dict[str, object] = {"next_escalation_at": next_at}
    if CARD_RANK[card] > CARD_RANK[Card(ticket.card)]:
        values["card"] = card.value
        db.session.add(
            TicketEvent(
                ticket_id=ticket.id,
                actor_id=None,
                kind=EventKind.CARD_RAISED.value,
                public=False,
                from_status=ticket.status,
                to_status=ticket.status,
                created_at=now,
                changes={"card": [ticket.card, card.value]},
            )
        )
    # Compare-and-set: if someone changed the ticket meanwhile (which sets next_escalation_at
    # to "now"), keep their value so the next pass looks again. A Core UPDATE leaves the
    # ticket's version alone, so nobody's open form goes stale because of the sweep.
    guard = (
        (Ticket.next_escalation_at == seen)
        if seen is not None
        else Ticket.next_escalation_at.is_(None)
    )
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id, guard).values(**values))
    if claimed and stand_ins is None:
        stand_ins = stand_ins_at(now)
    return fold(ticket, claimed, ladder, stand_ins)


def escalation_still_due(row: Notification) -> str | None:
    """Why an escalation message should not go out any more, or None."""
    ticket = db.session.get(Ticket, row.ticket_id)
    reason = row.reason or {}
    if ticket is None or ticket.status not in WORKING_STATUSES | AWAITING_DISPATCH:
        return "ticket no longer waiting for dispatch or open with a task force"
    if ticket.paused_at is not None:
        return "clock paused: waiting for the enterprise"
    if reason.get("epoch") is not None and reason["epoch"] != ticket.clock_epoch:
        return "clock restarted (dispatch, transfer, return or rework)"
    # A folded message names several deadlines: it is still due while one of them is.
    stages = {step[0] for step in reason.get("steps") or ()} or {reason.get("stage")}
    met = {
        Stage.SIGN.value: "signed for meanwhile" if ticket.signed_at is not None else None,
        Stage.FIRST_CONTACT.value: "enterprise contacted meanwhile"
        if ticket.first_contact_at is not None
        else None,
    }
    why = [met.get(str(stage)) for stage in stages]
    return None if None in why else "; ".join(sorted({w for w in why if w}))


def _begin_as_writer() -> None:
    """On SQLite, open the batch's transaction as a writer (BEGIN IMMEDIATE), waiting for the
    lock. A transaction that reads first and writes later fails at once ("database is
    locked") whenever another process committed in between, and busy workers commit all the
    time: without this the sweep lost every retry while deliveries were running."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _escalate_batch(ids: list[int], calendar, ladder, now: datetime) -> SweepStats:
    """Escalate some tickets in one transaction; one broken ticket does not stop the others."""
    _begin_as_writer()
    partial = SweepStats()
    reminders: list[Reminder] = []
    stand_ins = stand_ins_at(now)  # who is away at the sweep's moment, once per batch
    for ticket in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id)):
        partial.due_tickets += 1
        try:
            with db.session.begin_nested():
                reminders += escalate_ticket(ticket, calendar, ladder, now, partial, stand_ins)
        except Exception as exc:
            if is_sqlite_busy(exc):
                raise
            log.exception("escalating ticket %s failed", ticket.reference)
            partial.errors.append(f"{ticket.reference}: {exc}")
    # The whole batch's reminders at once, so a person with many gets one summary.
    summary_over = current_app.config["REMINDER_SUMMARY_OVER"]
    partial.notifications += write_reminders(reminders, now, summary_over)
    db.session.commit()
    return partial


def _escalate_due(now: datetime, stats: SweepStats) -> None:
    calendar = load_calendar()
    ladder = load_ladder(calendar.minutes_per_day)
    batch = current_app.config["SWEEP_BATCH_SIZE"]
    after: tuple[datetime, int] | None = None  # keyset paging: each ticket once per pass
    while True:
        query = (
            select(Ticket.id, Ticket.next_escalation_at)
            .where(Ticket.next_escalation_at <= now)
            .order_by(Ticket.next_escalation_at, Ticket.id)
            .limit(batch)
        )
        if after is not None:
            query = query.where(
                or_(
                    Ticket.next_escalation_at > after[0],
                    and_(Ticket.next_escalation_at == after[0], Ticket.id > after[1]),
                )
            )
        rows = db.session.execute(query).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        after = (rows[-1].next_escalation_at, rows[-1].id)
        partial = retrying_on_sqlite_busy(
            lambda ids=ids: _escalate_batch(ids, calendar, ladder, now)
        )
        for name in ("due_tickets", "firings", "notifications", "superseded"):
            setattr(stats, name, getattr(stats, name) + getattr(partial, name))
        stats.errors.extend(partial.errors)
        db.session.expire_all()


def run_sweep(now: datetime | None = None) -> SweepStats:
    """Escalate every ticket whose next step is due at ``now``; safe to run twice at once.
    Each batch of tickets commits on its own; one broken ticket does not stop the others."""
    now = now or utcnow()
    stats = SweepStats()
    _escalate_due(now, stats)
    return stats
