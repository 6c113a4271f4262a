"""The supervisors' metrics (12345 practice), defined once, as SQL conditions on tickets.

Each metric is a numerator over a denominator, both conditions on a ticket for one reporting
bucket; a slice is a way to cut the park (task force, chain, category ...).
:mod:`servicedesk.supervision.aggregates` counts them in the one statement the dashboard, the
exports and the bulletin read; :func:`ticket_condition` gives the WHERE clause of the tickets
behind any number, so a list is always exactly what was counted. Pure: SQLAlchemy expressions
only, no session, no request.

Which timestamp puts a ticket in a period (a bucket is a half-open UTC range):

- on-time dispatch rate 按时派单率 and response rate 响应率: ``filed_at``: both count from the
  moment the enterprise filed, so a ticket nobody dispatched is counted too (a slow dispatch
  cannot hide); the response is on time only when the dispatch and the first contact both met
  their deadlines;
- on-time sign rate 按时签收率, return rate 退单率: ``dispatched_at``, the latest dispatch or
  transfer (a transfer starts new clocks, so the ticket counts where it went);
- mean response time: ``first_contact_at`` (the working time from filing to the first contact
  is known from then on);
- on-time resolution rate 按时办结率, rework rate, extension rate, mean handling time:
  ``resolved_at``, the latest resolution (a rework clears it until the ticket is resolved again);
- resolution rate 解决率 and satisfaction rate 满意率: ``closed_at`` (withdrawn tickets are not
  closed cases and count nowhere);
- yellow and red cards issued: ``escalation_firing.fired_at``;
- overdue now: no period, the state at the moment of the request.

"Solved" (解决) means closed by the enterprise with a rating other than unsatisfied, or
auto-closed with no rating on it. A ticket auto-closed while its last return visit said
unsatisfied (reworked, resolved again, then the enterprise stayed silent) is closed but not
solved; counting it as solved would make the rate 100 % by construction, since a confirmation is
never unsatisfied (an unsatisfied rating reopens the ticket instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_, select

from servicedesk.enterprises.models import Enterprise, IndustryChain
from servicedesk.escalation.models import EscalationFiring, Level
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Category, EventKind, Rating, Ticket, TicketEvent
from servicedesk.tickets.rules import OPEN_STATUSES, Status

Bucket = tuple[datetime, datetime]  # [start, end) in naive UTC

_OPEN = [s.value for s in OPEN_STATUSES]
_SATISFIED = [Rating.SATISFIED.value, Rating.BASICALLY_SATISFIED.value]


def within(column, bucket: Bucket) -> ColumnElement[bool]:
    """``column`` falls in the half-open ``bucket``: on or after its start, before its end."""
    return and_(column >= bucket[0], column < bucket[1])


def _returned_once() -> ColumnElement[bool]:
    return Ticket.id.in_(
        select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.RETURNED.value)
    )


def _card_fired(level: str, bucket: Bucket) -> ColumnElement[bool]:
    return Ticket.id.in_(
        select(EscalationFiring.ticket_id).where(
            EscalationFiring.level == level, within(EscalationFiring.fired_at, bucket)
        )
    )


Condition = Callable[[Bucket, datetime], ColumnElement[bool]]


@dataclass(frozen=True)
class Metric:
    """One number of the dashboard: ``numerator / denominator`` (or a count, or a mean)."""

    name: str
    label: object
    definition: object
    #: "rate" (a share), "mean_hours" (numerator is minutes summed), "count" (no denominator)
    kind: str
    #: Tickets in the denominator (for a count: the tickets counted).
    denominator: Condition
    #: Tickets in the numerator, among those of the denominator.
    numerator: Condition | None = None
    #: Not bound to the period: the state now (overdue).
    current: bool = False
    #: For a mean: the ticket column summed (working minutes).
    minutes: Any = None


def _dispatched(b: Bucket, _now: datetime) -> ColumnElement[bool]:
    return within(Ticket.dispatched_at, b)


def _filed(b: Bucket, _now: datetime) -> ColumnElement[bool]:
    return within(Ticket.filed_at, b)


def _dispatch_counted(b: Bucket, now: datetime) -> ColumnElement[bool]:
    # Dispatched from the queue (the flag is recorded then), or still waiting (or withdrawn
    # while waiting) past the dispatch deadline. Tickets filed before the dispatch clock
    # existed have neither and count nowhere.
    return and_(
        _filed(b, now),
        or_(Ticket.dispatched_on_time.is_not(None), Ticket.dispatch_due_at < now),
    )


def _responded_on_time(_b: Bucket, _now: datetime) -> ColumnElement[bool]:
    # No flag: dispatched before the dispatch clock existed, judged by the contact alone.
    dispatch_met = or_(Ticket.dispatched_on_time.is_(None), Ticket.dispatched_on_time.is_(True))
    return and_(Ticket.contacted_on_time.is_(True), dispatch_met)


def _sign_counted(b: Bucket, now: datetime) -> ColumnElement[bool]:
    return and_(_dispatched(b, now), or_(Ticket.signed_at.is_not(None), Ticket.sign_due_at < now))


def _resolved(b: Bucket, _now: datetime) -> ColumnElement[bool]:
    return within(Ticket.resolved_at, b)


def _closed(b: Bucket, _now: datetime) -> ColumnElement[bool]:
    return and_(Ticket.status == Status.CLOSED.value, within(Ticket.closed_at, b))


def _open(_b: Bucket, _now: datetime) -> ColumnElement[bool]:
    return Ticket.status.in_(_OPEN)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "dispatch_on_time",
            _l("On-time dispatch rate"),
            _l(
                "Dispatched to a task force before the dispatch deadline (counted from filing, "
                "or from a return to dispatch), over tickets filed in the period that are "
                "dispatched or whose dispatch deadline has passed (by filing time)."
            ),
            "rate",
            _dispatch_counted,
            lambda b, now: Ticket.dispatched_on_time.is_(True),
        ),
        Metric(
            "sign_on_time",
            _l("On-time sign rate"),
            _l(
                "Signed for before the sign deadline, over tickets dispatched in the period that "
                "are "
                "signed or whose sign deadline has passed (by dispatch time)."
            ),
            "rate",
            _sign_counted,
            lambda b, now: Ticket.signed_on_time.is_(True),
        ),
        Metric(
            "response",
            _l("Response rate"),
            _l(
                "First contact before its deadline, with the ticket dispatched before its "
                "dispatch deadline, over tickets filed in the period (by filing time): the "
                "response counts from the moment the enterprise filed."
            ),
            "rate",
            _filed,
            _responded_on_time,
        ),
        Metric(
            "response_time",
            _l("Mean response time"),
            _l(
                "Working hours from filing to the first contact with the enterprise (the wait "
                "for dispatch included), averaged over tickets first contacted in the period; "
                "tickets contacted before this measure was recorded are left out."
            ),
            "mean_hours",
            lambda b, now: and_(
                within(Ticket.first_contact_at, b), Ticket.response_minutes.is_not(None)
            ),
            minutes=Ticket.response_minutes,
        ),
        Metric(
            "resolved_on_time",
            _l("On-time resolution rate"),
            _l(
                "Resolved before the (extended) resolve deadline, over tickets resolved in the "
                "period "
                "(by resolution time)."
            ),
            "rate",
            _resolved,
            lambda b, now: Ticket.resolved_on_time.is_(True),
        ),
        Metric(
            "solved",
            _l("Resolution rate"),
            _l(
                "Closed as solved — confirmed by the enterprise as satisfied or basically "
                "satisfied, "
                "or auto-closed with no rating — over tickets closed in the period (by closing "
                "time; "
                "withdrawn tickets are not counted)."
            ),
            "rate",
            _closed,
            lambda b, now: or_(Ticket.rating.is_(None), Ticket.rating.in_(_SATISFIED)),
        ),
        Metric(
            "satisfaction",
            _l("Satisfaction rate"),
            _l(
                "Satisfied plus basically satisfied, over tickets closed in the period with a "
                "rating "
                "(the enterprise's last rating; by closing time)."
            ),
            "rate",
            lambda b, now: and_(_closed(b, now), Ticket.rating.is_not(None)),
            lambda b, now: Ticket.rating.in_(_SATISFIED),
        ),
        Metric(
            "rework",
            _l("Rework rate"),
            _l(
                "Tickets reworked at least once after an unsatisfied rating or a reopening, over "
                "tickets resolved in the period (by resolution time)."
            ),
            "rate",
            _resolved,
            lambda b, now: Ticket.rework_count > 0,
        ),
        Metric(
            "returned",
            _l("Return rate"),
            _l(
                "Tickets returned to dispatch at least once, over tickets dispatched in the period "
                "(by dispatch time)."
            ),
            "rate",
            _dispatched,
            lambda b, now: _returned_once(),
        ),
        Metric(
            "extended",
            _l("Extension rate"),
            _l(
                "Tickets with an approved extension, over tickets resolved in the period (by "
                "resolution time)."
            ),
            "rate",
            _resolved,
            lambda b, now: Ticket.extension_working_days > 0,
        ),
        Metric(
            "handling",
            _l("Mean handling time"),
            _l(
                "Working hours from filing to resolution (waiting for the enterprise included), "
                "averaged over tickets resolved in the period; tickets resolved before this "
                "measure "
                "was recorded have no value and are left out."
            ),
            "mean_hours",
            lambda b, now: and_(_resolved(b, now), Ticket.handling_minutes.is_not(None)),
            minutes=Ticket.handling_minutes,
        ),
        Metric(
            "overdue",
            _l("Overdue now"),
            _l(
                "Open tickets whose next deadline has passed, over all open tickets, at this "
                "moment "
                "(not bound to the period)."
            ),
            "rate",
            _open,
            lambda b, now: Ticket.next_due_at < now,
            current=True,
        ),
        Metric(
            "yellow_cards",
            _l("Yellow cards issued"),
            _l(
                "Yellow-card steps fired in the period (sign, first-contact and resolve deadlines "
                "each count), by firing time."
            ),
            "count",
            lambda b, now: _card_fired(Level.YELLOW.value, b),
        ),
        Metric(
            "red_cards",
            _l("Red cards issued"),
            _l("Red-card steps fired in the period (daily repeats not counted), by firing time."),
            "count",
            lambda b, now: _card_fired(Level.RED.value, b),
        ),
    )
}


def ticket_condition(
    metric: Metric, part: str, bucket: Bucket, now: datetime
) -> ColumnElement[bool]:
    """The tickets behind the numerator (``part`` "num") or the denominator of a metric."""
    denominator = metric.denominator(bucket, now)
    if part == "num" and metric.numerator is not None:
        return and_(denominator, metric.numerator(bucket, now))
    return denominator


# --- slices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """A way to cut the park: the grouping key, its readable name, the joins it needs."""

    name: str
    label: object
    key: Any  # a column (None: no grouping)
    title: Any
    joins: Callable[[Select], Select] = lambda query: query
    #: The ticket-queue filter a row's key becomes (None: the whole park).
    queue_filter: str | None = None


SLICES: dict[str, Slice] = {
    s.name: s
    for s in (
        Slice("park", _l("Whole park"), None, None),
        Slice(
            "task_force",
            _l("Task force"),
            Ticket.task_force_id,
            TaskForce.name,
            lambda q: q.outerjoin(TaskForce, TaskForce.id == Ticket.task_force_id),
            "task_force",
        ),
        Slice(
            "chain",
            _l("Industry chain"),
            Enterprise.industry_chain_id,
            IndustryChain.name,
            lambda q: q.join(Enterprise, Enterprise.id == Ticket.enterprise_id).outerjoin(
                IndustryChain, IndustryChain.id == Enterprise.industry_chain_id
            ),
            "chain",
        ),
        Slice(
            "category",
            _l("Category"),
            Ticket.category_id,
            Category.name,
            lambda q: q.join(Category, Category.id == Ticket.category_id),
            "category",
        ),
        Slice("urgency", _l("Urgency"), Ticket.urgency, Ticket.urgency, queue_filter="urgency"),
        Slice("month", _l("Month"), None, None),
    )
}
