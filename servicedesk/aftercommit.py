"""Work that must wait for the commit: queued while a request, job or command changes things,
run once its transaction commits, dropped if it rolls back.

Higher rooms name the work they will queue, once, from ``create_app`` (:func:`register`), then
queue items for it (:func:`queue`) or plain callables (:func:`call_after_commit`). Items live
on the database session, so this works alike in web requests, RQ jobs and CLI commands (any
app context). An item queued inside a savepoint (``begin_nested``) is dropped with it when
that savepoint rolls back; a released savepoint keeps its items for the outer commit.

When the outermost transaction commits, each kind of work runs once with all its items, in the
order registered: ``before_commit`` work just before the commit, inside the transaction (what
it writes commits with it, and it may queue after-commit work), the rest after the commit.
After-commit work runs outside any transaction: what it queues in turn is dropped.

This module is core: it knows nothing of notifications or jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from servicedesk.extensions import db

log = logging.getLogger(__name__)

#: One queued item: the transaction (or savepoint) it was queued in, its work's name, the item.
_Entry = tuple[SessionTransaction, str, Any]

_EXTENSION = "servicedesk.aftercommit"
_QUEUE = "servicedesk.aftercommit.queue"  # key in session.info
#: The work :func:`call_after_commit` queues: plain callables, called in order.
CALLABLES = "aftercommit.callables"


@dataclass(frozen=True)
class Work:
    """A kind of queued work: ``run`` gets every item queued for it in one transaction."""

    name: str
    run: Callable[[list], None]
    before_commit: bool = False


def init_app(app: Flask) -> None:
    """Run the work queued in this app's sessions around their commits (from ``create_app``)."""
    app.extensions[_EXTENSION] = {}
    register(CALLABLES, _call_each, app=app)
    if not event.contains(db.session, "before_commit", _before_commit):
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_soft_rollback)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)


def register(
    name: str, run: Callable[[list], None], *, before_commit: bool = False, app: Flask | None = None
) -> None:
    """Name a kind of work and the function that runs a transaction's items of it."""
    works = (app or current_app).extensions.get(_EXTENSION)
    if works is None:
        raise RuntimeError("servicedesk.aftercommit.init_app(app) must run first")
    works[name] = Work(name, run, before_commit)


def queue(name: str, item) -> None:
    """Queue ``item`` for the work called ``name``: run once the current transaction commits,
    dropped if it (or the savepoint it was queued in) rolls back."""
    if name not in _works():
        raise LookupError(f"no work called {name!r} is registered to run at the commit")
    session = db.session()
    session.info.setdefault(_QUEUE, []).append((_innermost(session), name, item))


def call_after_commit(callback: Callable[[], None]) -> None:
    """Call ``callback()`` once the current transaction commits (never if it rolls back)."""
    queue(CALLABLES, callback)


def pending(name: str) -> list:
    """The items queued for ``name`` in the current session and not yet run."""
    return [item for _tx, queued, item in db.session().info.get(_QUEUE, ()) if queued == name]


# --- the session's side --------------------------------------------------------------------


def _works() -> dict[str, Work]:
    if not has_app_context():
        return {}
    return current_app.extensions.get(_EXTENSION, {})


def _call_each(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # one failed follow-up must not stop the others
            log.exception("after-commit callback %r failed", callback)


def _innermost(session: Session) -> SessionTransaction:
    # Queued between transactions: the item belongs to the next one, so begin it now (a
    # rollback of a session with no transaction would otherwise not forget the item).
    return session.get_nested_transaction() or session.get_transaction() or session.begin()


def _take(session: Session, before_commit: bool) -> list[tuple[Work, list]]:
    """Remove this phase's items from the queue, grouped by work in registration order."""
    works = _works()
    queued = session.info.get(_QUEUE)
    if not queued or not works:
        return []
    keep: list[_Entry] = []
    mine: list[_Entry] = []
    for entry in queued:
        (mine if works[entry[1]].before_commit == before_commit else keep).append(entry)
    session.info[_QUEUE] = keep
    return [
        (work, items)
        for work in works.values()
        if (items := [item for _tx, name, item in mine if name == work.name])
    ]


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: wait for the real commit
    # Before-commit work may queue more of its own kind (rarely); run until nothing is left.
    for _round in range(10):
        batches = _take(session, before_commit=True)
        if not batches:
            return
        for work, items in batches:
            work.run(items)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for work, items in _take(session, before_commit=False):
        try:
            work.run(items)
        except Exception:  # the change is committed; what follows it must not look undone
            log.exception("after-commit work %s failed for %d items", work.name, len(items))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(_QUEUE)
    if queued and previous_transaction.nested:
        session.info[_QUEUE] = [
            entry for entry in queued if not _within(entry[0], previous_transaction)
        ]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # The outermost transaction is over: committed (its work has run), rolled back or
        # closed. Nothing queued in it may run in the next one.
        session.info.pop(_QUEUE, None)
