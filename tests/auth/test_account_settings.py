"""Someone changes their own name, mobile number and language, through the auth service."""

from __future__ import annotations

import pytest

from servicedesk.auth.models import Role
from servicedesk.auth.services import update_own_settings
from servicedesk.crud import Refused
from servicedesk.extensions import db

LANGUAGES = ["zh_CN", "en"]


def test_the_settings_are_cleaned_and_kept(make_user):
    user = make_user(Role.MEMBER)
    update_own_settings(
        user, name="  Wang Fang ", mobile="+86 139-0000-1111", locale="en", languages=LANGUAGES
    )
    assert (user.name, user.mobile, user.locale) == ("Wang Fang", "13900001111", "en")
    update_own_settings(user, name="Wang Fang", mobile="", locale="", languages=LANGUAGES)
    assert user.mobile is None and user.locale is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"mobile": "12345"}, "mobile"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(make_user, fields, field):
    user = make_user(Role.MEMBER, name="Li Lei", mobile="13800000009", locale="zh_CN")
    values = {"name": "Li Lei", "mobile": "13800000009", "locale": "zh_CN", **fields}
    with pytest.raises(Refused) as refused:
        update_own_settings(user, languages=LANGUAGES, **values)
    assert refused.value.field == field
    assert (user.name, user.mobile, user.locale) == ("Li Lei", "13800000009", "zh_CN")


def test_the_account_page_saves_through_the_service(client, auth, make_user, monkeypatch):
    user = make_user(Role.MEMBER)
    auth.login(user)
    calls = []
    monkeypatch.setattr(
        "servicedesk.auth.views.update_own_settings",
        lambda who, **values: calls.append((who.id, values)),
    )
    response = client.post("/account", data={"name": "Wang", "mobile": "", "locale": "en"})
    assert response.status_code == 302
    assert calls == [
        (user.id, {"name": "Wang", "mobile": "", "locale": "en", "languages": LANGUAGES})
    ]


def test_a_refusal_is_shown_on_its_field(client, auth, make_user, monkeypatch):
    user = make_user(Role.MEMBER, name="Li Lei")

    def refuse(who, **values):
        raise Refused("Not that name.", "name")

    monkeypatch.setattr("servicedesk.auth.views.update_own_settings", refuse)
    auth.login(user)
    page = client.post("/account", data={"name": "Wang", "mobile": "", "locale": "en"})
    assert page.status_code == 200
    assert "Not that name." in page.get_data(as_text=True)
    db.session.expire_all()
    assert user.name == "Li Lei"
