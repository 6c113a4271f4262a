"""With CSRF protection on, as in production, the admin forms and buttons still work."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from servicedesk.tickets.models import Category
from tests.admin.conftest import count
from tests.conftest import csrf_token_from


def test_admin_forms_carry_their_token(app, client, admin, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/admin/categories/new").get_data(as_text=True)
    data = {
        "name": "政策咨询",
        "name_en": "Policy questions",
        "kind": "consultation",
        "default_task_force_id": "0",
        "active": "y",
    }

    assert client.post("/admin/categories/new", data=data).status_code == 400
    assert count(Category) == 0

    data["csrf_token"] = csrf_token_from(page)
    assert client.post("/admin/categories/new", data=data).status_code == 302
    assert db.session.scalar(select(Category)).kind == "consultation"

    member = make_user(Role.MEMBER)
    edit_page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert f'action="/admin/users/{member.id}/deactivate"' in edit_page
    assert client.post(f"/admin/users/{member.id}/deactivate").status_code == 400
    response = client.post(
        f"/admin/users/{member.id}/deactivate", data={"csrf_token": csrf_token_from(edit_page)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert member.active is False


def test_search_forms_need_no_token(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    assert "Ada Admin" in client.get("/admin/users/?q=ada").get_data(as_text=True)
    assert client.get("/admin/key-projects?level=municipal").status_code == 200
