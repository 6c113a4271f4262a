"""Fixtures for the SLA tests: a ticket to time and a way to set the clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from servicedesk.tickets.models import Ticket


@pytest.fixture
def make_timed_ticket(make_category):
    """A ticket that is never saved: the clock functions only read and set its fields."""

    def make(kind="assistance", urgency="normal", green_channel=False, category=None):
        return Ticket(
            category=category or make_category(kind=kind),
            urgency=urgency,
            green_channel=green_channel,
            extension_working_days=0,
        )

    return make


@pytest.fixture
def set_today(monkeypatch):
    """Pretend the current time is ``moment`` (naive UTC) for the calendar store."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr("servicedesk.sla.calendar_store.utcnow", lambda: moment)

    return set_to
