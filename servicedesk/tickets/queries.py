"""Read-only questions about tickets: queues, filters, search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, or_, select

from servicedesk.auth.models import Role, User
from servicedesk.enterprises.models import Enterprise
from servicedesk.extensions import db
from servicedesk.tickets.access import task_force_ids, visible_tickets
from servicedesk.tickets.models import Attachment, Category, Ticket
from servicedesk.tickets.rules import OPEN_STATUSES, WITH_TASK_FORCE, Status

RECENTLY_CLOSED = timedelta(days=30)


@dataclass(frozen=True)
class Queue:
    name: str
    label: str


QUEUES = {
    "mine": Queue("mine", _l("Mine")),
    "unsigned": Queue("unsigned", _l("Team: not yet signed")),
    "open": Queue("open", _l("Team: open")),
    "due_soon": Queue("due_soon", _l("Due soon")),
    "overdue": Queue("overdue", _l("Overdue")),
    "closed": Queue("closed", _l("Recently closed")),
    "dispatch": Queue("dispatch", _l("Waiting for dispatch")),
    "all": Queue("all", _l("All tickets")),
}


def queues_for(user: User) -> list[Queue]:
    """The queue tabs this person works with."""
    names = []
    if user.has_role(Role.MEMBER, Role.LEAD):
        names.append("mine")
    names += ["unsigned", "open", "due_soon", "overdue", "closed"]
    if user.has_role(Role.DISPATCHER, Role.ADMIN):
        names.insert(0, "dispatch")
    if user.sees_whole_park or user.has_role(Role.LEAD):
        names.append("all")  # a lead's "all": every ticket of the teams they lead or belong to
    return [QUEUES[n] for n in names]


def default_queue(user: User) -> str:
    """Where a person lands: own tickets for members, dispatch for dispatchers."""
    if user.has_role(Role.MEMBER, Role.LEAD):
        return "mine" if not user.has_role(Role.LEAD) else "open"
    if user.has_role(Role.DISPATCHER):
        return "dispatch"
    return "open"


@dataclass
class TicketFilters:
    status: str | None = None
    category_id: int | None = None
    #: 0 means enterprises that belong to no chain.
    chain_id: int | None = None
    urgency: str | None = None
    enterprise_id: int | None = None
    text: str | None = None
    #: 0 means tickets with no task force (filed or returned).
    task_force_id: int | None = None
    #: A named ticket set (see :data:`TICKET_SETS`), e.g. a supervision metric, with its part
    #: ("num" or "den") and the local days it covers.
    ticket_set: str | None = None
    part: str | None = None
    date_from: date | None = None
    date_to: date | None = None


#: Named sets of tickets defined by a higher room (supervision registers one per metric):
#: name → function(filters) returning the WHERE clause. Tickets cannot import those rooms, so
#: they register here and the queue can show "the tickets behind this number".
@dataclass(frozen=True)
class TicketSet:
    label: object
    condition: Callable[[TicketFilters], ColumnElement[bool]]


TICKET_SETS: dict[str, TicketSet] = {}


def register_ticket_set(
    name: str, label: object, condition: Callable[[TicketFilters], ColumnElement[bool]]
) -> None:
    """Make ``name`` usable as the queue's ``set`` filter, shown as ``label``."""
    TICKET_SETS[name] = TicketSet(label, condition)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def apply_filters(query: Select, filters: TicketFilters) -> Select:
    """Narrow a ticket query by the filter bar; the text matches reference, title, description."""
    if filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.category_id:
        query = query.where(Ticket.category_id == filters.category_id)
    if filters.urgency:
        query = query.where(Ticket.urgency == filters.urgency)
    if filters.enterprise_id:
        query = query.where(Ticket.enterprise_id == filters.enterprise_id)
    if filters.chain_id:
        query = query.where(
            Ticket.enterprise_id.in_(
                select(Enterprise.id).where(Enterprise.industry_chain_id == filters.chain_id)
            )
        )
    elif filters.chain_id == 0:
        query = query.where(
            Ticket.enterprise_id.in_(
                select(Enterprise.id).where(Enterprise.industry_chain_id.is_(None))
            )
        )
    if filters.task_force_id:
        query = query.where(Ticket.task_force_id == filters.task_force_id)
    elif filters.task_force_id == 0:
        query = query.where(Ticket.task_force_id.is_(None))
    if filters.ticket_set in TICKET_SETS:
        query = query.where(TICKET_SETS[filters.ticket_set].condition(filters))
    if filters.text:
        pattern = _like_pattern(filters.text.strip())
        query = query.where(
            or_(
                Ticket.reference.ilike(pattern, escape="\\"),
                Ticket.title.ilike(pattern, escape="\\"),
                Ticket.description.ilike(pattern, escape="\\"),
            )
        )
    return query


