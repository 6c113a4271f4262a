"""Every admin form shows a service's refusal in one way (servicedesk.crud.save_or_refuse):
next to the field it names, or at the top of the form when it names none; nothing is saved."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from servicedesk.crud import Refused
from servicedesk.enterprises.models import Enterprise
from servicedesk.extensions import db
from servicedesk.taskforces.models import TaskForce
from servicedesk.tickets.models import Category
from tests.admin.conftest import count, fresh_uscc, new_user

FORM_START = '<form method="post" action="" novalidate>'


def _page(response) -> tuple[str, str]:
    """The summary above the admin form, and the form itself."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    main = html[html.index("<main") :]
    top, form = main.split(FORM_START, 1)
    return top, form


def _next_to(form: str, field: str, message: str) -> bool:
    """True when ``message`` stands in the block of the field with id ``field``."""
    start = form.index(f'id="{field}"')
    end = form.find('class="mb-3', start)
    return message in form[start : end if end != -1 else None]


def _refuse(message: str, field: str | None = None):
    def service(*args, **kwargs):
        raise Refused(message, field)

    return service


def _task_force(**changes) -> dict:
    return {
        "name": "Magnet task force",
        "description": "",
        "lead_id": "0",
        "member_ids": [],
        "active": "y",
        **changes,
    }


def _category(**changes) -> dict:
    return {
        "name": "Permits",
        "name_en": "",
        "kind": "assistance",
        "default_task_force_id": "0",
        "active": "y",
        **changes,
    }


def test_a_task_force_refusal_on_a_field_stands_next_to_that_field(client, admin, make_task_force):
    make_task_force(name="Magnet task force")
    top, form = _page(client.post("/admin/task-forces/new", data=_task_force()))
    message = "There is already a task force called “Magnet task force”."
    assert _next_to(form, "name", message)
    assert message not in top
    assert "Please correct the marked fields; nothing has been saved yet." in top
    db.session.rollback()
    assert count(TaskForce) == 1


def test_a_category_refusal_on_a_field_stands_next_to_that_field(client, admin, monkeypatch):
    monkeypatch.setattr(
        "servicedesk.tickets.admin_views.save_category",
        _refuse("This task force takes no new categories.", "default_task_force_id"),
    )
    top, form = _page(client.post("/admin/categories/new", data=_category()))
    assert _next_to(form, "default_task_force_id", "This task force takes no new categories.")
    assert "This task force takes no new categories." not in top
    db.session.rollback()
    assert count(Category) == 0


@pytest.mark.parametrize(
    ("service", "url", "fields", "model", "message"),
    [
        (
            "servicedesk.taskforces.views.create_task_force",
            "/admin/task-forces/new",
            _task_force(),
            TaskForce,
            "Task forces are frozen during the audit.",
        ),
        (
            "servicedesk.tickets.admin_views.save_category",
            "/admin/categories/new",
            _category(),
            Category,
            "Categories are frozen during the audit.",
        ),
    ],
    ids=["task force", "category"],
)
def test_a_refusal_of_the_whole_form_stands_at_the_top(
    client, admin, monkeypatch, service, url, fields, model, message
):
    monkeypatch.setattr(service, _refuse(message))
    top, form = _page(client.post(url, data=fields))
    assert message in top
    assert message not in form
    db.session.rollback()
    assert count(model) == 0


def _race(table: str, row=None):
    """A service that loses a unique-key race on ``table`` (after adding ``row()``, if given)."""

    def service(*args, **kwargs):
        if row is not None:
            db.session.add(row())
        raise IntegrityError(f"INSERT INTO {table}", {}, Exception("duplicate key"))

    return service


def test_a_save_race_on_an_enterprise_is_shown_at_the_top(client, admin, monkeypatch):
    """Two admins register the same code at once: the loser's form says so, nothing is kept."""
    monkeypatch.setattr(
        "servicedesk.enterprises.views.create_enterprise",
        _race("enterprise", lambda: Enterprise(name="Raced Ltd", uscc=fresh_uscc())),
    )
    top, _form = _page(
        client.post(
            "/admin/enterprises/new",
            data={
                "name": "Raced Ltd",
                "uscc": fresh_uscc(),
                "industry_chain_id": "0",
                "address": "",
                "active": "y",
            },
        )
    )
    assert "This name or code was registered a moment ago by someone else" in top
    assert count(Enterprise) == 0


def test_a_save_race_on_an_account_is_shown_next_to_the_address(client, admin, monkeypatch):
    monkeypatch.setattr("servicedesk.people.views.create_account", _race("users"))
    top, form = _page(client.post("/admin/users/new", data=new_user()))
    assert _next_to(form, "email", "This e-mail address was registered a moment ago.")
    assert "This e-mail address was registered a moment ago." not in top
