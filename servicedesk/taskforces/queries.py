"""Read-only questions about task forces."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce


def task_forces() -> list[TaskForce]:
    """Every task force, active or not, by name."""
    return list(db.session.scalars(select(TaskForce).order_by(TaskForce.name)))


def task_force_or_none(task_force_id: int | None) -> TaskForce | None:
    """The task force with this id; None for no id ("— none —") or an unknown one."""
    return db.session.get(TaskForce, task_force_id) if task_force_id else None
