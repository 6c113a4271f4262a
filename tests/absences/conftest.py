"""The ticket stories' park, plus helpers to put people away and make tickets late."""

from __future__ import annotations

from datetime import datetime, timedelta

from servicedesk.absences.models import Absence
from servicedesk.absences.services import record_absence
from servicedesk.clock import utcnow
from servicedesk.extensions import db
from servicedesk.tickets.deadlines import refresh_deadlines
from tests.tickets.conftest import (  # noqa: F401  (fixtures)
    act,
    client_for,
    file_ticket,
    park,
    reference_from,
    ticket,
)


def away(person, deputy, *, by=None, start=None, end=None, now=None) -> Absence:
    """Record through the service that ``person`` is away (from an hour ago, for a day unless
    told otherwise) with ``deputy`` standing in; ``by`` records it (the admin of the park when
    not given, so any staff member may stand in)."""
    now = now or utcnow()
    absence = record_absence(
        by or person,
        person,
        starts_at=start or now - timedelta(hours=1),
        ends_at=end or now + timedelta(days=1),
        deputy=deputy,
        now=now,
    )
    db.session.commit()
    return absence


def overdue_ticket(park, client_for, *, signed=True, days_late=0, hours_late=1):  # noqa: F811
    """A ticket of the park's task force, signed by its member unless told otherwise, whose
    clock is moved into the past so its resolve deadline passed ``days_late`` days and
    ``hours_late`` hours ago."""
    ref = reference_from(file_ticket(client_for(park.contact), park.category))
    if signed:
        act(client_for(park.member), ref, "sign")
    t = ticket(ref)
    late = t.dispatched_at - timedelta(days=days_late, hours=hours_late)
    shift = t.resolve_due_at - late
    t.clock_started_at -= shift
    t.sign_due_at -= shift
    t.first_contact_due_at -= shift
    t.resolve_due_at = late
    refresh_deadlines(t)
    db.session.commit()
    return ref


def hours_from_now(hours: float) -> datetime:
    return utcnow() + timedelta(hours=hours)
