"""Task forces (工作专班): cross-department teams that own a chain or a key project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.extensions import Model


class TaskForce(Model):
    __tablename__ = "task_force"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    memberships: Mapped[list[TaskForceMember]] = relationship(
        back_populates="task_force", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def members(self) -> list[User]:
        return [m.user for m in self.memberships]

    def has_member(self, user: User) -> bool:
        """True for the lead and for every member."""
        return user.id == self.lead_id or any(m.user_id == user.id for m in self.memberships)


class TaskForceMember(Model):
    __tablename__ = "task_force_member"

    task_force_id: Mapped[int] = mapped_column(
        ForeignKey("task_force.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    task_force: Mapped[TaskForce] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
