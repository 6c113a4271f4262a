"""State changes and look-ups for task forces (工作专班) and their memberships."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select

from servicedesk.auth.models import Role, User, UserRole
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce, TaskForceMember

#: Roles whose holders may be members of a task force.
MEMBER_ROLES = (Role.MEMBER, Role.LEAD)


# --- look-ups ---------------------------------------------------------------------------------


def _users_holding(roles: tuple[Role, ...], keep: list[User]) -> list[User]:
    query = (
        select(User)
        .join(UserRole)
        .where(UserRole.role.in_([r.value for r in roles]), User.active.is_(True))
        .distinct()
    )
    users = {u.id: u for u in db.session.scalars(query)}
    users.update({u.id: u for u in keep if u is not None})
    return sorted(users.values(), key=lambda u: (u.name, u.id))


def lead_candidates(current: User | None = None) -> list[User]:
    """Active users with the task-force lead role, plus the current lead."""
    return _users_holding((Role.LEAD,), [current] if current else [])


def member_candidates(current: list[User] | None = None) -> list[User]:
    """Active task-force members and leads, plus the current members."""
    return _users_holding(MEMBER_ROLES, current or [])


def task_force_choices(keep: Sequence[TaskForce | None] | None = None) -> list[TaskForce]:
    """Active task forces by name, plus ``keep`` (already chosen ones, even if inactive)."""
    rows = {t.id: t for t in db.session.scalars(select(TaskForce).where(TaskForce.active))}
    rows.update({t.id: t for t in keep or [] if t is not None})
    return sorted(rows.values(), key=lambda t: (t.name, t.id))


def task_forces_of(user: User) -> list[TaskForce]:
    """The task forces ``user`` is a member of."""
    if user.id is None:
        return []
    query = (
        select(TaskForce)
        .join(TaskForceMember)
        .where(TaskForceMember.user_id == user.id)
        .order_by(TaskForce.name)
    )
    return list(db.session.scalars(query))


def task_forces_by_ids(ids: list[int]) -> list[TaskForce]:
    """The task forces with these ids (unknown ids are left out)."""
    if not ids:
        return []
    return list(db.session.scalars(select(TaskForce).where(TaskForce.id.in_(ids))))


def users_by_ids(ids: list[int]) -> list[User]:
    """The users with these ids (unknown ids are left out)."""
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids))))


# --- changes ----------------------------------------------------------------------------------


def _check_people(lead: User | None, members: list[User]) -> None:
    if lead is not None and not lead.has_role(Role.LEAD):
        raise Refused(
            _("%(name)s does not hold the task-force lead role.", name=lead.name), "lead_id"
        )
    for user in members:
        if not user.has_role(*MEMBER_ROLES):
            raise Refused(
                _("%(name)s is neither a task-force member nor a lead.", name=user.name),
                "member_ids",
            )


def _check_name(name: str, task_force: TaskForce | None) -> str:
    name = name.strip()
    query = select(TaskForce).where(func.lower(TaskForce.name) == name.lower())
    holder = db.session.scalar(query)
    if holder is not None and holder is not task_force:
        raise Refused(_("There is already a task force called “%(name)s”.", name=name), "name")
    return name


def _set_members(task_force: TaskForce, members: list[User]) -> None:
    wanted = {u.id: u for u in members}
    task_force.memberships = [m for m in task_force.memberships if m.user_id in wanted]
    have = {m.user_id for m in task_force.memberships}
    for user_id, user in wanted.items():
        if user_id not in have:
            task_force.memberships.append(TaskForceMember(user=user))


def create_task_force(
    actor: User,
    *,
    name: str,
    description: str | None,
    lead: User | None,
    members: list[User],
    active: bool = True,
) -> TaskForce:
    """Add a task force with its lead and members (not committed)."""
    _check_people(lead, members)
    task_force = TaskForce(
        name=_check_name(name, None), description=description or None, lead=lead, active=active
    )
    _set_members(task_force, members)
    db.session.add(task_force)
    return task_force


def update_task_force(
    actor: User,
    task_force: TaskForce,
    *,
    name: str,
    description: str | None,
    lead: User | None,
    members: list[User],
    active: bool,
) -> None:
    """Change a task force's name, description, lead, members and whether it takes tickets."""
    _check_people(lead, members)
    task_force.name = _check_name(name, task_force)
    task_force.description = description or None
    task_force.lead = lead
    task_force.active = active
    _set_members(task_force, members)


def set_user_task_forces(user: User, task_forces: list[TaskForce]) -> None:
    """Make ``user`` a member of exactly these task forces (called whenever roles change)."""
    if user.id is not None and not user.has_role(Role.LEAD):
        led = db.session.scalar(select(TaskForce).where(TaskForce.lead_id == user.id))
        if led is not None:
            raise Refused(
                _(
                    "%(name)s leads the task force %(task_force)s; choose another lead there "
                    "before taking away the lead role.",
                    name=user.name,
                    task_force=led.name,
                ),
                "roles",
            )
    wanted = {t.id for t in task_forces}
    if wanted and not user.has_role(*MEMBER_ROLES):
        raise Refused(
            _("Only task-force members and leads can belong to task forces."), "task_force_ids"
        )
    current = {t.id: t for t in task_forces_of(user)}
    for task_force in current.values():
        if task_force.id not in wanted:
            task_force.memberships = [m for m in task_force.memberships if m.user_id != user.id]
    for task_force in task_forces:
        if task_force.id not in current:
            task_force.memberships.append(TaskForceMember(user=user))
