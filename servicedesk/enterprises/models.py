"""Enterprises, industry chains (with their five-ones) and key projects."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.clock import utcnow
from servicedesk.extensions import Model
from servicedesk.sqlutil import enum_type

if TYPE_CHECKING:
    from servicedesk.auth.models import User
    from servicedesk.taskforces.models import TaskForce


class IndustryChain(Model):
    """An industry chain and its "five ones": leader, chief scientist, task force, policies."""

    __tablename__ = "industry_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    chain_leader_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", use_alter=True, ondelete="SET NULL")
    )
    chief_scientist: Mapped[str | None] = mapped_column(String(200))
    task_force_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_force.id", use_alter=True, ondelete="SET NULL")
    )
    policy_package: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chain_leader: Mapped[Enterprise | None] = relationship(
        foreign_keys=[chain_leader_enterprise_id], post_update=True
    )
    task_force: Mapped[TaskForce | None] = relationship(
        foreign_keys=[task_force_id], post_update=True
    )
    enterprises: Mapped[list[Enterprise]] = relationship(
        back_populates="industry_chain", foreign_keys="Enterprise.industry_chain_id"
    )

    def __str__(self) -> str:
        return self.name


class Enterprise(Model):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    #: Set when an admin accepted a USCC that fails the GB 32100 check (early pilot codes).
    uscc_override_reason: Mapped[str | None] = mapped_column(Text)
    industry_chain_id: Mapped[int | None] = mapped_column(
        ForeignKey("industry_chain.id", ondelete="SET NULL"), index=True
    )
    is_chain_leader: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    industry_chain: Mapped[IndustryChain | None] = relationship(
        back_populates="enterprises", foreign_keys=[industry_chain_id]
    )
    contacts: Mapped[list[User]] = relationship(back_populates="enterprise")
    key_projects: Mapped[list[KeyProject]] = relationship(back_populates="enterprise")

    def __str__(self) -> str:
        return self.name


class ProjectLevel(enum.StrEnum):
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    DISTRICT = "district"


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    IN_OPERATION = "in_operation"
    COMPLETED = "completed"


class KeyProject(Model):
    """A provincial, municipal or district key project; its tickets ride the green channel."""

    __tablename__ = "key_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), default=ProjectLevel.DISTRICT.value)
    status: Mapped[ProjectStatus] = mapped_column(
        enum_type(ProjectStatus, 30, "status"), default=ProjectStatus.PLANNED
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    industry_chain_id: Mapped[int | None] = mapped_column(
        ForeignKey("industry_chain.id", ondelete="SET NULL")
    )
    task_force_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_force.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="key_projects")
    industry_chain: Mapped[IndustryChain | None] = relationship()
    task_force: Mapped[TaskForce | None] = relationship()

    def __str__(self) -> str:
        return self.name
