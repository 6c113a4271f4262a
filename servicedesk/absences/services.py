"""Recording and cancelling absences. Every function takes the acting person explicitly and
raises :class:`~servicedesk.crud.Refused` with a readable reason; the caller commits.

Who may record: every staff member for themselves, a task-force lead for the members of the
task forces they lead, an admin for anyone on the staff. The deputy is someone else who can
do the work: a member or lead of one of the absent person's task forces, or another holder of
a park-wide role the absent person holds; an admin may choose any active staff member.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from servicedesk.absences.models import Absence
from servicedesk.absences.queries import (
    STAFF_ROLES,
    led_members,
    overlapping,
    role_mates,
    staff,
    task_force_mates,
)
from servicedesk.auth.models import Role, User
from servicedesk.clock import utcnow
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.i18n import local_datetime

NOTE_MAX = 500


def _by_name(users: list[User]) -> list[User]:
    return sorted({u.id: u for u in users}.values(), key=lambda u: (u.name, u.id))


def is_staff(person: User | None) -> bool:
    """Whether ``person`` is an active staff member (who can be away, or stand in)."""
    return person is not None and person.active and person.has_role(*STAFF_ROLES)


def may_record_for(actor: User, person: User) -> bool:
    """Whether ``actor`` may record (and cancel) absences of ``person``."""
    if not is_staff(actor) or not person.has_role(*STAFF_ROLES):
        return False
    if actor.has_role(Role.ADMIN) or actor.id == person.id:
        return True
    return actor.has_role(Role.LEAD) and any(m.id == person.id for m in led_members(actor))


def people_recordable_by(actor: User) -> list[User]:
    """Everyone whose absences ``actor`` may record, by name (``actor`` among them)."""
    if not is_staff(actor):
        return []
    if actor.has_role(Role.ADMIN):
        return staff()
    people = [actor]
    if actor.has_role(Role.LEAD):
        people += led_members(actor)
    return _by_name(people)


def deputy_candidates(actor: User, person: User) -> list[User]:
    """Who ``actor`` may name as the deputy of ``person``, by name."""
    if actor.has_role(Role.ADMIN):
        return [u for u in staff() if u.id != person.id]
    return _by_name([*task_force_mates(person), *role_mates(person)])


def deputies_offered(actor: User, people: list[User]) -> list[User]:
    """Everyone ``actor`` may name as the deputy of at least one of ``people``, by name."""
    if actor.has_role(Role.ADMIN):
        return staff()
    return _by_name([u for person in people for u in deputy_candidates(actor, person)])


def _check_deputy(actor: User, person: User, deputy: User | None) -> User:
    if deputy is None:
        raise Refused(_("Please choose a deputy."), "deputy")
    if deputy.id == person.id:
        raise Refused(_("Nobody can be their own deputy: please choose someone else."), "deputy")
    if not is_staff(deputy):
        raise Refused(_("The deputy must be an active staff member."), "deputy")
    if all(candidate.id != deputy.id for candidate in deputy_candidates(actor, person)):
        raise Refused(
            _(
                "%(deputy)s cannot stand in for %(name)s: the deputy must be a member or lead "
                "of one of their task forces (an admin may choose anyone on the staff).",
                deputy=deputy.name,
                name=person.name,
            ),
            "deputy",
        )
    return deputy


def record_absence(
    actor: User,
    person: User,
    *,
    starts_at: datetime,
    ends_at: datetime,
    deputy: User | None,
    note: str | None = None,
    now: datetime | None = None,
) -> Absence:
    """Record that ``person`` is away from ``starts_at`` until ``ends_at`` (naive UTC) with
    ``deputy`` standing in; refused when it ends before it starts, is over already, overlaps
    another absence of theirs, or names a deputy who may not stand in."""
    now = now or utcnow()
    if not may_record_for(actor, person):
        raise Refused(_("You may not record an absence for %(name)s.", name=person.name))
    if ends_at <= starts_at:
        raise Refused(_("The absence must end after it starts."), "ends_at")
    if ends_at <= now:
        raise Refused(
            _("This absence would be over already: please enter one that is still to come."),
            "ends_at",
        )
    deputy = _check_deputy(actor, person, deputy)
    # Two recordings for one person at once: the second waits here (PostgreSQL) and then
    # sees the first one's absence.
    db.session.execute(select(User.id).where(User.id == person.id).with_for_update())
    clash = overlapping(person, starts_at, ends_at)
    if clash is not None:
        raise Refused(
            _(
                "%(name)s is already away from %(start)s until %(end)s; cancel that absence "
                "first or choose other times.",
                name=person.name,
                start=local_datetime(clash.starts_at),
                end=local_datetime(clash.ends_at),
            ),
            "starts_at",
        )
    absence = Absence(
        user_id=person.id,
        deputy_id=deputy.id,
        starts_at=starts_at,
        ends_at=ends_at,
        note=(note or "").strip()[:NOTE_MAX] or None,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(absence)
    db.session.flush()
    return absence


def cancel_absence(actor: User, absence: Absence, now: datetime | None = None) -> bool:
    """End ``absence`` now: one going on ends at this moment (messages go to the person
    again), one still to come is deleted. True when it was deleted."""
    now = now or utcnow()
    if not may_record_for(actor, absence.user):
        raise Refused(_("You may not change the absences of %(name)s.", name=absence.user.name))
    if absence.ends_at <= now:
        raise Refused(_("This absence is over already."))
    if absence.starts_at >= now:
        db.session.delete(absence)
        db.session.flush()
        return True
    absence.ends_at = now
    db.session.flush()
    return False
