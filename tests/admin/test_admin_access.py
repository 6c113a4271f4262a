"""Only administrators see the admin pages; everybody else is told they do not exist (404)."""

from __future__ import annotations

import pytest

from servicedesk.auth.models import Role, User
from servicedesk.extensions import db

ADMIN_BLUEPRINTS = ("users", "enterprises", "taskforces", "categories")


@pytest.fixture
def park(make_user, make_enterprise, make_chain, make_task_force, make_project, make_category):
    """One of everything, so every admin URL points at a real row."""
    task_force = make_task_force(name="Display task force")
    chain = make_chain(name="New display", task_force=task_force)
    enterprise = make_enterprise(name="BOE", chain=chain, is_chain_leader=True)
    contact = make_user(Role.ENTERPRISE_CONTACT, enterprise=enterprise, name="Zhao Contact")
    make_user(Role.LEAD, lead_of=task_force, task_force=task_force)
    project = make_project(enterprise, task_force=task_force, chain=chain)
    category = make_category(default_task_force=task_force)
    return {
        "user_id": contact.id,
        "enterprise_id": enterprise.id,
        "chain_id": chain.id,
        "task_force_id": task_force.id,
        "project_id": project.id,
        "category_id": category.id,
    }


def admin_urls(app, park) -> list[tuple[str, str]]:
    """(method, url) for every route of the admin blueprints, plus the admin index."""
    urls = [("GET", "/admin/")]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ADMIN_BLUEPRINTS:
            continue
        url = rule.build({name: park[name] for name in rule.arguments})[1]
        urls.extend((method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_every_admin_blueprint_has_routes(app, park):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint in [
        "users.index",
        "enterprises.index",
        "enterprises.chains",
        "enterprises.projects",
        "taskforces.index",
        "categories.index",
    ]:
        assert endpoint in endpoints
    assert len(admin_urls(app, park)) > 25


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_other_roles_get_404_on_every_admin_url(app, client, auth, make_user, park, role):
    person = make_user(role)
    assert auth.login(person).status_code == 302
    for method, url in admin_urls(app, park):
        response = client.open(url, method=method, data={"name": "Hijack", "active": "y"})
        assert response.status_code == 404, (role, method, url)
    db.session.expire_all()
    assert db.session.get(User, park["user_id"]).active  # the deactivate button did nothing


def test_anonymous_visitors_are_sent_to_sign_in(app, client, park):
    for method, url in admin_urls(app, park):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]


def test_an_admin_sees_every_admin_page(app, client, admin, park):
    for method, url in admin_urls(app, park):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url
    page = client.get(f"/admin/enterprises/{park['enterprise_id']}").get_data(as_text=True)
    assert "Zhao Contact" in page
