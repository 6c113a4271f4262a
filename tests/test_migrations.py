"""The Alembic migrations build exactly the schema the models describe, and can be undone.

Each check runs on an empty SQLite file and, when ``TEST_DATABASE_URL`` points at PostgreSQL
(``make test-postgres``), on a throw-away PostgreSQL database created for the test and dropped
after it, so the suite's own tables are never touched.
"""

from __future__ import annotations

import os
import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, ProgrammingError

from servicedesk import create_app
from servicedesk.extensions import db


def _postgres_server_url():
    """The PostgreSQL server the suite was pointed at, or None on SQLite runs."""
    raw = os.environ.get("TEST_DATABASE_URL") or ""
    if not raw.startswith("postgresql"):
        return None
    return make_url(raw)


@pytest.fixture
def throwaway_postgres_url():
    """A brand-new, empty PostgreSQL database on the test server, dropped afterwards."""
    server = _postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    name = f"greenchannel_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            try:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            except ProgrammingError as exc:
                pytest.skip(f"the test role may not create databases (grant CREATEDB): {exc}")
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request, tmp_path, monkeypatch):
    """An app on an empty database of each kind, inside its app context."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        url = request.getfixturevalue("throwaway_postgres_url")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "APP_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _require_single_head(app: Flask) -> None:
    """Fail with a readable message when there is no revision, or when two branches diverged."""
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert heads, (
        "migrations/versions holds no Alembic revision yet: "
        "generate one with `flask db migrate -m '...'` and review it"
    )
    assert len(heads) == 1, f"several migration heads {heads}: merge them with `flask db merge`"


def _schema_differences() -> list:
    """What `flask db migrate` would still generate against the migrated database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def _table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _file_a_signed_ticket() -> None:
    """One signed ticket, written in SQL as the first release's schema allows."""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO enterprise (id, name, uscc, is_chain_leader, active, created_at) "
                "VALUES (1, 'E', '91110000600037341L', false, true, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                'INSERT INTO "user" (id, email, name, password_hash, active, created_at) '
                "VALUES (1, 'a@b.example', 'A', 'x', true, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO category (id, name, kind, active) VALUES (1, 'C', 'assistance', true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO ticket (id, reference, enterprise_id, filed_by_id, category_id, "
                "urgency,"
                " preferred_channel, title, description, status, green_channel, filed_at,"
                " dispatched_at, updated_at, extension_working_days, rework_count, version)"
                " VALUES (1, 'GC-2026-000001', 1, 1, 1, 'normal', 'email', 't', 'd', 'signed',"
                " false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, 0, 1)"
            )
        )


def test_upgrade_on_an_empty_database_builds_exactly_the_models_schema(migrated_app):
    _require_single_head(migrated_app)
    assert _table_names() <= {"alembic_version"}

    flask_migrate.upgrade()

    assert {table.name for table in db.metadata.sorted_tables} <= _table_names()
    assert _schema_differences() == []


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(migrated_app):
    _require_single_head(migrated_app)
    flask_migrate.upgrade()

    flask_migrate.downgrade(revision="base")
    assert _table_names() <= {"alembic_version"}

    # Anything a downgrade forgets (an index, a PostgreSQL type) makes the second upgrade fail.
    flask_migrate.upgrade()
    assert _schema_differences() == []


def test_upgrade_from_the_previous_release_keeps_its_tickets(migrated_app):
    """A database at revision 0001 (the first release) with an open ticket upgrades in place:
    the ticket gets a card and a clock, and the sweep will look at it once."""
    flask_migrate.upgrade(revision="0001")
    _file_a_signed_ticket()
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        row = connection.execute(
            text("SELECT card, clock_epoch, clock_started_at, next_escalation_at FROM ticket")
        ).one()
    assert row.card == "none" and row.clock_epoch == 1
    assert row.clock_started_at is not None and row.next_escalation_at is not None
    assert _schema_differences() == []


def test_the_database_refuses_a_status_outside_the_vocabulary_until_downgraded(migrated_app):
    """0004's CHECK constraints stop a raw UPDATE the application's enums would never write;
    its downgrade lifts them again."""
    flask_migrate.upgrade(revision="0001")
    _file_a_signed_ticket()
    flask_migrate.upgrade()
    for column, value in (("status", "lost"), ("card", "green")):
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(f"UPDATE ticket SET {column} = '{value}'"))
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE ticket SET status = 'in_progress', card = 'red'"))

    flask_migrate.downgrade(revision="0003")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE ticket SET status = 'lost'"))
        assert connection.execute(text("SELECT status FROM ticket")).scalar_one() == "lost"


def test_the_admins_limits_get_the_default_dispatch_limit_on_upgrade(migrated_app):
    """0007 adds the dispatch limit: rows an admin saved before keep their limits and get the
    built-in dispatch limit of their tier (two working hours, one in the green channel)."""
    flask_migrate.upgrade(revision="0005")
    with db.engine.begin() as connection:
        for tier in ("normal", "green"):
            connection.execute(
                text(
                    "INSERT INTO sla_policy (tier, sign_minutes, first_contact_minutes,"
                    " resolve_minutes, updated_at)"
                    f" VALUES ('{tier}', 30, 60, 600, CURRENT_TIMESTAMP)"
                )
            )
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT tier, sign_minutes, dispatch_minutes FROM sla_policy ORDER BY tier")
        ).all()
    assert [tuple(row) for row in rows] == [("green", 30, 60), ("normal", 30, 120)]
    assert _schema_differences() == []
    flask_migrate.downgrade(revision="0005")
    with db.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("sla_policy")}
    assert "dispatch_minutes" not in columns and "sign_minutes" in columns
