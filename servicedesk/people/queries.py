"""Read-only questions of the people admin pages."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from servicedesk.auth.models import User, UserRole


def people_search(text: str | None = None, role: str | None = None) -> Select:
    """People by name, whose name or e-mail contains ``text`` and who hold ``role``."""
    query = select(User).order_by(User.name, User.id)
    text = (text or "").strip()
    if text:
        query = query.where(
            or_(
                User.name.icontains(text, autoescape=True),
                User.email.icontains(text, autoescape=True),
            )
        )
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return query
