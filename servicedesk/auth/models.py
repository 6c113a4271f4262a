"""People and their roles."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from servicedesk.clock import utcnow
from servicedesk.extensions import Model, db

if TYPE_CHECKING:
    from servicedesk.enterprises.models import Enterprise


class Role(enum.StrEnum):
    """What a person may do. A person may hold several roles."""

    ENTERPRISE_CONTACT = "enterprise_contact"
    DISPATCHER = "dispatcher"
    MEMBER = "member"
    LEAD = "lead"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


#: Roles that see every ticket in the park.
PARK_WIDE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
#: Roles that work tickets inside their task forces.
TASK_FORCE_ROLES = frozenset({Role.MEMBER, Role.LEAD})


class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise | None] = relationship(back_populates="contacts")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def set_roles(self, roles: set[Role] | list[Role]) -> None:
        """Replace the user's roles with ``roles``."""
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        have = {row.role for row in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role.value))

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds at least one of ``roles``."""
        return bool(self.roles.intersection(roles))

    @property
    def sees_whole_park(self) -> bool:
        return self.has_role(*PARK_WIDE_ROLES)

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (scrypt unless PASSWORD_HASH_METHOD says otherwise;
        the test suite uses a cheap method to stay fast)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserRole(Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


def user_by_email(email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or None."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))
