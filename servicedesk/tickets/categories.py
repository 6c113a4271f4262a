"""The ticket categories an admin keeps: add one or change it."""

from __future__ import annotations

from flask_babel import gettext as _

from servicedesk.auth.models import User
from servicedesk.crud import Refused
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Category, CategoryKind
from servicedesk.tickets.queries import category_named


def save_category(
    actor: User,
    category: Category | None,
    *,
    name: str,
    name_en: str | None,
    kind: str,
    default_task_force: TaskForce | None,
    active: bool,
) -> Category:
    """Add (``category`` None) or change a ticket category; not committed."""
    name = name.strip()
    holder = category_named(name)
    if holder is not None and holder is not category:
        raise Refused(_("There is already a category called “%(name)s”.", name=name), "name")
    if kind not in {k.value for k in CategoryKind}:
        raise Refused(_("Please choose the kind of request."), "kind")
    if category is None:
        category = Category()
        db.session.add(category)
    category.name = name
    category.name_en = (name_en or "").strip() or None
    category.kind = kind
    category.default_task_force = default_task_force
    category.active = active
    return category
