"""Account changes that span rooms: the account (auth) together with its task forces."""

from __future__ import annotations

from typing import Unpack

from servicedesk.auth.models import User
from servicedesk.auth.services import AccountDetails, admin_create_user, update_user
from servicedesk.taskforces.services import set_user_task_forces, task_forces_by_ids


def create_account(
    actor: User, *, password: str, task_force_ids: list[int], **details: Unpack[AccountDetails]
) -> User:
    """An admin adds an account and puts it in these task forces (not committed)."""
    user = admin_create_user(
        actor, password=password, in_task_forces=bool(task_force_ids), **details
    )
    set_user_task_forces(user, task_forces_by_ids(task_force_ids))
    return user


def update_account(
    actor: User, user: User, *, task_force_ids: list[int], **details: Unpack[AccountDetails]
) -> User:
    """An admin changes an account and its task forces (not committed)."""
    update_user(actor, user, in_task_forces=bool(task_force_ids), **details)
    set_user_task_forces(user, task_forces_by_ids(task_force_ids))
    return user
