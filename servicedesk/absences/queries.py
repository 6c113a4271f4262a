"""Read-only questions about absences: who is away now and who stands in, whose absences a
person may see and record, and who may be chosen as a deputy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from servicedesk.absences.models import Absence
from servicedesk.absences.rules import stand_in
from servicedesk.auth.models import Role, User, UserRole
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce, TaskForceMember

#: Roles whose holders receive work and may be away with a deputy (every staff role).
STAFF_ROLES = (Role.MEMBER, Role.LEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
#: Park-wide roles: someone away who holds one may hand over to another holder of it.
PARK_WIDE_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)


@dataclass
class StandIns:
    """Who is away at one moment, and who receives in their place (one query, then pure)."""

    at: datetime
    absences: dict[int, Absence] = field(default_factory=dict)  # the person's id → absence
    _deputies: dict[int, int] = field(init=False, repr=False)
    _reachable: set[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._deputies = {pid: absence.deputy_id for pid, absence in self.absences.items()}
        self._reachable = {a.deputy_id for a in self.absences.values() if a.deputy.active}

    def absence_of(self, person: User | None) -> Absence | None:
        """The absence ``person`` is on at this moment, if any."""
        return self.absences.get(person.id) if person is not None else None

    def recipient_for(self, person: User) -> User:
        """Whoever receives what is addressed to ``person``: the end of their deputy chain, or
        ``person`` when they are not away (or the chain loops or breaks)."""
        if person.id not in self.absences:
            return person
        chosen = stand_in(person.id, self._deputies, self._reachable)
        if chosen == person.id:
            return person
        return next(a.deputy for a in self.absences.values() if a.deputy_id == chosen)


def stand_ins_at(at: datetime) -> StandIns:
    """Everyone away at ``at`` (naive UTC), with their deputies loaded."""
    rows = db.session.scalars(
        select(Absence)
        .options(joinedload(Absence.deputy), joinedload(Absence.user))
        .where(Absence.starts_at <= at, Absence.ends_at > at)
    )
    return StandIns(at, {absence.user_id: absence for absence in rows})


def absence_or_none(absence_id: int) -> Absence | None:
    """The absence with this id, or None."""
    return db.session.get(Absence, absence_id)


def absences_of(people: list[User], since: datetime) -> list[Absence]:
    """The absences of ``people`` that have not ended at ``since``, soonest first."""
    if not people:
        return []
    return list(
        db.session.scalars(
            select(Absence)
            .options(joinedload(Absence.user), joinedload(Absence.deputy))
            .where(Absence.user_id.in_([p.id for p in people]), Absence.ends_at > since)
            .order_by(Absence.starts_at, Absence.id)
        )
    )


def current_absences(people_ids: list[int], at: datetime) -> dict[int, Absence]:
    """Of these people, those away at ``at``: person id → absence."""
    if not people_ids:
        return {}
    rows = db.session.scalars(
        select(Absence)
        .options(joinedload(Absence.deputy))
        .where(Absence.user_id.in_(people_ids), Absence.starts_at <= at, Absence.ends_at > at)
    )
    return {absence.user_id: absence for absence in rows}


def overlapping(person: User, starts_at: datetime, ends_at: datetime) -> Absence | None:
    """An absence of ``person`` that shares some time with [starts_at, ends_at)."""
    return db.session.scalar(
        select(Absence)
        .where(
            Absence.user_id == person.id,
            Absence.starts_at < ends_at,
            Absence.ends_at > starts_at,
        )
        .order_by(Absence.starts_at)
        .limit(1)
    )


def _active_holders(roles) -> Select[tuple[User]]:
    return (
        select(User)
        .join(UserRole)
        .where(UserRole.role.in_([r.value for r in roles]), User.active.is_(True))
        .distinct()
    )


def _by_name(users) -> list[User]:
    return sorted({u.id: u for u in users}.values(), key=lambda u: (u.name, u.id))


def staff() -> list[User]:
    """Every active staff member, by name."""
    return _by_name(db.session.scalars(_active_holders(STAFF_ROLES)))


def led_task_force_ids(lead: User) -> list[int]:
    """The active task forces ``lead`` leads."""
    return list(
        db.session.scalars(
            select(TaskForce.id).where(TaskForce.lead_id == lead.id, TaskForce.active.is_(True))
        )
    )


def led_members(lead: User) -> list[User]:
    """The active members of the task forces ``lead`` leads, by name."""
    ids = led_task_force_ids(lead)
    if not ids:
        return []
    return _by_name(
        db.session.scalars(
            select(User)
            .join(TaskForceMember, TaskForceMember.user_id == User.id)
            .where(TaskForceMember.task_force_id.in_(ids), User.active.is_(True))
        )
    )


def task_force_mates(person: User) -> list[User]:
    """The active members and leads of every task force ``person`` is a member or lead of
    (``person`` left out), by name."""
    own = select(TaskForceMember.task_force_id).where(TaskForceMember.user_id == person.id)
    teams = list(
        db.session.scalars(
            select(TaskForce.id).where(
                TaskForce.active.is_(True),
                or_(TaskForce.id.in_(own), TaskForce.lead_id == person.id),
            )
        )
    )
    if not teams:
        return []
    members = db.session.scalars(
        select(User)
        .join(TaskForceMember, TaskForceMember.user_id == User.id)
        .where(TaskForceMember.task_force_id.in_(teams), User.active.is_(True))
    )
    leads = db.session.scalars(
        select(User)
        .join(TaskForce, TaskForce.lead_id == User.id)
        .where(TaskForce.id.in_(teams), User.active.is_(True))
    )
    return [u for u in _by_name([*members, *leads]) if u.id != person.id]


def role_mates(person: User) -> list[User]:
    """Active holders of the park-wide roles ``person`` holds (``person`` left out)."""
    roles = [r for r in PARK_WIDE_ROLES if person.has_role(r)]
    if not roles:
        return []
    return [u for u in _by_name(db.session.scalars(_active_holders(roles))) if u.id != person.id]