def queue_query(user: User, queue: str, now: datetime, due_soon_until: datetime) -> Select:
    """Tickets of one queue that ``user`` may see, most urgent first."""
    query = select(Ticket).where(visible_tickets(user))
    team = None if user.sees_whole_park else task_force_ids(user)
    in_team = (
        Ticket.task_force_id.in_(team) if team is not None else Ticket.task_force_id.is_not(None)
    )
    open_values = [s.value for s in OPEN_STATUSES]
    if queue == "mine":
        query = query.where(Ticket.assignee_id == user.id, Ticket.status.in_(open_values))
    elif queue == "unsigned":
        query = query.where(in_team, Ticket.status == Status.DISPATCHED.value)
    elif queue == "open":
        query = query.where(
            in_team, Ticket.status.in_([s.value for s in WITH_TASK_FORCE] + [Status.RESOLVED.value])
        )
    elif queue == "due_soon":
        query = query.where(Ticket.next_due_at >= now, Ticket.next_due_at <= due_soon_until)
    elif queue == "overdue":
        query = query.where(Ticket.next_due_at < now)
    elif queue == "closed":
        query = query.where(
            Ticket.status.in_([Status.CLOSED.value, Status.WITHDRAWN.value]),
            Ticket.closed_at >= now - RECENTLY_CLOSED,
        )
        return query.order_by(Ticket.closed_at.desc(), Ticket.id.desc())
    elif queue == "dispatch":
        query = query.where(Ticket.status.in_([Status.FILED.value, Status.RETURNED.value]))
        return query.order_by(Ticket.filed_at, Ticket.id)
    return query.order_by(
        Ticket.next_due_at.is_(None), Ticket.next_due_at, Ticket.filed_at, Ticket.id
    )


def enterprise_tickets(user: User, status: str | None = None) -> Select:
    """The tickets of the user's own enterprise (in ``status``, if given), newest first."""
    query = (
        select(Ticket)
        .where(Ticket.enterprise_id == user.enterprise_id)
        .order_by(Ticket.filed_at.desc(), Ticket.id.desc())
    )
    if status is not None:
        query = query.where(Ticket.status == status)
    return query


def ticket_by_reference(reference: str) -> Ticket | None:
    """The ticket with this reference number, or None."""
    return db.session.scalar(select(Ticket).where(Ticket.reference == reference))


def ticket_by_id(ticket_id: int) -> Ticket | None:
    """The ticket with this id, or None."""
    return db.session.get(Ticket, ticket_id)


def attachment_or_none(attachment_id: int) -> Attachment | None:
    """The attachment with this id, or None."""
    return db.session.get(Attachment, attachment_id)


def categories() -> list[Category]:
    """Every ticket category, active or not, by name."""
    return list(db.session.scalars(select(Category).order_by(Category.name)))


def active_categories() -> list[Category]:
    """The categories offered to enterprises filing a ticket, by name."""
    return list(
        db.session.scalars(
            select(Category).where(Category.active.is_(True)).order_by(Category.name)
        )
    )


def category_or_none(category_id: int | None) -> Category | None:
    """The category with this id; None for no id or an unknown one."""
    return db.session.get(Category, category_id) if category_id is not None else None


def category_named(name: str) -> Category | None:
    """The category called ``name``, ignoring case, or None."""
    return db.session.scalar(select(Category).where(func.lower(Category.name) == name.lower()))
