"""Read-only questions about people and their roles."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.auth.models import Role, User, UserRole
from servicedesk.extensions import db


def supervisors() -> list[User]:
    """Every active supervisor of the park."""
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.SUPERVISOR.value,
                                          User.active.is_(True)).order_by(User.id)))
