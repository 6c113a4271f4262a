"""The preferences page: each person ticks e-mail and SMS per kind of message."""

import re

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.notifications.models import NotificationPreference
from servicedesk.notifications.preferences import choices, wants
from tests.conftest import csrf_token_from

PAGE = "/account/notifications"


def boxes(html: str) -> dict[str, bool]:
    """value → ticked, for every enabled checkbox of the page."""
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"checkbox\"[^>]*>", html, re.S):
        value = re.search(r'value="([^"]+)"', tag)
        if value and "disabled" not in tag:
            found[value.group(1)] = " checked" in tag
    return found


def saved(user) -> dict[tuple[str, str], bool]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    )
    return {(r.topic, r.channel): r.enabled for r in rows}


def test_the_account_page_leads_to_the_preferences(app, park, client_for):
    page = client_for(park.member).get("/account").get_data(as_text=True)
    assert f'href="{PAGE}"' in page


def test_strangers_are_sent_to_sign_in(app, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_sees_the_staff_topics_with_the_defaults(app, phones, client_for):
    park = phones
    response = client_for(park.member).get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    ticked = boxes(html)
    assert ticked["escalation:email"] and ticked["escalation:sms"]
    assert ticked["team_ticket:email"] and not ticked["team_ticket:sms"]
    assert ticked["rework:sms"] and not ticked["digest:sms"]
    assert "progress:email" not in ticked  # the enterprise's topics are not offered to staff
    assert "Red-card escalations" in html and "always reach the supervisors" in html
    assert 'id="sms-hint"' not in html


def test_an_enterprise_contact_sees_only_its_topics(app, phones, client_for):
    html = client_for(phones.contact).get(PAGE).get_data(as_text=True)
    assert set(boxes(html)) == {
        f"{t}:{c}" for t in ("progress", "info_requested", "resolved") for c in ("email", "sms")
    }
    assert "Red-card escalations" not in html


def test_switching_a_channel_off_is_saved_and_shown(app, phones, client_for):
    park = phones
    contact = client_for(park.contact)
    response = contact.post(
        PAGE,
        data={
            "wanted": ["progress:email", "info_requested:email", "resolved:email", "resolved:sms"],
            "submit": "Save my choices",
        },
    )
    assert response.status_code == 302
    assert saved(park.contact) == {
        ("progress", "email"): True,
        ("progress", "sms"): False,
        ("info_requested", "email"): True,
        ("info_requested", "sms"): False,
        ("resolved", "email"): True,
        ("resolved", "sms"): True,
    }
    assert not wants(park.contact, "info_requested", "sms")
    page = contact.get(PAGE).get_data(as_text=True)
    assert "Your notification choices are saved." in page
    assert boxes(page)["info_requested:sms"] is False and boxes(page)["resolved:sms"] is True


def test_everything_can_be_switched_off(app, phones, client_for):
    park = phones
    member = client_for(park.member)
    assert member.post(PAGE, data={"submit": "Save my choices"}).status_code == 302
    assert saved(park.member) and not any(saved(park.member).values())


def test_without_a_mobile_number_the_sms_column_is_disabled_and_kept(app, park, client_for):
    member = client_for(park.member)  # the park's people have no mobile numbers
    html = member.get(PAGE).get_data(as_text=True)
    assert 'id="sms-hint"' in html and "no valid mainland mobile number" in html
    assert not any(value.endswith(":sms") for value in boxes(html))
    assert html.count("disabled") >= 6  # one disabled SMS box per staff topic
    member.post(PAGE, data={"wanted": ["escalation:email"], "submit": "Save my choices"})
    # E-mail choices are saved; the SMS choices the person could not see stay as they were.
    current = choices(park.member)
    assert current[("team_ticket", "email")] is False
    assert current[("escalation", "sms")] is True and current[("rework", "sms")] is True
    assert current[("team_ticket", "sms")] is False


def test_an_invalid_mobile_number_counts_as_none(app, park, client_for):
    park.member.mobile = "12345"
    db.session.commit()
    assert 'id="sms-hint"' in client_for(park.member).get(PAGE).get_data(as_text=True)


def test_boxes_that_were_not_offered_are_refused(app, park, client_for):
    member = client_for(park.member)
    for sneaked in ("escalation:sms", "progress:email", "nonsense", "team_ticket:fax"):
        response = member.post(
            PAGE, data={"wanted": ["escalation:email", sneaked], "submit": "Save my choices"}
        )
        assert response.status_code == 200, sneaked
        html = response.get_data(as_text=True)
        assert "not a valid choice" in html, sneaked
        assert "nothing has been saved yet" in html
    assert saved(park.member) == {}


def test_the_form_needs_its_csrf_token(csrf_app, park):
    client = csrf_app.test_client()
    login = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": park.member.email,
            "password": "correct-horse-9",
            "csrf_token": csrf_token_from(login),
        },
    )
    assert client.post(PAGE, data={"wanted": ["escalation:email"]}).status_code == 400
    assert saved(park.member) == {}
    token = csrf_token_from(client.get(PAGE).get_data(as_text=True))
    response = client.post(PAGE, data={"wanted": ["escalation:email"], "csrf_token": token})
    assert response.status_code == 302
    assert saved(park.member)[("escalation", "email")] is True
    assert saved(park.member)[("team_ticket", "email")] is False
