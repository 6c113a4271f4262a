"""Absences (不在岗): a staff member away for a while, and the deputy who covers meanwhile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.auth.models import User
from servicedesk.clock import utcnow
from servicedesk.extensions import Model


class Absence(Model):
    """``user`` is away from ``starts_at`` until ``ends_at`` (naive UTC, the end excluded);
    what is addressed to them meanwhile goes to ``deputy``. Cancelling early moves
    ``ends_at`` to the moment of cancelling; an absence not yet begun is deleted instead."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("deputy_id <> user_id", name="deputy_is_someone_else"),
        # "Who is away at this moment" reads the absences that have not ended yet.
        Index("ix_absence_ends_at_starts_at", "ends_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<Absence of {self.user_id} from {self.starts_at:%Y-%m-%d %H:%M}>"

    def is_on(self, at: datetime) -> bool:
        """Whether the person is away at ``at``."""
        return self.starts_at <= at < self.ends_at
