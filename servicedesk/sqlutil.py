"""Database idioms shared by the rooms that need them."""

from __future__ import annotations

import enum
import sqlite3
import time
from typing import Any, cast

from sqlalchemy import CursorResult, Enum, Result, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from servicedesk.extensions import Model, db


def enum_type(vocabulary: type[enum.StrEnum], length: int, name: str) -> Enum:
    """A column type for a StrEnum: VARCHAR(``length``) holding the members' values, with a CHECK
    constraint (``ck_<table>_<name>`` by the naming convention) so the database refuses anything
    else too. Unknown strings are refused before they are sent (LookupError); loaded values are
    members, which compare equal to their strings."""
    return Enum(
        vocabulary,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=name,
    )


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (``Session.execute`` types its result as a
    plain ``Result``; for DML it is a ``CursorResult``)."""
    assert isinstance(result, CursorResult)
    return result.rowcount or 0


def insert_once(
    model: type[Model], values: dict[str, Any], unique_columns: list[str]
) -> int | None:
    """INSERT a row unless one with the same unique key exists; the new id, or None.

    ``ON CONFLICT DO NOTHING`` makes the unique key the arbiter: of two transactions inserting
    the same key at once, exactly one gets an id (on PostgreSQL the second waits for the first
    to commit, then does nothing).
    """
    table = cast(Table, model.__table__)  # a Core INSERT, as fast as the dialect allows
    dialect = db.session.get_bind().dialect.name
    # Each dialect's insert() has its own on_conflict_do_nothing; the base Insert has none.
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise NotImplementedError(f"insert_once does not know the {dialect} dialect")
    returning = (
        statement.values(**values)
        .on_conflict_do_nothing(index_elements=unique_columns)
        .returning(table.c.id)
    )
    return db.session.execute(returning).scalar()


def _tune_sqlite(dbapi_connection, _record) -> None:
    """SQLite shared by the web process and the workers: WAL lets readers run beside the one
    writer, and a busy timeout makes writers queue instead of failing at once."""

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def init_sqlite_tuning() -> None:
    """Apply :func:`_tune_sqlite` to every new SQLite connection (idempotent)."""

    if not event.contains(Engine, "connect", _tune_sqlite):
        event.listen(Engine, "connect", _tune_sqlite)


def is_sqlite_busy(exc: Exception) -> bool:
    """SQLite's "database is locked": a transaction that read, then tried to write after
    another process committed, cannot wait its turn; it has to start again."""

    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def retrying_on_sqlite_busy(work, attempts: int = 8):
    """Run ``work()`` (which commits) again after a rollback while SQLite says it is locked."""

    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Exception as exc:
            if not is_sqlite_busy(exc) or attempt == attempts:
                raise
            db.session.rollback()
            time.sleep(0.05 * attempt)
    return None
