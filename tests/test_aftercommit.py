"""The after-commit queue: work queued during a transaction runs once, after it commits, and
never when it (or the savepoint it was queued in) rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from servicedesk import aftercommit
from servicedesk.extensions import db
from servicedesk.tickets.models import ReferenceSequence


@pytest.fixture
def ran(app):
    """Registers the work "test.ran"; returns the batches it was run with, in order."""
    batches: list[list] = []
    aftercommit.register("test.ran", batches.append)
    return batches


def _committed_years() -> set[int]:
    """Rows another connection can see: what is committed."""
    with db.engine.connect() as other:
        return set(other.scalars(select(ReferenceSequence.year)))


def test_work_runs_once_after_the_commit_with_everything_queued(app, ran):
    aftercommit.queue("test.ran", 1)
    db.session.add(ReferenceSequence(year=2031, last_number=0))
    aftercommit.queue("test.ran", 2)
    db.session.flush()
    assert ran == [] and aftercommit.pending("test.ran") == [1, 2]
    db.session.commit()
    assert ran == [[1, 2]]
    db.session.commit()  # the next transaction has nothing queued
    assert ran == [[1, 2]]


def test_a_rollback_runs_nothing_and_forgets_the_queue(app, ran):
    aftercommit.queue("test.ran", "lost")
    db.session.add(ReferenceSequence(year=2032, last_number=0))
    db.session.rollback()
    db.session.commit()
    assert ran == [] and aftercommit.pending("test.ran") == []


def test_a_rolled_back_savepoint_drops_what_was_queued_inside_it(app, ran):
    aftercommit.queue("test.ran", "before")
    db.session.add(ReferenceSequence(year=2033, last_number=0))
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            db.session.add(ReferenceSequence(year=2034, last_number=0))
            aftercommit.queue("test.ran", "inside the failed savepoint")
            raise RuntimeError("one ticket of the batch is broken")
    with db.session.begin_nested():  # released: its work waits for the real commit
        aftercommit.queue("test.ran", "inside a released savepoint")
    assert ran == []
    db.session.commit()
    assert ran == [["before", "inside a released savepoint"]]
    assert _committed_years() == {2033}


def test_a_savepoint_released_inside_one_that_rolls_back_is_dropped_too(app, ran):
    outer = db.session.begin_nested()
    with db.session.begin_nested():
        aftercommit.queue("test.ran", "inner, released")
    outer.rollback()
    db.session.commit()
    assert ran == []


def test_before_commit_work_writes_inside_the_transaction_and_can_queue_more(app, ran):
    def write_rows(years):
        for year in years:
            db.session.add(ReferenceSequence(year=year, last_number=0))
        aftercommit.queue("test.ran", f"{len(years)} written")

    aftercommit.register("test.write", write_rows, before_commit=True)
    aftercommit.queue("test.write", 2035)
    aftercommit.queue("test.write", 2036)
    db.session.commit()
    assert _committed_years() == {2035, 2036}
    assert ran == [["2 written"]]

    aftercommit.queue("test.write", 2037)
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReferenceSequence)) == 2
    assert ran == [["2 written"]]


def test_plain_callables_run_after_the_commit_and_a_failing_one_does_not_stop_the_rest(app):
    calls = []
    aftercommit.call_after_commit(lambda: calls.append("first"))
    aftercommit.call_after_commit(lambda: 1 / 0)
    aftercommit.call_after_commit(lambda: calls.append("second"))
    assert calls == []
    db.session.commit()
    assert calls == ["first", "second"]  # the failure is logged; the commit stands


def test_only_registered_work_can_be_queued(app):
    with pytest.raises(LookupError):
        aftercommit.queue("nobody.registered.this", 1)
