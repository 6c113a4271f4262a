"""Who stands in which relation to a ticket, and which tickets a person may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from servicedesk.auth.models import Role, User
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce, TaskForceMember
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.rules import Relation


def task_force_ids(user: User) -> set[int]:
    """Ids of the task forces the user belongs to or leads."""
    member_of = db.session.scalars(
        select(TaskForceMember.task_force_id).where(TaskForceMember.user_id == user.id)
    ).all()
    lead_of = db.session.scalars(select(TaskForce.id).where(TaskForce.lead_id == user.id)).all()
    return set(member_of) | set(lead_of)


def relations_of(user: User | None, ticket: Ticket) -> set[Relation]:
    """Every relation ``user`` has to ``ticket`` (empty: a stranger to it)."""
    if user is None:
        return {Relation.SYSTEM}
    relations: set[Relation] = set()
    if user.has_role(Role.ENTERPRISE_CONTACT) and user.enterprise_id == ticket.enterprise_id:
        relations.add(Relation.ENTERPRISE)
    if user.has_role(Role.DISPATCHER):
        relations.add(Relation.DISPATCHER)
    if user.has_role(Role.SUPERVISOR):
        relations.add(Relation.SUPERVISOR)
    if user.has_role(Role.ADMIN):
        relations.add(Relation.ADMIN)
    task_force = ticket.task_force
    if task_force is not None and user.has_role(Role.MEMBER, Role.LEAD):
        if task_force.lead_id == user.id:
            relations.update({Relation.LEAD, Relation.MEMBER})
        elif any(m.user_id == user.id for m in task_force.memberships):
            relations.add(Relation.MEMBER)
    if ticket.assignee_id == user.id and Relation.MEMBER in relations:
        relations.add(Relation.ASSIGNEE)
    return relations


def visible_tickets(user: User) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the tickets ``user`` may see."""
    if user.sees_whole_park:
        return true()
    clauses = []
    if user.has_role(Role.ENTERPRISE_CONTACT) and user.enterprise_id is not None:
        clauses.append(Ticket.enterprise_id == user.enterprise_id)
    if user.has_role(Role.MEMBER, Role.LEAD):
        teams = task_force_ids(user)
        if teams:
            clauses.append(Ticket.task_force_id.in_(teams))
    return or_(*clauses) if clauses else false()


def can_view(user: User, ticket: Ticket) -> bool:
    """Whether ``user`` may see ``ticket`` at all."""
    return bool(relations_of(user, ticket) - {Relation.SYSTEM})


def sees_internal(user: User, ticket: Ticket) -> bool:
    """Staff see internal notes; the enterprise never does."""
    return bool(relations_of(user, ticket) - {Relation.ENTERPRISE, Relation.SYSTEM})
