"""Read-only questions about people and their roles."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.auth.models import Role, User, UserRole
from servicedesk.extensions import db


def holders_of(role: Role) -> list[User]:
    """Every active person holding ``role``."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role(role).value, User.active.is_(True))
            .order_by(User.id)
        )
    )


def supervisors() -> list[User]:
    """Every active supervisor of the park."""
    return holders_of(Role.SUPERVISOR)


def dispatchers() -> list[User]:
    """Every active dispatcher of the park."""
    return holders_of(Role.DISPATCHER)


def user_or_none(user_id: int | None) -> User | None:
    """The person with this id; None for no id ("— none —") or an unknown one."""
    return db.session.get(User, user_id) if user_id else None
