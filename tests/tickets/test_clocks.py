"""Which clocks of a ticket are running: a pure function, asked with a plain object."""

from dataclasses import dataclass, replace
from datetime import datetime

from servicedesk.tickets.clocks import Clock, Stage, running_clocks
from servicedesk.tickets.deadlines import next_due

FILED = datetime(2026, 11, 30, 9, 0)
DISPATCHED = datetime(2026, 11, 30, 9, 30)


@dataclass(frozen=True)
class Shape:
    """The fields of a ticket the clocks read, and nothing else (no database)."""

    status: str = "dispatched"
    paused_at: datetime | None = None
    filed_at: datetime = FILED
    dispatched_at: datetime | None = DISPATCHED
    clock_started_at: datetime | None = None
    signed_at: datetime | None = None
    first_contact_at: datetime | None = None
    resolved_at: datetime | None = None
    dispatch_due_at: datetime | None = datetime(2026, 11, 30, 11, 0)
    sign_due_at: datetime | None = datetime(2026, 11, 30, 11, 30)
    first_contact_due_at: datetime | None = datetime(2026, 12, 1, 9, 30)
    resolve_due_at: datetime | None = datetime(2026, 12, 7, 9, 30)


def test_a_dispatched_ticket_runs_all_three_clocks_from_dispatch():
    assert running_clocks(Shape()) == [
        Clock(Stage.SIGN, DISPATCHED, datetime(2026, 11, 30, 11, 30)),
        Clock(Stage.FIRST_CONTACT, DISPATCHED, datetime(2026, 12, 1, 9, 30)),
        Clock(Stage.RESOLVE, DISPATCHED, datetime(2026, 12, 7, 9, 30)),
    ]
    assert next_due(Shape()) == datetime(2026, 11, 30, 11, 30)


def test_a_met_deadline_stops_its_clock_and_a_restart_moves_the_start():
    restarted = datetime(2026, 12, 2, 10, 0)
    shape = Shape(
        status="in_progress",
        signed_at=datetime(2026, 11, 30, 10, 0),
        first_contact_at=datetime(2026, 11, 30, 15, 0),
        clock_started_at=restarted,
    )
    assert running_clocks(shape) == [Clock(Stage.RESOLVE, restarted, shape.resolve_due_at)]
    assert next_due(shape) == shape.resolve_due_at


def test_no_clock_runs_while_paused_or_away_from_a_task_force_and_the_dispatcher():
    assert running_clocks(Shape(paused_at=datetime(2026, 11, 30, 10, 0))) == []
    for status in ("waiting_enterprise", "resolved", "closed", "withdrawn"):
        assert running_clocks(replace(Shape(), status=status)) == []
    assert next_due(Shape(status="resolved")) is None


def test_a_filed_ticket_runs_only_the_dispatch_clock_from_filing():
    waiting = Shape(status="filed", dispatched_at=None)
    assert running_clocks(waiting) == [Clock(Stage.DISPATCH, FILED, datetime(2026, 11, 30, 11, 0))]
    assert next_due(waiting) == datetime(2026, 11, 30, 11, 0)
    # A ticket filed before the dispatch clock existed has none (the tick gives it one).
    assert running_clocks(replace(waiting, dispatch_due_at=None)) == []


def test_a_returned_ticket_runs_the_dispatch_clock_from_the_return():
    returned_at = datetime(2026, 12, 1, 14, 0)
    due = datetime(2026, 12, 1, 16, 0)
    shape = Shape(status="returned", clock_started_at=returned_at, dispatch_due_at=due)
    assert running_clocks(shape) == [Clock(Stage.DISPATCH, returned_at, due)]


def test_once_dispatched_the_dispatch_deadline_no_longer_runs():
    assert Stage.DISPATCH not in [c.stage for c in running_clocks(Shape())]


def test_a_stage_without_a_deadline_has_no_clock():
    shape = Shape(sign_due_at=None, first_contact_due_at=None)
    assert [c.stage for c in running_clocks(shape)] == [Stage.RESOLVE]
