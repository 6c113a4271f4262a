"""Signing in and out, changing one's own password and settings."""

import pytest

from servicedesk.auth.models import Role
from servicedesk.extensions import db
from tests.conftest import PASSWORD


def test_sign_in_and_out(client, auth, make_user):
    user = make_user(Role.SUPERVISOR, email="su@park.example")
    response = auth.login(" SU@Park.Example ")
    assert response.status_code == 302
    assert client.get("/tickets/queue").status_code == 200
    db.session.expire_all()
    assert user.last_login_at is not None
    auth.logout()
    assert client.get("/tickets/queue").status_code == 302


@pytest.mark.parametrize("password", ["wrong-password", "", "x" * 500])
def test_a_wrong_password_is_refused_with_a_message(client, auth, make_user, password):
    user = make_user(Role.MEMBER)
    response = auth.login(user, password)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        "Wrong e-mail address or password" in html
        or "This field is required" in html
        or "longer than" in html
    )
    assert client.get("/tickets/queue").status_code == 302


def test_a_deactivated_account_cannot_sign_in(client, auth, make_user):
    user = make_user(Role.MEMBER, active=False)
    response = auth.login(user)
    assert "deactivated" in response.get_data(as_text=True)


def test_logout_needs_a_post(client, auth, make_user):
    auth.login(make_user(Role.MEMBER))
    assert client.get("/logout").status_code == 405


def test_next_only_follows_local_links(client, make_user):
    user = make_user(Role.MEMBER)
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/tickets/queue", data=data)
    assert response.headers["Location"] == "/tickets/queue"


def test_change_password(client, auth, make_user):
    user = make_user(Role.MEMBER)
    auth.login(user)
    form = {
        "current_password": PASSWORD,
        "new_password": "a-new-secret-42",
        "confirm": "a-new-secret-42",
    }
    bad = client.post("/account/password", data={**form, "current_password": "nope"})
    assert "The current password is not correct." in bad.get_data(as_text=True)
    weak = client.post(
        "/account/password", data={**form, "new_password": "12345678", "confirm": "12345678"}
    )
    assert "digits only" in weak.get_data(as_text=True)
    differ = client.post("/account/password", data={**form, "confirm": "other"})
    assert "The two passwords differ." in differ.get_data(as_text=True)
    assert client.post("/account/password", data=form).status_code == 302
    auth.logout()
    assert auth.login(user, "a-new-secret-42").status_code == 302


def test_account_settings_validate_the_mobile_number(client, auth, make_user):
    user = make_user(Role.MEMBER)
    auth.login(user)
    bad = client.post("/account", data={"name": "Wang", "mobile": "12345", "locale": "en"})
    assert "mainland mobile number" in bad.get_data(as_text=True)
    ok = client.post(
        "/account", data={"name": "Wang", "mobile": "+86 139 0000 1111", "locale": "zh_CN"}
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert user.mobile == "13900001111" and user.locale == "zh_CN"


def test_every_post_needs_a_csrf_token(csrf_app, make_user):
    client = csrf_app.test_client()
    user = make_user(Role.MEMBER)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)
