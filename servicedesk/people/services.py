"""Account changes that span rooms: the account (auth) together with its task forces."""

from __future__ import annotations

from servicedesk.auth.models import Role, User
from servicedesk.auth.services import admin_create_user, update_user
from servicedesk.taskforces.services import set_user_task_forces, task_forces_by_ids


def create_account(
    actor: User,
    *,
    email: str,
    name: str,
    password: str,
    roles: set[Role] | list[Role],
    mobile: str | None,
    enterprise_id: int | None,
    task_force_ids: list[int],
) -> User:
    """An admin adds an account and puts it in these task forces (not committed)."""
    user = admin_create_user(
        actor,
        password=password,
        email=email,
        name=name,
        roles=set(roles),
        mobile=mobile,
        enterprise_id=enterprise_id,
        in_task_forces=bool(task_force_ids),
    )
    set_user_task_forces(user, task_forces_by_ids(task_force_ids))
    return user


def update_account(
    actor: User,
    user: User,
    *,
    email: str,
    name: str,
    roles: set[Role] | list[Role],
    mobile: str | None,
    enterprise_id: int | None,
    task_force_ids: list[int],
) -> User:
    """An admin changes an account and its task forces (not committed)."""
    update_user(
        actor,
        user,
        email=email,
        name=name,
        roles=set(roles),
        mobile=mobile,
        enterprise_id=enterprise_id,
        in_task_forces=bool(task_force_ids),
    )
    set_user_task_forces(user, task_forces_by_ids(task_force_ids))
    return user
