"""Read-only questions about enterprises, industry chains and key projects."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.enterprises.models import Enterprise, IndustryChain, KeyProject
from servicedesk.extensions import db


def enterprise_or_none(enterprise_id: int | None) -> Enterprise | None:
    """The enterprise with this id; None for no id ("— none —") or an unknown one."""
    return db.session.get(Enterprise, enterprise_id) if enterprise_id else None


def chain_or_none(chain_id: int | None) -> IndustryChain | None:
    """The industry chain with this id; None for no id or an unknown one."""
    return db.session.get(IndustryChain, chain_id) if chain_id else None


def key_project_or_none(project_id: int | None) -> KeyProject | None:
    """The key project with this id; None for no id or an unknown one."""
    return db.session.get(KeyProject, project_id) if project_id else None


def industry_chains() -> list[IndustryChain]:
    """Every industry chain, by name."""
    return list(db.session.scalars(select(IndustryChain).order_by(IndustryChain.name)))


def key_projects_of(enterprise_id: int | None) -> list[KeyProject]:
    """The key projects of one enterprise, by name."""
    return list(
        db.session.scalars(
            select(KeyProject)
            .where(KeyProject.enterprise_id == enterprise_id)
            .order_by(KeyProject.name)
        )
    )
