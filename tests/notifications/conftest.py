"""The ticket park and signed-in clients, plus helpers to read the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.notifications.models import Notification
from tests.tickets.conftest import client_for, park, ticket  # noqa: F401  (fixtures)

MOBILES = {
    "contact": "13800000001",
    "member": "13800000002",
    "second_member": "13800000003",
    "lead": "13800000004",
    "supervisor": "13800000005",
}


@pytest.fixture
def phones(park):  # noqa: F811
    """Give the enterprise contact and the staff of the park mobile numbers (SMS reachable)."""
    for role, number in MOBILES.items():
        getattr(park, role).mobile = number
    db.session.commit()
    return park


def outbox(reference: str | None = None, *, kind: str | None = None) -> list[Notification]:
    """Rows written to the outbox (for one ticket, of one kind), oldest first."""
    db.session.expire_all()
    query = select(Notification).order_by(Notification.id)
    if reference is not None:
        query = query.where(Notification.ticket_id == ticket(reference).id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def told(reference: str | None = None, *, kind: str | None = None) -> set[tuple[str, int, str]]:
    """(kind, recipient id, channel) of every row written, for compact assertions."""
    return {(row.kind, row.recipient_id, row.channel) for row in outbox(reference, kind=kind)}


def told_since(before: set, reference: str) -> set[tuple[str, int, str]]:
    """What was written after ``before`` was taken."""
    return told(reference) - before
